"""What changed since a served revision, and so whether a revised schedule is needed.

A schedule kind needs a revised schedule once it has been served and, since then, its rows
differ (an item joined or left it, or a row's description or status changed) or an item has
appeared that the disclosure officer has not decided on yet (it might belong on it). Items
that were not relevant and stay so change no schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vigil.disclosure.schedule import ScheduleRow


@dataclass(frozen=True, slots=True)
class Changes:
    """Item keys that joined, left or changed on a schedule, and new undecided items."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    new_items: list[str] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.new_items)

    def summary(self) -> str:
        """The reasons in a line, e.g. ``2 added, 1 changed, 3 new items not yet decided``."""
        parts = [
            f"{len(self.added)} added" if self.added else "",
            f"{len(self.removed)} removed" if self.removed else "",
            f"{len(self.changed)} changed" if self.changed else "",
            f"{len(self.new_items)} new items not yet decided" if self.new_items else "",
        ]
        text = ", ".join(p for p in parts if p)
        return text or "no change"


def _by_item(rows: Iterable[ScheduleRow]) -> dict[str, tuple[str, str, str]]:
    return {r.item: (r.description, r.status, r.location) for r in rows}


def compare(
    served: Sequence[ScheduleRow],
    served_keys: Iterable[str],
    current: Sequence[ScheduleRow],
    undecided: Iterable[str],
) -> Changes:
    """The changes from a served revision (its rows and the item keys known then) to now
    (the rows the schedule would have now and the keys of undecided items)."""
    old, new = _by_item(served), _by_item(current)
    known = set(served_keys)
    return Changes(
        added=sorted(k for k in new if k not in old),
        removed=sorted(k for k in old if k not in new),
        changed=sorted(k for k in new if k in old and new[k] != old[k]),
        new_items=sorted(k for k in undecided if k not in known),
    )
