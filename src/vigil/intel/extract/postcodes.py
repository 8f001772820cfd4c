"""UK postcodes (full postcodes only: outward and inward code, e.g. ``SW1A 1AA``).

The outward code's letters must name a real postcode area (``data/uk_postcodes.json``), the
inward code is a digit and two letters that never include C, I, K, M, O or V, and lower-case
ordinals that happen to fit ("b4 2nd lesson") are refused. The value is upper case with one
space. A postcode names an area of some 15 houses, not a person's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from vigil.intel import _data
from vigil.intel.extract.base import Identifier, IdentifierKind, Options

POSTCODE = re.compile(
    r"(?<![\w-])(?P<out>[A-Za-z]{1,2}\d[A-Za-z\d]?)\s?(?P<in>\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![\w-])"
)
_ORDINAL = re.compile(r"^\d(?:st|nd|rd|th)$")
_AREA = re.compile(r"^[A-Z]{1,2}")


@cache
def _areas() -> frozenset[str]:
    return frozenset(_data.load("uk_postcodes")["areas"])


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    for m in POSTCODE.finditer(text):
        out, inward = m.group("out"), m.group("in")
        if inward.islower() and _ORDINAL.match(inward):
            continue
        area = _AREA.match(out.upper())
        if area is None or area.group() not in _areas():
            continue
        value = f"{out.upper()} {inward.upper()}"
        yield Identifier(
            IdentifierKind.POSTCODE,
            value,
            m.group(),
            m.start(),
            m.end(),
            "uk",
            None,
            f"UK postcode in the {area.group()} postcode area",
        )
