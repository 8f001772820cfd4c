"""A ranked conversation as triage lists it: one type for ``vigil triage``, the API and the
dashboard (which drops the quotes). Kept apart from :mod:`vigil.services.triage.run` so that
pages can show stored rows without loading the analysis engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class TopFinding:
    seq: int
    sent_at: datetime | None
    sender: str | None
    category: str
    quote: str
    reason: str
    added: float = 0.0
    """What this finding added to the indicator log-odds (fitted weights)."""


@dataclass(slots=True)
class TriageRow:
    conversation_id: int
    case_ref: str
    platform: str
    title: str | None
    messages: int
    risk: float
    urgency: int
    flags: list[dict[str, Any]]
    top: list[TopFinding] = field(default_factory=list)
    flagged: bool = False
    """At or above the calibrated operating point (or urgent)."""
    note: str | None = None
    """E.g. "not checked: language de" when the language has no patterns."""
    categories: list[str] = field(default_factory=list)
    """The categories of the top findings (all a list without quotes shows)."""
    last_at: datetime | None = None
    """The time of the conversation's last message."""
    review: str = "unreviewed"
    """The current review state (vigil.services.review: a trained person's decision)."""
