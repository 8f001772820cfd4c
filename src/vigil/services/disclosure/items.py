"""Every item of a case that can carry a disclosure status, with the status it has.

The items are read from the records the case holds (:mod:`vigil.disclosure.items` for the
keys): exhibits (those a capture stored are the capture's item), conversations, captures,
capture-session notes and review notes. Each comes with a summary (what Vigil knows of it: a
suggestion for the description, never the description) and where it is held. Names, types
and counts only: no message text and no note text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from vigil.db.tables.access import User
from vigil.db.tables.capture import Capture, CaptureNote, CaptureSession
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.disclosure import DisclosureItem
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.review import ReviewDecision
from vigil.disclosure.items import ITEM_KINDS
from vigil.disclosure.schedule import Item
from vigil.disclosure.status import STATUSES, printable

SHOW = ("unscheduled", "all", *STATUSES, "mg6e")
"""What the item lists may show: the unscheduled, all, one status, or the MG6E's flagged."""


def clean(text: str | None) -> str:
    """One printable line (names from the evidence may hold control characters)."""
    return printable(text)


def shown(items: list[Item], show: str) -> list[Item]:
    """The items a list shows (:data:`SHOW`)."""
    if show == "all":
        return items
    if show == "unscheduled":
        return [i for i in items if i.status is None]
    if show == "mg6e":
        return [i for i in items if i.undermines and i.status not in (None, "not_relevant")]
    return [i for i in items if i.status == show]


def _t(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else "unknown time"


def _natural(ref: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ref))


def _exhibits(s: Session, case: Case) -> Iterator[tuple[str, str, str]]:
    captured: set[int] = set()
    for row in s.execute(
        select(Capture.exhibit_id, Capture.mhtml_exhibit_id, Capture.html_exhibit_id)
        .join(CaptureSession, CaptureSession.id == Capture.session_id)
        .where(CaptureSession.case_id == case.id)
    ):
        captured.update(i for i in row if i is not None)
    parent = aliased(Exhibit)
    rows = s.execute(
        select(Exhibit.id, Exhibit.ref, Exhibit.original_name, Exhibit.mime_type, Exhibit.size,
               Exhibit.blob_sha256, parent.ref)
        .outerjoin(parent, parent.id == Exhibit.parent_exhibit_id)
        .where(Exhibit.case_id == case.id)
    )  # fmt: skip
    for ex_id, ref, name, mime, size, sha, parent_ref in rows:
        if ex_id in captured:
            continue
        derived = f", derived from exhibit {parent_ref}" if parent_ref else ""
        yield (
            f"exhibit:{ref}",
            clean(f"{name} ({mime}, {size:,} bytes){derived}"),
            f"exhibit {ref}, SHA-256 {sha[:16]}…",
        )


def _conversations(s: Session, case: Case) -> Iterator[tuple[str, str, str]]:
    rows = s.execute(
        select(ConversationRow.id, ConversationRow.platform, ConversationRow.title,
               ConversationRow.message_count, ConversationRow.first_at, ConversationRow.last_at,
               Exhibit.ref)
        .join(Exhibit, Exhibit.id == ConversationRow.exhibit_id)
        .where(ConversationRow.case_id == case.id)
    )  # fmt: skip
    for cid, platform, title, n, first, last, ref in rows:
        named = f" {title!r}" if title else ""
        yield (
            f"conversation:{cid}",
            clean(f"{platform} conversation{named}, {n:,} messages, {_t(first)} to {_t(last)}"),
            f"conversation {cid} read from exhibit {ref}",
        )


def _captures(s: Session, case: Case) -> Iterator[tuple[str, str, str]]:
    shot = aliased(Exhibit)
    rows = s.execute(
        select(CaptureSession.ref, Capture.seq, Capture.kind, Capture.title, Capture.url,
               Capture.captured_at, shot.ref)
        .join(Capture, Capture.session_id == CaptureSession.id)
        .join(shot, shot.id == Capture.exhibit_id)
        .where(CaptureSession.case_id == case.id)
    )  # fmt: skip
    for cs_ref, seq, kind, title, url, at, ex_ref in rows:
        what = title or url or "untitled"
        yield (
            f"capture:{cs_ref}#{seq}",
            clean(f"{kind} capture {seq} in capture session {cs_ref}: {what}, {_t(at)}"),
            f"capture session {cs_ref}, exhibit {ex_ref}",
        )


def _capture_notes(s: Session, case: Case) -> Iterator[tuple[str, str, str]]:
    rows = s.execute(
        select(CaptureSession.ref, CaptureNote.seq, CaptureNote.noted_at, User.username)
        .join(CaptureNote, CaptureNote.session_id == CaptureSession.id)
        .join(User, User.id == CaptureNote.noted_by_id)
        .where(CaptureSession.case_id == case.id)
    )  # fmt: skip
    for cs_ref, seq, at, who in rows:
        yield (
            f"capture-note:{cs_ref}#{seq}",
            clean(f"contemporaneous note {seq} in capture session {cs_ref} by {who}, {_t(at)}"),
            f"capture session {cs_ref}",
        )


def _review_notes(s: Session, case: Case) -> Iterator[tuple[str, str, str]]:
    rows = s.execute(
        select(ReviewDecision.id, ReviewDecision.conversation_id, ReviewDecision.message_seq,
               ReviewDecision.decided_at, User.username)
        .join(User, User.id == ReviewDecision.decided_by_id)
        .where(ReviewDecision.case_id == case.id, ReviewDecision.kind == "note")
    )  # fmt: skip
    for rid, cid, seq, at, who in rows:
        on = f"message {seq} of conversation {cid}" if seq is not None else f"conversation {cid}"
        yield (
            f"review-note:{rid}",
            clean(f"review note on {on} by {who}, {_t(at)}"),
            f"review of conversation {cid}",
        )


READERS = (_exhibits, _conversations, _captures, _capture_notes, _review_notes)


def case_items(s: Session, case: Case) -> list[Item]:
    """Every item of ``case`` with its current status (None: unscheduled), in kind and
    reference order."""
    decided = {
        row[0]: row[1:]
        for row in s.execute(
            select(DisclosureItem.item_key, DisclosureItem.status, DisclosureItem.description,
                   DisclosureItem.undermines, DisclosureItem.id, User.username,
                   DisclosureItem.set_at)
            .join(User, User.id == DisclosureItem.set_by_id)
            .where(DisclosureItem.case_id == case.id)
        )
    }  # fmt: skip
    out: list[Item] = []
    for read in READERS:
        for key, summary, location in read(s, case):
            kind = key.split(":", 1)[0]
            d = decided.get(key)
            if d is None:
                out.append(Item(key, kind, summary, location))
            else:
                status, desc, flag, order, who, at = d
                out.append(Item(key, kind, summary, location, status, desc, bool(flag), order,
                                who, _t(at)))  # fmt: skip
    rank = {k: i for i, k in enumerate(ITEM_KINDS)}
    out.sort(key=lambda i: (rank[i.kind], _natural(i.key)))
    return out
