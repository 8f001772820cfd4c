"""Tying the evidence rows to the custody log: what each register, reacquire and ingest entry
says it created, compared with what the database holds now.

The custody chain proves its own entries were not changed; this check proves the rows they
describe were not changed either. Each ``register``/``derive`` entry of an exhibit holds the
exhibit's reference, blob hashes, size, name and type; each of those and every ``reacquire``
entry names the acquisition row it added; each ingest's ``derive`` entry of conversations holds,
per conversation, the message count and Merkle root, and digests of its participants and
attachments (:mod:`vigil.evidence.digests`). A discrepancy is named by kind, e.g.
``EXHIBIT REPOINTED`` (the exhibit now points at other bytes, however well those hash),
``MESSAGE EDITED`` or ``ROW DELETED``. Rows written before the entries carried these digests
are counted as not tied, never passed silently.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.db.tables.evidence import Acquisition, Blob, Exhibit
from vigil.evidence.custody import utc_iso
from vigil.evidence.digests import MESSAGE_FIELDS, messages_root, rows_digest
from vigil.services.ingest.store import attachment_rows, participant_rows

KINDS: tuple[str, ...] = (
    "EXHIBIT REPOINTED",
    "EXHIBIT EDITED",
    "BLOB EDITED",
    "ACQUISITION EDITED",
    "ROW DELETED",
    "ROW INSERTED",
    "MESSAGE EDITED",
    "MESSAGE DELETED",
    "MESSAGE INSERTED",
    "PARTICIPANT EDITED",
    "ATTACHMENT EDITED",
    "CONVERSATION EDITED",
)
"""Every kind of discrepancy this check names (docs/evidence.md lists what each means)."""


@dataclass(frozen=True, slots=True)
class Discrepancy:
    kind: str
    """One of :data:`KINDS`."""
    seq: int | None
    """The custody entry that recorded the row as it should be (None: no entry records it)."""
    message: str


@dataclass(slots=True)
class RecordsReport:
    discrepancies: list[Discrepancy] = field(default_factory=list)
    exhibits: int = 0
    acquisitions: int = 0
    conversations: int = 0
    messages: int = 0
    untied: list[str] = field(default_factory=list)
    """Rows no entry carries digests for (written by an older version)."""

    def add(self, kind: str, seq: int | None, message: str) -> None:
        assert kind in KINDS
        self.discrepancies.append(Discrepancy(kind, seq, message))


_ACQ_FIELDS: tuple[tuple[str, str], ...] = (
    ("original_name", "original_name"),
    ("source", "source"),
    ("acquired_by", "acquired_by"),
    ("acquired_at", "acquired_at"),
    ("acquired_at_text", "acquired_at_text"),
    ("tz_assumed", "tz_assumed"),
)
"""(field in the entry's details, column of the acquisition row) compared for each entry."""


def _value(v: Any) -> Any:
    return utc_iso(v) if isinstance(v, datetime) else v


def check_records(session: Session, entries: Sequence[Mapping[str, Any]]) -> RecordsReport:
    """Compare exhibits, blobs, acquisitions and ingested conversations with the entries that
    recorded them (``entries``: the custody log as :func:`vigil.evidence.custody.all_entries`
    gives it)."""
    rep = RecordsReport()
    exhibits = {
        (case_ref, ex.ref): ex
        for ex, case_ref in session.execute(
            select(Exhibit, Case.ref).join(Case, Case.id == Exhibit.case_id)
        )
    }
    by_id = {ex.id: key for key, ex in exhibits.items()}
    blobs = {b.sha256: b for b in session.execute(select(Blob)).scalars()}
    acqs = {a.id: a for a in session.execute(select(Acquisition)).scalars()}
    _check_exhibits(rep, entries, exhibits, by_id, blobs, acqs)
    _check_conversations(session, rep, entries, exhibits)
    return rep


def _details(e: Mapping[str, Any]) -> dict[str, Any]:
    d = e.get("details") or {}
    return d if isinstance(d, dict) else json.loads(d)


def _check_exhibits(
    rep: RecordsReport,
    entries: Sequence[Mapping[str, Any]],
    exhibits: Mapping[tuple[str, str], Exhibit],
    by_id: Mapping[int, tuple[str, str]],
    blobs: Mapping[str, Blob],
    acqs: Mapping[int, Acquisition],
) -> None:
    registered: set[tuple[str, str]] = set()
    tied_acqs: set[int] = set()
    untied_acq_entries: dict[int, int] = defaultdict(int)  # exhibit id -> entries without ids
    for e in entries:
        if e["object_type"] != "exhibit" or e["action"] not in ("register", "derive", "reacquire"):
            continue
        seq, d = int(e["seq"]), _details(e)
        key = (str(e["case_ref"]), str(e["object_id"]))
        name = f"exhibit {key[1]} of case {key[0]}"
        ex = exhibits.get(key)
        if e["action"] != "reacquire":
            registered.add(key)
            rep.exhibits += 1
            if ex is None:
                rep.add("ROW DELETED", seq, f"{name}, registered in entry {seq}, is not in the "
                        "database: its row was deleted")  # fmt: skip
                continue
            _compare_exhibit(rep, seq, name, ex, d, by_id, blobs)
        if ex is None:
            continue
        acq_id = d.get("acquisition_id")
        if acq_id is None:
            untied_acq_entries[ex.id] += 1
            continue
        rep.acquisitions += 1
        tied_acqs.add(int(acq_id))
        acq = acqs.get(int(acq_id))
        if acq is None or acq.exhibit_id != ex.id:
            rep.add("ROW DELETED", seq, f"acquisition {acq_id} of {name}, recorded in entry "
                    f"{seq}, is not in the database: its row was deleted or moved")  # fmt: skip
            continue
        changed = [
            col
            for key_d, col in _ACQ_FIELDS
            if key_d in d and _value(getattr(acq, col)) != d[key_d]
        ]
        if changed:
            rep.add("ACQUISITION EDITED", seq, f"acquisition {acq_id} of {name} differs from "
                    f"entry {seq} in {', '.join(changed)}")  # fmt: skip
    for key in sorted(exhibits):
        if key not in registered:
            rep.add("ROW INSERTED", None, f"exhibit {key[1]} of case {key[0]} has no "
                    "register entry in the custody log: it was added outside Vigil")  # fmt: skip
    per_exhibit: dict[int, list[int]] = defaultdict(list)
    for a in acqs.values():
        if a.id not in tied_acqs:
            per_exhibit[a.exhibit_id].append(a.id)
    for ex_id, ids in sorted(per_exhibit.items()):
        extra = len(ids) - untied_acq_entries.get(ex_id, 0)
        owner = by_id.get(ex_id)
        if extra > 0:
            where = f"exhibit {owner[1]} of case {owner[0]}" if owner else f"exhibit id {ex_id}"
            rep.add("ROW INSERTED", None, f"{extra} acquisition row(s) of {where} have no "
                    "custody entry: added outside Vigil")  # fmt: skip
    untied = sum(untied_acq_entries.values())
    if untied:
        rep.untied.append(f"{untied} acquisition(s) recorded before entries named their rows")


def _compare_exhibit(
    rep: RecordsReport,
    seq: int,
    name: str,
    ex: Exhibit,
    d: Mapping[str, Any],
    by_id: Mapping[int, tuple[str, str]],
    blobs: Mapping[str, Blob],
) -> None:
    if "sha256" in d and ex.blob_sha256 != d["sha256"]:
        rep.add("EXHIBIT REPOINTED", seq, f"{name} now points at stored bytes {ex.blob_sha256}; "
                f"entry {seq} registered it with {d['sha256']}")  # fmt: skip
    edited = [
        col
        for col, got in (
            ("size", ex.size),
            ("original_name", ex.original_name),
            ("mime_type", ex.mime_type),
        )
        if col in d and got != d[col]
    ]
    pid = ex.parent_exhibit_id
    parent = by_id[pid][1] if pid is not None and pid in by_id else None
    if d.get("derived_from") != parent:
        edited.append("derived_from")
    if "derived_from" in d and ex.derived_path != d.get("derived_path"):
        edited.append("derived_path")
    if edited:
        rep.add("EXHIBIT EDITED", seq, f"{name} differs from entry {seq} in {', '.join(edited)}")
    blob = blobs.get(ex.blob_sha256)
    if blob is None:
        rep.add("ROW DELETED", seq, f"the stored-bytes record {ex.blob_sha256} of {name} is not "
                "in the database")  # fmt: skip
    elif ex.blob_sha256 == d.get("sha256"):
        diff = [k for k in ("sha1", "md5", "size") if k in d and getattr(blob, k) != d[k]]
        if diff:
            rep.add("BLOB EDITED", seq, f"the stored-bytes record of {name} differs from entry "
                    f"{seq} in {', '.join(diff)}")  # fmt: skip


def _check_conversations(
    session: Session,
    rep: RecordsReport,
    entries: Sequence[Mapping[str, Any]],
    exhibits: Mapping[tuple[str, str], Exhibit],
) -> None:
    recorded: dict[int, tuple[int, str, dict[str, Any]]] = {}
    tied_exhibits: set[int] = set()
    untied = 0
    for e in entries:
        if e["object_type"] != "conversations" or e["action"] != "derive":
            continue
        d = _details(e)
        key = (str(e["case_ref"]), str(e["object_id"]))
        if "digests" not in d:
            untied += 1
            continue
        ex = exhibits.get(key)
        if ex is not None:
            tied_exhibits.add(ex.id)
        for c in d["digests"]:
            recorded[int(c["conversation_id"])] = (int(e["seq"]), f"exhibit {key[1]} of case "
                                                   f"{key[0]}", c)  # fmt: skip
    if untied:
        rep.untied.append(f"{untied} ingest(s) recorded before entries held message digests")
    rows = {
        c.id: c
        for c in session.execute(
            select(ConversationRow).where(ConversationRow.exhibit_id.in_(tied_exhibits))
        ).scalars()
    }
    for conv_id, (seq, where, c) in sorted(recorded.items()):
        rep.conversations += 1
        name = f"conversation {conv_id} ({where})"
        row = session.get(ConversationRow, conv_id) if conv_id not in rows else rows[conv_id]
        if row is None:
            rep.add("ROW DELETED", seq, f"{name}, recorded by entry {seq}, is not in the "
                    "database: it was deleted with its messages")  # fmt: skip
            continue
        n, root = messages_root(_messages(session, conv_id))
        rep.messages += n
        want = int(c["messages"])
        if n < want:
            rep.add("MESSAGE DELETED", seq, f"{name} holds {n:,} messages; entry {seq} recorded "
                    f"{want:,}: messages were deleted")  # fmt: skip
        elif n > want:
            rep.add("MESSAGE INSERTED", seq, f"{name} holds {n:,} messages; entry {seq} "
                    f"recorded {want:,}: messages were added")  # fmt: skip
        elif root != c["messages_root"]:
            rep.add("MESSAGE EDITED", seq, f"{name}: its {n:,} messages no longer match the "
                    f"Merkle root entry {seq} recorded: a message was edited or "
                    "reordered")  # fmt: skip
        if row.message_count != want:
            rep.add("CONVERSATION EDITED", seq, f"{name} now says it has {row.message_count:,} "
                    f"messages; entry {seq} recorded {want:,}")  # fmt: skip
        if rows_digest(session.execute(participant_rows(conv_id))) != c["participants"]:
            rep.add("PARTICIPANT EDITED", seq, f"{name}: its participants (ids, accounts or "
                    f"names) differ from entry {seq}")  # fmt: skip
        if rows_digest(session.execute(attachment_rows(conv_id))) != c["attachments"]:
            rep.add("ATTACHMENT EDITED", seq, f"{name}: its attachments (names, status or the "
                    f"exhibits they point at) differ from entry {seq}")  # fmt: skip
    for conv_id in sorted(set(rows) - set(recorded)):
        rep.add("ROW INSERTED", None, f"conversation {conv_id} of an ingested exhibit is not "
                "recorded by its ingest entry: it was added outside Vigil")  # fmt: skip


def _messages(session: Session, conv_id: int) -> Iterator[Sequence[Any]]:
    cols = [getattr(MessageRow, f) for f in MESSAGE_FIELDS]
    stmt = (
        select(*cols)
        .where(MessageRow.conversation_id == conv_id)
        .order_by(MessageRow.seq)
        .execution_options(yield_per=10_000)
    )
    yield from session.execute(stmt)
