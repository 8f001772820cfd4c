"""The view of the taxonomy that scoring needs: one :class:`Rule` per pattern."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vigil.analysis.scanner import ScanPattern

OCONNELL_STAGES: tuple[str, ...] = (
    "friendship_forming",
    "relationship_forming",
    "risk_assessment",
    "exclusivity",
    "sexual",
    "conclusion_meeting",
)

WEAK_TAGS = frozenset(
    {
        "family_mention", "alone_mention", "trouble_mention", "endearment", "affection",
        "time_mention", "visit_mention", "phone_mention", "physical_mention", "school_mention",
        "image_mention",
    }
)  # fmt: skip
"""Tags of weak context cues: common in ordinary chat, they add only what the fitted weights
give them, mostly together with stronger cues."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern with its category's weight, stage and plain-language explanation.

    ``explanation`` is what a finding's reason says to an officer: the category's label and the
    pattern's ``description`` ("Meeting and travel: Asks whether the two of them can meet.").
    ``notes`` is the pattern's technical note, for ``vigil explain --technical`` only.
    """

    id: str
    category: str
    category_name: str
    pattern: str
    weight: float
    stage: str
    lct_stage: str
    tags: tuple[str, ...]
    speaker: str
    explanation: str
    lang: str = "en"
    description: str = ""
    notes: str = ""

    def scan_pattern(self) -> ScanPattern:
        return ScanPattern(self.id, self.category, self.pattern, self.tags, self.speaker)


def rules_from_taxonomy(taxonomy: Any) -> list[Rule]:
    """Flatten a loaded taxonomy (``vigil.analysis.taxonomy_load``) into rules."""
    out: list[Rule] = []
    for cat in taxonomy.categories:
        stage = dict(cat.stage)
        for p in cat.patterns:
            why = (p.description or cat.name).strip()
            out.append(
                Rule(
                    id=p.id,
                    category=cat.id,
                    category_name=cat.name,
                    pattern=p.pattern,
                    weight=float(cat.weight),
                    stage=str(stage.get("oconnell", "")),
                    lct_stage=str(stage.get("lct", "")),
                    tags=tuple(p.tags),
                    speaker=str(p.speaker),
                    explanation=f"{cat.name}: {why}",
                    lang=str(p.lang),
                    description=str(p.description),
                    notes=str(p.notes),
                )
            )
    return out
