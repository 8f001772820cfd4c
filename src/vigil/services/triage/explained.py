"""The findings behind a score as ``vigil explain`` shows them: category labels and pattern
descriptions for officers, with matches on overlapping words of a message merged into one
line; pattern ids and technical notes kept for ``--technical`` and the JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vigil.analysis.wording import Wording, group_by_span, humanise, joined_quote, unique


@dataclass(slots=True)
class ExplainedFinding:
    """One counted finding: one pattern matched on one message."""

    seq: int
    sent_at: datetime | None
    sender: str | None
    category: str
    quote: str
    reason: str
    added: float = 0.0
    """What this finding added to the indicator log-odds (fitted weights)."""
    rule_id: str = ""
    span_start: int = 0
    span_end: int = 0
    label: str = ""
    """The category's label ("Meeting and travel")."""
    description: str = ""
    """What the pattern looks for, in plain words."""
    notes: str = ""
    """The pattern's technical note (how it is written, what it leaves out)."""


@dataclass(slots=True)
class ExplainedLine:
    """The findings on the same or overlapping words of one message, shown once."""

    seq: int
    sent_at: datetime | None
    sender: str | None
    quote: str
    labels: list[str]
    descriptions: list[str]
    added: float
    rule_ids: list[str] = field(default_factory=list)


def explained_lines(findings: Sequence[ExplainedFinding]) -> list[ExplainedLine]:
    """Findings as lines, in message order: overlapping matches of a message merged."""
    by_seq: dict[int, list[ExplainedFinding]] = {}
    for f in findings:
        by_seq.setdefault(f.seq, []).append(f)
    out: list[ExplainedLine] = []
    for seq in sorted(by_seq):
        for group in group_by_span(by_seq[seq]):
            first = group[0]
            out.append(
                ExplainedLine(
                    seq,
                    first.sent_at,
                    first.sender,
                    joined_quote(group),
                    unique(f.label or f.category for f in group),
                    unique(f.description or f.reason for f in group),
                    sum(f.added for f in group),
                    [f.rule_id for f in group],
                )
            )
    return out


def component_words(components: Mapping[str, Any], words: Wording) -> dict[str, str]:
    """Each score component's explanation in officer words: category labels instead of ids,
    stage names in words."""
    out: dict[str, str] = {}
    for name, comp in components.items():
        text = str(comp.get("explanation", "")) if isinstance(comp, Mapping) else str(comp)
        if name == "categories":
            text = ", ".join(words.label(c.strip()) for c in text.split(",") if c.strip())
        elif name == "progression" and ":" in text:
            head, _, stages = text.partition(":")
            named = ", ".join(humanise(s.strip()) for s in stages.split(",") if s.strip())
            text = f"{head}: {named}"
        out[name] = text
    return out
