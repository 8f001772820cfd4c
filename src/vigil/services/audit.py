"""The one gate to the custody/audit log: every act on the record is written by :func:`record`.

Outside :mod:`vigil.evidence.custody` (which chains and stores the entries) nothing else
appends to the log; a test checks the source tree for it. The CLI and the web call the same
service functions, so the same act writes the same entry through either; the entry's
``details["via"]`` says how a signed-in person came in (``s`` a browser session, ``t`` an API
token), and is absent for the local user of the command line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied
from vigil.evidence import custody

if TYPE_CHECKING:  # (the workspace writes through this gate: access and workspace load later)
    from vigil.services.access import Principal
    from vigil.services.workspace import Workspace


class SignedIn(Protocol):
    """A signed-in person (:class:`vigil.services.access.Principal`)."""

    @property
    def username(self) -> str: ...

    @property
    def session_key(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Subject:
    """What an entry is about: its kind, its reference, and the case it belongs to."""

    type: str
    id: str
    case_ref: str | None = None


def record(
    session: Session,
    actor: str | SignedIn,
    action: str,
    subject: Subject,
    *,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    now: datetime,
) -> CustodyEntry:
    """Append one entry inside the caller's transaction and return it.

    ``actor``: the local user's name (the command line) or the signed-in person (the web).
    Dates in ``details`` are written as ISO text.
    """
    e = _pending(actor, action, subject, purpose, details)
    return custody.append(
        session,
        actor=e.actor,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        case_ref=e.case_ref,
        purpose=e.purpose,
        details=e.details,
        now=now,
    )


def record_many(
    session: Session,
    actor: str | SignedIn,
    changes: Iterable[tuple[str, Subject, Mapping[str, Any] | None]],
    *,
    purpose: str | None = None,
    now: datetime,
) -> int:
    """:func:`record` for each ``(action, subject, details)`` in turn, one entry each, appended
    together (:func:`vigil.evidence.custody.append_many`). Returns how many."""
    return custody.append_many(
        session, [_pending(actor, a, s, purpose, d) for a, s, d in changes], now
    )


def _pending(
    actor: str | SignedIn,
    action: str,
    subject: Subject,
    purpose: str | None,
    details: Mapping[str, Any] | None,
) -> custody.Pending:
    extra = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in (details or {}).items()}
    if not isinstance(actor, str):
        extra = {"via": actor.session_key.split(":", 1)[0], **extra}
        actor = actor.username
    return custody.Pending(
        actor, action, subject.type, subject.id, subject.case_ref, purpose, extra
    )


# --- Searching the log, for the people whose role allows it -----------------------------------

MAX_LIMIT = 500


@dataclass(slots=True)
class AuditEntry:
    seq: int
    recorded_at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    case_ref: str | None
    purpose: str | None
    details: dict[str, Any]
    entry_hash: str


@dataclass(slots=True)
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None


def search_audit(
    ws: Workspace,
    user: Principal,
    *,
    case_ref: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    text: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> AuditPage:
    """Newest entries first, ``limit`` at a time; ``before`` is the seq to continue from."""
    from vigil.services import access

    limit = max(1, min(limit, MAX_LIMIT))
    with ws.sessions() as s:
        if not user.may("audit"):
            if case_ref is None:
                raise AccessDenied(
                    f"the {user.role_label} role may not search the whole audit log",
                    hint="choose a case you are a member of",
                )
            access.require_case(s, user, case_ref, "audit")
        stmt = select(CustodyEntry).order_by(CustodyEntry.seq.desc()).limit(limit + 1)
        if case_ref:
            stmt = stmt.where(CustodyEntry.case_ref == case_ref)
        if actor:
            stmt = stmt.where(CustodyEntry.actor == actor)
        if action:
            stmt = stmt.where(CustodyEntry.action == action)
        if object_id:
            stmt = stmt.where(CustodyEntry.object_id == object_id)
        if text:
            like = f"%{text}%"
            stmt = stmt.where(CustodyEntry.purpose.ilike(like) | CustodyEntry.details.ilike(like))
        if before is not None:
            stmt = stmt.where(CustodyEntry.seq < before)
        rows = list(s.execute(stmt).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        [
            AuditEntry(
                r.seq,
                r.recorded_at,
                r.actor,
                r.action,
                r.object_type,
                r.object_id,
                r.case_ref,
                r.purpose,
                json.loads(r.details),
                r.entry_hash,
            )
            for r in rows
        ],
        rows[-1].seq if more and rows else None,
    )
