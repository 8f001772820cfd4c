"""Searching the custody/audit log (who looked at or changed what, when, and why).

Administrators and auditors may search the whole log; a supervisor (or other role with the
``audit`` right) may search the log of a case they are a member of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied
from vigil.services.access import Principal, require_case
from vigil.services.workspace import Workspace

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
    limit = max(1, min(limit, MAX_LIMIT))
    with ws.sessions() as s:
        if not user.may("audit"):
            if case_ref is None:
                raise AccessDenied(
                    f"the {user.role_label} role may not search the whole audit log",
                    hint="choose a case you are a member of",
                )
            require_case(s, user, case_ref, "audit")
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
