"""Schedule rows and documents: which items go on a schedule, in what order, in what words.

A schedule is built from :class:`Item` records (the services read them from the database):
the items whose status puts them on it (:func:`vigil.disclosure.status.on_schedule`),
numbered from 1 in the order they were first decided, so that an item keeps its number on a
revised schedule unless one before it leaves. Each row has the item's number, its key, the
description (:func:`row_description`, the one place a row's words come from), where it is
held, its status, and an empty column for the prosecutor's comments. The rows' canonical JSON
is hashed (:func:`content_sha256`), so a revision's content can be checked in any format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigil.disclosure.status import KIND_TITLES, LABELS, on_schedule


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a case as the disclosure officer sees it.

    ``key``: ``kind:reference`` (:mod:`vigil.disclosure.items`); ``summary``: what Vigil knows
    of it (a suggestion, never the schedule's words); ``location``: where it is held;
    ``status`` None while unscheduled; ``order``: when it was first decided (row numbering)."""

    key: str
    kind: str
    summary: str
    location: str
    status: str | None = None
    description: str = ""
    undermines: bool = False
    order: int = 0
    set_by: str | None = None
    set_at: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One row of a schedule."""

    number: int
    item: str
    description: str
    location: str
    status: str
    cps_comment: str = ""


COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "Item no."),
    ("item", "Reference"),
    ("description", "Description"),
    ("location", "Location"),
    ("status", "Status"),
    ("cps_comment", "CPS comment"),
)
"""(field, heading) of each column, in order, for every writer."""


@dataclass(frozen=True, slots=True)
class ScheduleDoc:
    """A finished schedule revision, ready for a writer."""

    case_ref: str
    case_title: str
    kind: str
    revision: int
    generated_at: str
    generated_by: str
    rows: Sequence[ScheduleRow]
    certification: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    @property
    def heading(self) -> str:
        """The page header: case, schedule and revision."""
        return f"{self.case_ref} · {self.title} · revision {self.revision}"


def row_description(item: Item) -> str:
    """The words of an item's row: the disclosure officer's description.

    Every writer and the web take a row's description from here (a later redaction step
    can be applied in this one place)."""
    return item.description


def rows_for(kind: str, items: Iterable[Item]) -> list[ScheduleRow]:
    """The rows of schedule ``kind``: the items on it, numbered in decision order."""
    chosen = sorted(
        (i for i in items if i.status is not None and on_schedule(kind, i.status, i.undermines)),
        key=lambda i: (i.order, i.key),
    )
    return [
        ScheduleRow(n, i.key, row_description(i), i.location, LABELS[i.status or ""])
        for n, i in enumerate(chosen, 1)
    ]


def row_dicts(rows: Sequence[ScheduleRow]) -> list[dict[str, Any]]:
    """The rows as plain data (as a revision's JSON holds them)."""
    return [
        {"number": r.number, "item": r.item, "description": r.description,
         "location": r.location, "status": r.status, "cps_comment": r.cps_comment}
        for r in rows
    ]  # fmt: skip


def stored_rows(text: str) -> list[dict[str, Any]]:
    """A revision's rows as plain data, to compare with :func:`row_dicts` of rows now."""
    rows = json.loads(text)["rows"]
    assert isinstance(rows, list)
    return rows


def rows_json(rows: Sequence[ScheduleRow], certification: str | None = None) -> str:
    """Canonical JSON of the rows (and the MG6E certification): what a revision stores."""
    doc: dict[str, Any] = {"rows": row_dicts(rows)}
    if certification is not None:
        doc["certification"] = certification
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def rows_from_json(text: str) -> tuple[list[ScheduleRow], str | None]:
    """The rows (and certification) a revision stored."""
    doc = json.loads(text)
    return [ScheduleRow(**r) for r in doc["rows"]], doc.get("certification")


def content_sha256(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
