"""Money amounts with their currency: ``£200``, ``200 quid``, ``$50``, ``€20``, ``50 gbp``, ``50p``.

Symbols, ISO codes and words are data (``data/money.json``). ``k``/``m`` after a symbol amount
multiply it (``£2k``); ``grand`` means a thousand pounds. "Pounds" after a weight word ("lost
5 pounds", "weighs 200 pounds") or before "of" is weight, not money. The value is the ISO
code and the amount with two decimals (``GBP 200.00``); pence become pounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from vigil.intel import _data
from vigil.intel.extract.base import Identifier, IdentifierKind, Options, last_words

_AMT = r"(?P<amt>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
_MULT = {"k": Decimal(1000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}


@dataclass(frozen=True, slots=True)
class _Tables:
    pattern: re.Pattern[str]
    symbols: dict[str, str]
    codes: frozenset[str]
    words: dict[str, str]
    weight_cues: frozenset[str]


@cache
def _tables() -> _Tables:
    d = _data.load("money")
    syms = sorted(d["symbols"], key=len, reverse=True)
    sym_alt = "|".join(re.escape(s) for s in syms)
    code_alt = "|".join(d["codes"])
    words = dict(d["words"])
    word_alt = "|".join(
        re.escape(w).replace(r"\ ", r"\s+")
        for w in sorted(words, key=len, reverse=True)
        if w != "p"
    )
    pattern = re.compile(
        rf"(?<![\w$£€.,])(?P<sym>{sym_alt})\s?{_AMT}(?:\s?(?P<mult>k|m|bn)\b)?(?!\d|[,.]\d)"
        rf"|\b(?P<code>{code_alt})\s?{_AMT.replace('amt', 'amt1')}(?!\d|[,.]\d)"
        rf"|(?<![\w.,£$€])(?:{_AMT.replace('amt', 'amt2')}"
        rf"(?:\s?(?P<word>{word_alt}|{code_alt})\b|(?P<pence>p)\b|\s?(?P<sym2>£|€)))",
        re.IGNORECASE,
    )
    return _Tables(pattern, d["symbols"], frozenset(d["codes"]), words, frozenset(d["weight_cues"]))


def _value(amount: str, unit: str) -> tuple[str, Decimal] | None:
    try:
        n = Decimal(amount.replace(",", ""))
    except InvalidOperation:
        return None
    if "/" in unit:
        code, div = unit.split("/")
        return code, n / Decimal(div)
    if "*" in unit:
        code, mul = unit.split("*")
        return code, n * Decimal(mul)
    return unit, n


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    t = _tables()
    for m in t.pattern.finditer(text):
        g = m.groupdict()
        if g["sym"]:
            unit, amount = t.symbols[g["sym"].upper()], g["amt"]
        elif g["code"]:
            unit, amount = g["code"].upper(), g["amt1"]
        else:
            amount = g["amt2"]
            if g["pence"]:
                if "." in amount or int(amount) > 99:
                    continue  # '1080p' is a video resolution, not £10.80
                unit = "GBP/100"
            elif g["sym2"]:
                unit = t.symbols[g["sym2"]]
            else:
                word = re.sub(r"\s+", " ", g["word"].lower())
                if word.startswith("pound") and (
                    any(w in t.weight_cues for w in last_words(text, m.start(), 3))
                    or text[m.end() : m.end() + 4].lower() == " of "
                ):
                    continue
                unit = t.words.get(word, word.upper())
        parsed = _value(amount, unit)
        if parsed is None:
            continue
        code, n = parsed
        if g.get("mult"):
            n *= _MULT[g["mult"].lower()]
        yield Identifier(
            IdentifierKind.MONEY,
            f"{code} {n:.2f}",
            m.group(),
            m.start(),
            m.end(),
            None,
            None,
            f"amount in {code} ('{m.group()}')",
        )
