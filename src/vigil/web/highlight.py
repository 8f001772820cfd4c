"""Findings highlighted in place: a message's text cut into plain and marked segments (pure)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Span(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def span_start(self) -> int: ...
    @property
    def span_end(self) -> int: ...
    @property
    def category(self) -> str: ...


@dataclass(slots=True)
class Segment:
    text: str
    covering: list[int] = field(default_factory=list)
    """Ids of the findings whose span covers this segment (empty for plain text)."""
    categories: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    """Ids of the findings that begin here (each gets an anchor ``f-<id>``)."""


def segments(text: str, spans: Sequence[Span]) -> list[Segment]:
    """Cut ``text`` at every span boundary; spans are character offsets into the original text.

    Overlapping spans are handled (a segment lists every finding covering it); offsets outside
    the text are clamped; an empty or reversed span still gets its anchor.
    """
    n = len(text)
    clamped = [(s, max(0, min(s.span_start, n)), max(0, min(s.span_end, n))) for s in spans]
    cuts = sorted({0, n, *(a for _, a, _ in clamped), *(b for _, _, b in clamped)})
    out: list[Segment] = []
    placed: set[int] = set()
    for a, b in itertools.pairwise(cuts):
        cover = [s for s, sa, sb in clamped if sa <= a and sb >= b and sb > sa]
        starts = [s.id for s, sa, _ in clamped if sa == a and s.id not in placed]
        placed.update(starts)
        cats = sorted({s.category for s in cover})
        out.append(Segment(text[a:b], [s.id for s in cover], cats, starts))
    missing = [s.id for s, _, _ in clamped if s.id not in placed]
    if missing:
        if out:
            out[-1].starts.extend(missing)
        else:
            out.append(Segment("", [], [], missing))
    return out
