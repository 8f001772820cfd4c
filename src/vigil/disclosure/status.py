"""Disclosure statuses and the schedule each one puts an item on.

======================== ============== =========================================
status (key)             label          schedule
======================== ============== =========================================
``used``                 used           none (served as evidence)
``unused``               unused         MG6C (unused, non-sensitive)
                         non-sensitive
``sensitive``            unused         MG6D (unused, sensitive)
                         sensitive
``not_relevant``         not relevant   none (recorded, not scheduled)
======================== ============== =========================================

An item with no status yet is *unscheduled*: it is waiting for the disclosure officer.
MG6E (the disclosure officer's report) lists the items flagged as ones that might undermine
the prosecution case or assist the defence, whatever schedule they are on.
"""

from __future__ import annotations

import re

from vigil.errors import UserError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

STATUSES: tuple[str, ...] = ("used", "unused", "sensitive", "not_relevant")
LABELS: dict[str, str] = {
    "used": "used",
    "unused": "unused non-sensitive",
    "sensitive": "unused sensitive",
    "not_relevant": "not relevant",
}
SCHEDULE_OF: dict[str, str | None] = {
    "used": None,
    "unused": "mg6c",
    "sensitive": "mg6d",
    "not_relevant": None,
}
KINDS: tuple[str, ...] = ("mg6c", "mg6d", "mg6e")
KIND_TITLES: dict[str, str] = {
    "mg6c": "MG6C Schedule of relevant non-sensitive unused material",
    "mg6d": "MG6D Schedule of relevant sensitive unused material",
    "mg6e": "MG6E Disclosure officer's report",
}
DESCRIPTION_MAX = 2000
"""Characters in one schedule description (a longer one is refused, never cut)."""

_ALIASES = {
    "non-sensitive": "unused",
    "unused-non-sensitive": "unused",
    "unused-sensitive": "sensitive",
    "not-relevant": "not_relevant",
    "notrelevant": "not_relevant",
}


def check_status(text: str) -> str:
    """The status key for what a person typed (``not-relevant``, ``Unused sensitive`` …)."""
    t = "-".join(text.strip().lower().replace("_", " ").split())
    key = _ALIASES.get(t, t.replace("-", "_"))
    if key not in STATUSES:
        raise UserError(
            f"unknown disclosure status {text!r}",
            hint="used, unused (non-sensitive), sensitive (unused sensitive) or not-relevant",
        )
    return key


def check_kind(text: str) -> str:
    """The schedule kind for ``mg6c``, ``MG6D`` …"""
    k = text.strip().lower()
    if k not in KINDS:
        raise UserError(f"unknown schedule {text!r}", hint="mg6c, mg6d or mg6e")
    return k


def check_description(text: str) -> str:
    """A description fit for a schedule: one line of plain words, not empty, not too long."""
    t = printable(text)
    if not t:
        raise UserError(
            "a schedule description is needed",
            hint="describe the item so the prosecutor can judge it without seeing it",
        )
    if len(t) > DESCRIPTION_MAX:
        raise UserError(f"the description is {len(t)} characters; at most {DESCRIPTION_MAX}")
    return t


def on_schedule(kind: str, status: str, undermines: bool) -> bool:
    """Whether an item with ``status`` (and the flag) is a row of schedule ``kind``."""
    if kind == "mg6e":
        return undermines and status != "not_relevant"
    return SCHEDULE_OF.get(status) == kind


def printable(text: str | None) -> str:
    """One printable line: control characters (which no schedule format can hold) become
    spaces, runs of white space one space."""
    return " ".join(_CONTROL.sub(" ", text or "").split())
