"""Spans of text replaced by visible markers (pure).

Offsets are Python string indices (code points) into the original text, ``start`` inclusive and
``end`` exclusive. Overlapping or touching spans are merged into one marker carrying every
reason and every redaction id, so that a marker never splits a word and no redacted character
survives between two markers. All spans of a text are found on the original first and applied
once, so a later rule never matches inside an earlier marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from vigil.errors import UserError
from vigil.redaction.reasons import marker


@dataclass(frozen=True, slots=True)
class Span:
    """One stretch to redact: ``[start, end)`` of the original, why, and which redaction."""

    start: int
    end: int
    reason: str
    rid: int | None = None
    """The stored redaction's id (None: applied automatically, e.g. persona identities)."""


@dataclass(frozen=True, slots=True)
class Applied:
    """A merged stretch as applied: original offsets, its reasons and redaction ids."""

    start: int
    end: int
    reasons: tuple[str, ...]
    rids: tuple[int, ...]

    @property
    def chars(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class RedactedText:
    """The text with markers in place of the redacted stretches, and what was applied."""

    text: str
    applied: tuple[Applied, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def check_span(text: str, start: int, end: int, where: str) -> None:
    """UserError naming ``where`` and the offsets unless ``0 <= start < end <= len(text)``."""
    if not 0 <= start < end <= len(text):
        raise UserError(
            f"{where}: characters {start}–{end} are not within the text (0–{len(text)})",
            hint="start is counted from 0 and end is one past the last character",
        )


@lru_cache(maxsize=4096)
def words_pattern(needles: tuple[str, ...], whole_word: bool = True) -> re.Pattern[str] | None:
    """One compiled pattern for any of ``needles`` (longest first), ignoring case; with
    ``whole_word`` only where no letter, digit or underscore touches a match on either side."""
    parts = sorted({n.strip() for n in needles if n.strip()}, key=lambda n: (-len(n), n))
    if not parts:
        return None
    body = "|".join(re.escape(n) for n in parts)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)" if whole_word else body, re.IGNORECASE)


def find_words(text: str, needle: str, *, whole_word: bool = True) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``text``, ignoring case; with ``whole_word`` only where
    no letter, digit or underscore touches it on either side."""
    return find_any(text, (needle,), whole_word=whole_word)


def find_any(
    text: str, needles: tuple[str, ...], *, whole_word: bool = True
) -> list[tuple[int, int]]:
    """Every occurrence of any of ``needles`` (as :func:`find_words`; at one place the longest)."""
    if text.isascii() and all(n.isascii() for n in needles):  # a fast test first (exact)
        low = text.lower()
        if not any(n.strip().lower() in low for n in needles if n.strip()):
            return []
    pattern = words_pattern(needles, whole_word)
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def merge(spans: Iterable[Span]) -> list[Applied]:
    """Overlapping or touching spans as one each, in order of position."""
    out: list[tuple[int, int, list[str], list[int]]] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if s.end <= s.start:
            continue
        if out and s.start <= out[-1][1]:
            last = out[-1]
            out[-1] = (last[0], max(last[1], s.end), last[2], last[3])
        else:
            out.append((s.start, s.end, [], []))
        if s.reason not in out[-1][2]:
            out[-1][2].append(s.reason)
        if s.rid is not None and s.rid not in out[-1][3]:
            out[-1][3].append(s.rid)
    return [Applied(a, b, tuple(r), tuple(sorted(i))) for a, b, r, i in out]


def apply_spans(text: str, spans: Iterable[Span]) -> RedactedText:
    """``text`` with each merged stretch replaced by its marker (spans beyond the text are
    clipped to it; a span wholly outside is ignored)."""
    n = len(text)
    clipped = [
        Span(max(0, s.start), min(n, s.end), s.reason, s.rid)
        for s in spans
        if s.start < n and s.end > 0
    ]
    applied = merge(clipped)
    if not applied:
        return RedactedText(text)
    parts: list[str] = []
    at = 0
    for a in applied:
        parts.append(text[at : a.start])
        parts.append(marker(a.reasons))
        at = a.end
    parts.append(text[at:])
    return RedactedText("".join(parts), tuple(applied))
