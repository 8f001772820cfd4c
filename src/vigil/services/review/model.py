"""Review decisions as values (pure): the states, checking what a reviewer typed, and replaying
the append-only history into what stands now.

A decision is about a whole conversation (``seq`` None) or one message (its sequence number).
Kinds: ``state`` (unreviewed, reviewed, not relevant, escalate), ``note`` (free text, never
edited: a correction is a new note), ``tag`` / ``untag`` and ``bookmark`` / ``unbookmark``.
The current state is the latest ``state`` decision; a conversation with none is unreviewed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from vigil.errors import UserError

STATES: tuple[str, ...] = ("unreviewed", "reviewed", "not_relevant", "escalate")
"""Review states; ``unreviewed`` until someone decides (and to undo a decision)."""
STATE_LABELS: dict[str, str] = {
    "unreviewed": "unreviewed",
    "reviewed": "reviewed",
    "not_relevant": "not relevant",
    "escalate": "escalate",
}
KINDS: tuple[str, ...] = ("state", "note", "tag", "untag", "bookmark", "unbookmark")
NOTE_MAX = 4000
TAG_MAX = 40
_TAG = re.compile(r"^[\w][\w .'/-]*$")


def check_state(raw: str) -> str:
    """A state as stored (``not relevant`` and ``not-relevant`` are ``not_relevant``)."""
    s = "_".join(raw.strip().lower().replace("-", " ").split())
    if s not in STATES:
        raise UserError(
            f"unknown review state {raw!r}",
            hint="states: " + ", ".join(STATE_LABELS[x] for x in STATES),
        )
    return s


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_SEQ = 2_000_000_000


def check_note(raw: str) -> str:
    text = _CONTROL.sub("", raw).strip()
    if not text:
        raise UserError("the note is empty")
    if len(text) > NOTE_MAX:
        raise UserError(f"a note holds at most {NOTE_MAX} characters", hint="split it in two")
    return text


def check_tag(raw: str) -> str:
    """A tag: a short label (letters, digits, spaces, ``. ' / -``), kept in lower case."""
    tag = " ".join(raw.strip().lower().split())
    if not tag or len(tag) > TAG_MAX or not _TAG.match(tag):
        raise UserError(
            f"bad tag {raw!r}",
            hint=f"a short label of at most {TAG_MAX} letters, digits, spaces or dashes",
        )
    return tag


def note_digest(text: str) -> str:
    """The note's SHA-256: the custody log keeps it (not the words), so a note is checkable."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    """What one reviewer decides at once about a conversation or one of its messages."""

    seq: int | None = None
    state: str | None = None
    note: str | None = None
    tags_add: tuple[str, ...] = ()
    tags_remove: tuple[str, ...] = ()
    bookmark: bool | None = None

    def checked(self) -> Change:
        """The change with every part checked and normalised (UserError on the first bad part)."""
        if self.seq is not None and not 1 <= self.seq <= MAX_SEQ:
            raise UserError(f"no message {self.seq}", hint="messages are numbered from 1")
        c = Change(
            self.seq,
            check_state(self.state) if self.state else None,
            check_note(self.note) if self.note and self.note.strip() else None,
            tuple(dict.fromkeys(check_tag(t) for t in self.tags_add if t.strip())),
            tuple(dict.fromkeys(check_tag(t) for t in self.tags_remove if t.strip())),
            self.bookmark,
        )
        if (c.state, c.note, c.bookmark) == (None, None, None) and not (
            c.tags_add or c.tags_remove
        ):
            raise UserError("nothing to record", hint="give a state, a note, a tag or a bookmark")
        return c


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision as the history shows it."""

    id: int
    seq: int | None
    kind: str
    value: str
    by: str
    at: datetime

    @property
    def words(self) -> str:
        """The decision in words ("marked escalate", "tagged meeting", "noted")."""
        if self.kind == "state":
            return f"marked {STATE_LABELS.get(self.value, self.value)}"
        return {
            "note": "noted",
            "tag": f"tagged “{self.value}”",
            "untag": f"took off the tag “{self.value}”",
            "bookmark": "bookmarked",
            "unbookmark": "removed the bookmark",
        }.get(self.kind, self.kind)


@dataclass(slots=True)
class Marks:
    """What stands now for a conversation or a message: state (with who and when), tags,
    bookmark and notes (oldest first)."""

    state: str = "unreviewed"
    state_by: str | None = None
    state_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    bookmarked: bool = False
    notes: list[Decision] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def touched(self) -> bool:
        return bool(self.state_by or self.tags or self.bookmarked or self.notes)


def replay(decisions: Iterable[Decision]) -> dict[int | None, Marks]:
    """The marks standing after ``decisions`` (in the order made), by message (None: the
    conversation)."""
    out: dict[int | None, Marks] = {}
    for d in sorted(decisions, key=lambda d: d.id):
        m = out.setdefault(d.seq, Marks())
        if d.kind == "state":
            m.state, m.state_by, m.state_at = d.value, d.by, d.at
        elif d.kind == "note":
            m.notes.append(d)
        elif d.kind == "tag" and d.value not in m.tags:
            m.tags.append(d.value)
        elif d.kind == "untag" and d.value in m.tags:
            m.tags.remove(d.value)
        elif d.kind in ("bookmark", "unbookmark"):
            m.bookmarked = d.kind == "bookmark"
    return out
