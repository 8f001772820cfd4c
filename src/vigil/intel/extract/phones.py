"""Phone numbers: digit runs found by one pattern, then validated with ``phonenumbers``.

Candidates are runs of 7 to 15 digits in groups separated by single spaces, dashes or dots,
optionally with ``+``/``00`` and a bracketed area code. Runs that look like a time, date, IP
address, price or reference number are dropped before ``phonenumbers`` is asked; a number is
taken when ``phonenumbers`` says it is valid for its region (numbers without a country code
are read in the case's default ``region``). The value is E.164.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from vigil.intel.extract.base import Identifier, IdentifierKind, Options, last_words

_GROUP = r"(?:\(\s?\d{1,5}+\s?\)|\d{1,6}+)"
CANDIDATE = re.compile(
    r"(?<![\w£$€#/.:@+\-])"
    rf"(?:\+\s?|00\s?)?{_GROUP}(?:[ .\-–]?{_GROUP}){{0,6}}"
    r"(?![\w£$€%])(?![.:/,]\d)"
)
_SPLIT = re.compile(r"[ .\-–]")
_DATE_OR_IP = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3}){3}|\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4})$"
)
_REF_WORDS = frozenset(
    [
        "order",
        "ref",
        "reference",
        "invoice",
        "tracking",
        "parcel",
        "booking",
        "ticket",
        "id",
        "pin",
        "code",
        "account",
        "acc",
        "a/c",
        "sort",
        "transaction",
        "receipt",
        "serial",
        "imei",
        "case",
        "crime",
        "policy",
        "customer",
        "membership",
        "member",
        "#",
    ]
)
_TYPE_NAMES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline or mobile",
    PhoneNumberType.TOLL_FREE: "freephone",
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.UAN: "non-geographic",
}


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _parse(raw: str, region: str) -> tuple[phonenumbers.PhoneNumber, int] | None:
    """Parse ``raw``; return the number and its type if it is valid, else None."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # number_type() is UNKNOWN exactly when is_valid_number() is False (both match the
    # national number against the region's patterns): one call gives validity and type.
    ntype = phonenumbers.number_type(num)
    return (num, ntype) if ntype != PhoneNumberType.UNKNOWN else None


def normalise(raw: str, region: str = "GB") -> phonenumbers.PhoneNumber | None:
    """Parse ``raw`` as a valid phone number, or return None."""
    parsed = _parse(raw, region)
    return parsed[0] if parsed else None


def to_e164(raw: str, region: str = "GB") -> str | None:
    """Return the E.164 form of ``raw`` if it is a valid number, else None."""
    num = normalise(raw, region)
    return phonenumbers.format_number(num, PhoneNumberFormat.E164) if num else None


def _describe(num: phonenumbers.PhoneNumber, ntype: int) -> str:
    # the country code's main region (cheap; NANPA numbers read as US)
    region = phonenumbers.region_code_for_country_code(num.country_code or 0)
    return f"valid {region} {_TYPE_NAMES.get(ntype, 'phone')} number"


def _variants(raw: str) -> Iterator[tuple[int, int]]:
    """Spans (relative to ``raw``) to try: the whole run, then with end or start groups cut."""
    yield 0, len(raw)
    bounds = [m.start() for m in _SPLIT.finditer(raw)]
    for cut in reversed(bounds):  # drop trailing groups
        if _digits(raw[:cut]) >= 7:
            yield 0, cut
    for cut in bounds:  # drop leading groups
        if _digits(raw[cut + 1 :]) >= 7:
            yield cut + 1, len(raw)


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    for m in CANDIDATE.finditer(text):
        raw = m.group()
        n = _digits(raw)
        if n < 7 or n > 17 or _DATE_OR_IP.match(raw):
            continue
        words = last_words(text, m.start(), 3)
        if any(w in _REF_WORDS for w in words):
            continue
        found = False
        for a, b in _variants(raw):
            piece = raw[a:b].strip()
            if _digits(piece) > 15:
                continue
            parsed = _parse(piece, opts.region)
            if parsed is not None:
                num, ntype = parsed
                start = m.start() + a + (len(raw[a:b]) - len(raw[a:b].lstrip()))
                yield Identifier(
                    IdentifierKind.PHONE,
                    phonenumbers.format_number(num, PhoneNumberFormat.E164),
                    piece,
                    start,
                    start + len(piece),
                    valid=True,
                    reason=f"{_describe(num, ntype)} (phonenumbers, default region {opts.region})",
                )
                found = True
                break
        if not found and opts.include_invalid and 7 <= n <= 15:
            yield Identifier(
                IdentifierKind.PHONE,
                "".join(c for c in raw if c.isdigit() or c == "+"),
                raw,
                m.start(),
                m.end(),
                valid=False,
                reason="phone-like digit run that is not a valid number in any numbering plan",
            )
