"""Basic UK bank-account modulus checking (Vocalink's MOD10, MOD11 and DBLAL methods).

Vigil does not ship Vocalink's weight table (``valacdos.txt``, licensed by Vocalink). A
service that holds it parses it with :func:`parse_table` and passes the rows to :func:`check`.
Rows carrying one of Vocalink's numbered exceptions are not modelled: for those the answer is
None ("cannot say"), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WeightRow:
    """One line of the weight table: a sort-code range, a method and 14 weights."""

    start: str
    end: str
    method: str  # MOD10, MOD11 or DBLAL
    weights: tuple[int, ...]
    exception: int | None = None


def parse_table(lines: Iterable[str]) -> list[WeightRow]:
    """Parse whitespace-separated table lines (start end method w1..w14 [exception])."""
    rows = []
    for line in lines:
        parts = line.split()
        if len(parts) < 17:
            continue
        exc = int(parts[17]) if len(parts) > 17 else None
        rows.append(WeightRow(parts[0], parts[1], parts[2], tuple(map(int, parts[3:17])), exc))
    return rows


def _passes(row: WeightRow, digits: Sequence[int]) -> bool:
    products = [d * w for d, w in zip(digits, row.weights, strict=True)]
    if row.method == "DBLAL":
        return sum(sum(map(int, str(p))) for p in products) % 10 == 0
    modulus = 10 if row.method == "MOD10" else 11
    return sum(products) % modulus == 0


def check(sort_code: str, account: str, rows: Sequence[WeightRow]) -> bool | None:
    """True/False by the table; True when the sort code has no row (Vocalink's rule: such
    accounts cannot be checked and are to be accepted); None when an exception applies."""
    sc = "".join(c for c in sort_code if c.isdigit())
    acc = "".join(c for c in account if c.isdigit()).rjust(8, "0")
    if len(sc) != 6 or len(acc) != 8:
        return False
    matching = [r for r in rows if r.start <= sc <= r.end]
    if not matching:
        return True
    if any(r.exception is not None for r in matching):
        return None
    digits = [int(c) for c in sc + acc]
    return all(_passes(r, digits) for r in matching)
