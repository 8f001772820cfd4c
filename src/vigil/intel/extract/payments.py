"""Payment handles and UK bank details.

- Cash App ``$cashtag`` (a ``$`` followed by a letter; ``$50`` is money, not a cashtag).
- UK sort code and account number pairs: "sort code 12-34-56 account 12345678", "acc no
  12345678 s/c 123456", or a dashed sort code directly followed by eight digits.
  The value is ``12-34-56 12345678``. A format match is not proof that the account exists:
  ``valid`` is None unless :func:`vigil.intel.extract.modulus.check` is run with Vocalink's
  modulus-weight table (which Vigil does not ship).

PayPal.Me, ``cash.app/$tag`` and Venmo links are classified by :mod:`.urls`; "my venmo is
@name" and "paypal: name" by :mod:`.handles`. All of them come out with kind ``payment``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vigil.intel.extract.base import Identifier, IdentifierKind, Options
from vigil.intel.extract.handles import check_username

CASHTAG = re.compile(r"(?<![\w$/])\$(?P<tag>[A-Za-z][A-Za-z0-9_-]{0,19})(?![\w$])")
_SC = r"(?P<sc>\d{2}[-\s]?\d{2}[-\s]?\d{2})"
_ACC = r"(?P<acc>\d{8})"
_SC_WORD = r"(?:sort\s*code|s/c|sc)\b\.?:?"
_ACC_WORD = r"(?:acc(?:ount)?|a/c|acct)\.?\s*(?:no\.?|number|num|#)?:?"
BANK = (
    re.compile(rf"\b{_SC_WORD}\s*{_SC}[\s,;/&]*(?:and\s+)?(?:{_ACC_WORD}\s*)?{_ACC}(?!\d)", re.I),
    re.compile(
        rf"(?<![\w/]){_ACC_WORD}\s*{_ACC}[\s,;/&]*(?:and\s+)?{_SC_WORD}\s*{_SC}(?!\d)", re.I
    ),
    re.compile(r"(?<![\w/-])(?P<sc>\d{2}-\d{2}-\d{2})[\s,/]+(?P<acc>\d{8})(?![\w-])"),
)
_CASH_WORDS = frozenset(["usd", "gbp", "eur", "aud", "cad", "btc", "eth", "xmr"])


def _sort_code(raw: str) -> str:
    digits = "".join(c for c in raw if c.isdigit())
    return f"{digits[0:2]}-{digits[2:4]}-{digits[4:6]}"


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    if "$" in text:
        for m in CASHTAG.finditer(text):
            tag = m.group("tag").lower()
            if tag in _CASH_WORDS:
                continue
            valid = check_username("cashapp", tag)
            if valid is False and not opts.include_invalid:
                continue
            yield Identifier(
                IdentifierKind.PAYMENT,
                tag,
                m.group(),
                m.start(),
                m.end(),
                "cashapp",
                valid,
                "Cash App $cashtag",
            )
    seen: set[tuple[int, int]] = set()
    for i, pattern in enumerate(BANK):
        for m in pattern.finditer(text):
            span = (m.start(), m.end())
            if any(a < span[1] and span[0] < b for a, b in seen):
                continue
            seen.add(span)
            sc = _sort_code(m.group("sc"))
            how = "sort code and account number" if i < 2 else "dashed sort code then 8 digits"
            yield Identifier(
                IdentifierKind.BANK_ACCOUNT,
                f"{sc} {m.group('acc')}",
                m.group(),
                m.start(),
                m.end(),
                "uk",
                None,
                f"UK {how} (format only: modulus check needs Vocalink's weight table)",
            )
