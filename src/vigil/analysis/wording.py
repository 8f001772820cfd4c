"""Words for officers: category labels, pattern descriptions, and findings merged by span.

The taxonomy gives every category a ``name``, its label ("Meeting and travel"), and every
pattern a ``description`` in plain words ("Asks how old the other person is."). A pattern's id
and ``notes`` (how the regular expression works) are technical detail: ``vigil explain
--technical``, a muted detail on the conversation page, and the JSON API.

Two patterns often match the same words of a message, or overlapping words ("can we meet on
saturday" is both a meeting proposal and a meeting with a day). :func:`group_by_span` puts
such findings on one line, so that a quote is shown once with every pattern that matched.
This is presentation only: scores are computed from the separate findings before any of it.
Pure, apart from :func:`default_wording`, which reads the packaged taxonomy once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from vigil.analysis.assess import PROBING_NOTE

NOT_COUNTED = "not counted: said by the side this cue does not apply to"
"""Why a finding is listed but not counted, when its reason does not say otherwise."""


def humanise(name: str) -> str:
    """A snake_case id in words: ``risk_assessment`` -> "Risk assessment"."""
    text = " ".join(name.replace("_", " ").split())
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class PatternWords:
    """What officers and maintainers read about one pattern."""

    rule_id: str
    category: str
    description: str
    notes: str
    lang: str


@dataclass(frozen=True)
class Wording:
    """Category labels and pattern descriptions, looked up by the ids stored with findings.

    Ids the taxonomy no longer has (a finding stored by an older version) fall back to the
    category id in words and to the finding's stored reason.
    """

    labels: Mapping[str, str]
    patterns: Mapping[str, PatternWords]

    @classmethod
    def from_taxonomy(cls, taxonomy: Any) -> Wording:
        """From a loaded taxonomy (:mod:`vigil.analysis.taxonomy_load`)."""
        labels = {c.id: c.name for c in taxonomy.categories}
        patterns = {
            p.id: PatternWords(p.id, c.id, p.description, p.notes, p.lang)
            for c in taxonomy.categories
            for p in c.patterns
        }
        return cls(labels, patterns)

    def label(self, category: str) -> str:
        """The category's label ("Meeting and travel" for ``meeting_travel``)."""
        return self.labels.get(category) or humanise(category)

    def description(self, rule_id: str, reason: str = "") -> str:
        """What the pattern looks for, in one sentence; the stored reason when unknown."""
        known = self.patterns.get(rule_id)
        return known.description if known and known.description else reason

    def notes(self, rule_id: str) -> str:
        """The pattern's technical note (empty when unknown)."""
        known = self.patterns.get(rule_id)
        return known.notes if known else ""


@functools.cache
def default_wording() -> Wording:
    """Words of the packaged taxonomy (loaded once per process)."""
    from vigil.analysis.taxonomy_load import load_taxonomy

    return Wording.from_taxonomy(load_taxonomy())


def uncounted_note(reason: str) -> str:
    """Why a finding is not counted, in words: the age-probing rule's own note when the reason
    carries it (:data:`vigil.analysis.assess.PROBING_NOTE`), else the speaker rule."""
    if reason.endswith(PROBING_NOTE):
        return PROBING_NOTE.strip().strip("()")
    return NOT_COUNTED


class Spanned(Protocol):
    """A finding on one message: where its quote starts and ends in the original text."""

    @property
    def span_start(self) -> int: ...
    @property
    def span_end(self) -> int: ...
    @property
    def quote(self) -> str: ...


S = TypeVar("S", bound=Spanned)


def group_by_span(findings: Iterable[S]) -> list[list[S]]:
    """Findings of ONE message in groups whose spans overlap (directly or through another
    finding of the group), in text order; identical spans are the simplest case."""
    groups: list[list[S]] = []
    end = 0
    for f in sorted(findings, key=lambda f: (f.span_start, -f.span_end)):
        if groups and f.span_start < end:
            groups[-1].append(f)
            end = max(end, f.span_end)
        else:
            groups.append([f])
            end = f.span_end
    return groups


def joined_quote(group: Sequence[Spanned]) -> str:
    """The words a group covers, rebuilt from its members' quotes and offsets (each quote is
    the original text at its span); distinct quotes joined with " … " if they disagree."""
    start = min(f.span_start for f in group)
    chars: list[str | None] = [None] * (max(f.span_end for f in group) - start)
    for f in group:
        if len(f.quote) != f.span_end - f.span_start:
            return " … ".join(dict.fromkeys(f.quote for f in group))
        for i, ch in enumerate(f.quote, f.span_start - start):
            if chars[i] not in (None, ch):
                return " … ".join(dict.fromkeys(f.quote for f in group))
            chars[i] = ch
    if any(ch is None for ch in chars):
        return " … ".join(dict.fromkeys(f.quote for f in group))
    return "".join(ch for ch in chars if ch is not None)


def unique(items: Iterable[str]) -> list[str]:
    """Non-empty items once each, in first-seen order."""
    return [x for x in dict.fromkeys(items) if x]
