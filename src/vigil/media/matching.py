"""What a look-up returns, for every algorithm: a Lookup with its status and its Matches.

Every Match carries the distance, the query's quality, the list and the category, and a
plain-language reason. A query whose quality is too low is reported as ``cannot be scored``,
never as ``no match``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vigil.media.categories import Category

DEFAULT_THRESHOLD = 31
"""PDQ Hamming distance at or below which two hashes match (ThreatExchange's default)."""

Status = Literal["match", "no match", "cannot be scored"]


@dataclass(frozen=True, slots=True)
class ListRef:
    """A hash list as the index knows it: id, display name and its own PDQ threshold."""

    list_id: str
    name: str
    threshold: int = DEFAULT_THRESHOLD


@dataclass(frozen=True, slots=True)
class Match:
    """One hit in one list.

    ``distance`` is 0 for cryptographic hashes, the Hamming distance for PDQ, and for vPDQ the
    mean of the matched query frames' best distances. ``quality`` is the query's quality (None
    for cryptographic hashes; for vPDQ the mean quality of the frames that took part).
    """

    algorithm: str
    list_id: str
    list_name: str
    record_key: str
    category: Category | None
    distance: int
    quality: int | None
    threshold: int | None
    reference: str
    reason: str
    variant: str = "original"


@dataclass(frozen=True, slots=True)
class Lookup:
    """The answer for one query: status, the query, its quality, matches and why."""

    status: Status
    algorithm: str
    query: str
    quality: int | None
    matches: tuple[Match, ...]
    reason: str


def low_quality(algorithm: str, query: str, quality: int, minimum: int) -> Lookup:
    """The ``cannot be scored`` answer for a query below the quality floor."""
    return Lookup(
        "cannot be scored",
        algorithm,
        query,
        quality,
        (),
        f"{algorithm.upper()} quality {quality} is below {minimum}: the image has too little "
        "detail for a match or a no-match to mean anything; grade it by eye (blurred first)",
    )


def summarise(algorithm: str, query: str, quality: int | None, matches: list[Match]) -> Lookup:
    """A ``match``/``no match`` Lookup, matches ordered by distance then list."""
    matches.sort(key=lambda m: (m.distance, m.list_name, m.record_key))
    if matches:
        lists = sorted({m.list_name for m in matches})
        reason = f"{len(matches)} match(es) in {', '.join(lists)}; closest distance {matches[0].distance}"
        return Lookup("match", algorithm, query, quality, tuple(matches), reason)
    return Lookup(
        "no match", algorithm, query, quality, (), "no listed hash within any list's threshold"
    )
