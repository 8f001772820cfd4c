"""Children (pseudonymous references only) and dated safeguarding actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term
from vigil.db.tables.cases import Case, Child, SafeguardingAction, Suspect
from vigil.errors import NotFound, UserError
from vigil.services.cases import get_case
from vigil.services.casework.common import check_ref, record_change, unique_or_error
from vigil.services.casework.suspects import get_suspect
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ActionInfo:
    kind: str
    action_on: date
    detail: str | None
    recorded_by: str


@dataclass(frozen=True, slots=True)
class ChildInfo:
    ref: str
    case_ref: str
    age_at_time: int | None
    suspect: str | None
    actions: list[ActionInfo] = field(default_factory=list)

    @property
    def safeguarded_on(self) -> date | None:
        """The first safeguarding action's date."""
        return min((a.action_on for a in self.actions), default=None)


def get_child(session: Session, ref: str) -> Child:
    c = session.execute(select(Child).where(Child.ref == ref)).scalar_one_or_none()
    if c is None:
        raise NotFound(f"no child {ref!r}", hint="see `vigil child list`")
    return c


def _info(session: Session, c: Child) -> ChildInfo:
    case = session.get(Case, c.case_id)
    sus = session.get(Suspect, c.suspect_id) if c.suspect_id else None
    assert case is not None
    actions = [
        ActionInfo(a.kind, a.action_on, a.detail, a.recorded_by)
        for a in session.execute(
            select(SafeguardingAction)
            .where(SafeguardingAction.child_id == c.id)
            .order_by(SafeguardingAction.action_on, SafeguardingAction.id)
        ).scalars()
    ]
    return ChildInfo(c.ref, case.ref, c.age_at_time, sus.ref if sus else None, actions)


def create_child(
    ws: Workspace,
    case_ref: str,
    ref: str,
    age_at_time: int | None,
    suspect_ref: str | None = None,
    notes: str | None = None,
) -> ChildInfo:
    """Record a child under a pseudonymous reference (never a name) with their age then."""
    ref = check_ref(ref, "child")
    if age_at_time is not None and not 0 <= age_at_time < 18:
        raise UserError(f"age {age_at_time} is not a child's age (0-17)")
    try:
        with ws.transaction() as session:
            case = get_case(session, case_ref)
            sus = get_suspect(session, suspect_ref) if suspect_ref else None
            c = Child(
                ref=ref,
                case_id=case.id,
                suspect_id=sus.id if sus else None,
                age_at_time=age_at_time,
                notes=notes,
                created_at=ws.now(),
            )
            session.add(c)
            session.flush()
            record_change(
                ws,
                session,
                "create",
                "child",
                ref,
                case_ref,
                {"age_at_time": age_at_time, "suspect": suspect_ref},
            )
            return _info(session, c)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "child", ref) from exc


def add_safeguarding(
    ws: Workspace,
    child_ref: str,
    kind: str,
    action_on: date,
    recorded_by: str,
    detail: str | None = None,
) -> ChildInfo:
    """Record a dated safeguarding action; the date is when the child was safeguarded."""
    check_term("safeguarding_actions", kind)
    if action_on > ws.now().date():
        raise UserError(f"safeguarding date {action_on} is in the future")
    with ws.transaction() as session:
        c = get_child(session, child_ref)
        session.add(
            SafeguardingAction(
                child_id=c.id,
                kind=kind,
                action_on=action_on,
                detail=detail,
                recorded_by=recorded_by,
                created_at=ws.now(),
            )
        )
        session.flush()
        case = session.get(Case, c.case_id)
        assert case is not None
        record_change(
            ws,
            session,
            "create",
            "safeguarding",
            child_ref,
            case.ref,
            {"kind": kind, "action_on": action_on},
        )
        return _info(session, c)


def list_children(ws: Workspace, case_ref: str | None = None) -> list[ChildInfo]:
    with ws.sessions() as session:
        stmt = select(Child).order_by(Child.ref)
        if case_ref:
            stmt = stmt.where(Child.case_id == get_case(session, case_ref).id)
        return [_info(session, c) for c in session.execute(stmt).scalars()]


def show_child(ws: Workspace, ref: str) -> ChildInfo:
    with ws.sessions() as session:
        return _info(session, get_child(session, ref))
