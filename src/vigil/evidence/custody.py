"""Appending to and reading the custody/audit log in the database, and the head anchor file.

Appends are serialised by updating the single ``custody_head`` row first: that takes the
write lock on SQLite and a row lock on PostgreSQL before the previous hash is read.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.evidence import CustodyEntry, CustodyHead
from vigil.evidence.chain import HASHED_FIELDS, entry_hash

ACTIONS: frozenset[str] = frozenset(
    {
        "register",
        "reacquire",
        "derive",
        "view",
        "export",
        "verify",
        "annotate",
        "ingest",
        "create",
        "update",
        "admin",
    }
)


APPENDED = "vigil.custody.appended"
"""Key in ``Session.info`` set once the session appended an entry (its transaction then
ends with a signed checkpoint: :meth:`vigil.services.workspace.Workspace.transaction`)."""


def utc_iso(ts: datetime) -> str:
    """The exact text form of a time in the log: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lock(session: Session) -> None:
    """Take the workspace's write lock (the custody head row) inside the caller's transaction."""
    # seq = seq changes nothing, so the session's objects need no synchronising (the default
    # would look through every object the session holds: quadratic over a long transaction)
    session.execute(
        update(CustodyHead)
        .where(CustodyHead.id == 1)
        .values(seq=CustodyHead.seq)
        .execution_options(synchronize_session=False)
    )


_COLUMNS = (*HASHED_FIELDS, "entry_hash")


@dataclass(frozen=True, slots=True)
class Pending:
    """One entry to append (:func:`append_many`)."""

    actor: str
    action: str
    object_type: str
    object_id: str
    case_ref: str | None = None
    purpose: str | None = None
    details: Mapping[str, Any] | None = None


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    case_ref: str | None = None,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    now: datetime,
) -> CustodyEntry:
    """Append one entry inside the caller's transaction and return it."""
    pending = Pending(actor, action, object_type, object_id, case_ref, purpose, details)
    (row,) = _chain(session, [pending], now)
    session.add(row)
    session.flush()
    return row


def append_many(session: Session, entries: Sequence[Pending], now: datetime) -> int:
    """Append ``entries`` in order inside the caller's transaction, as :func:`append` would
    one by one (the same chain, one entry each), with one lock and one insert. Returns how
    many were appended."""
    if not entries:
        return 0
    rows = _chain(session, entries, now)
    session.execute(insert(CustodyEntry), [{k: getattr(r, k) for k in _COLUMNS} for r in rows])
    session.flush()
    return len(rows)


def _chain(session: Session, entries: Sequence[Pending], now: datetime) -> list[CustodyEntry]:
    """The rows of ``entries``, chained after the head, which is moved past them (the lock is
    taken first)."""
    for e in entries:
        if e.action not in ACTIONS:
            raise ValueError(f"unknown custody action {e.action!r}")
    lock(session)
    head = session.execute(select(CustodyHead).where(CustodyHead.id == 1)).scalar_one()
    top = session.execute(select(func.max(CustodyEntry.seq))).scalar_one() or 0
    seq = max(head.seq, top)  # never collide, even with a tampered log
    prev = head.entry_hash
    at = utc_iso(now)
    version = tool_version()
    rows: list[CustodyEntry] = []
    for e in entries:
        seq += 1
        body: dict[str, Any] = {
            "seq": seq,
            "recorded_at": at,
            "actor": e.actor,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "case_ref": e.case_ref,
            "purpose": e.purpose,
            "tool_version": version,
            "details": dict(e.details or {}),
            "prev_hash": prev,
        }
        prev = entry_hash(body)
        rows.append(
            CustodyEntry(
                seq=seq,
                recorded_at=at,
                actor=e.actor,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                case_ref=e.case_ref,
                purpose=e.purpose,
                tool_version=version,
                details=json.dumps(body["details"], sort_keys=True, ensure_ascii=False),
                prev_hash=body["prev_hash"],
                entry_hash=prev,
            )
        )
    head.seq, head.entry_hash = seq, prev
    session.info[APPENDED] = True
    return rows


def as_dict(row: CustodyEntry) -> dict[str, Any]:
    """An entry as the plain mapping that is hashed, plus its stored hash."""
    return {
        "seq": row.seq,
        "recorded_at": row.recorded_at,
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "case_ref": row.case_ref,
        "purpose": row.purpose,
        "tool_version": row.tool_version,
        "details": json.loads(row.details),
        "prev_hash": row.prev_hash,
        "entry_hash": row.entry_hash,
    }


def all_entries(session: Session, case_ref: str | None = None) -> list[dict[str, Any]]:
    stmt = select(CustodyEntry).order_by(CustodyEntry.seq)
    if case_ref is not None:
        stmt = stmt.where(CustodyEntry.case_ref == case_ref)
    return [as_dict(r) for r in session.execute(stmt).scalars()]


def head(session: Session) -> tuple[int, str]:
    h = session.execute(select(CustodyHead).where(CustodyHead.id == 1)).scalar_one()
    return h.seq, h.entry_hash


def read_anchor(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_anchor(path: Path, seq: int, digest: str) -> None:
    """Atomically record the newest committed entry outside the database.

    Only moves forward: a slower writer never overwrites a newer anchor.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_anchor(path)
        if current is not None and int(current.get("seq", 0)) >= seq:
            return
        fd, tmp = tempfile.mkstemp(prefix=".anchor-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"seq": seq, "entry_hash": digest}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
