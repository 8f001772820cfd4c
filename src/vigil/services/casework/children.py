"""Children (pseudonymous references only) and dated safeguarding actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term
from vigil.db.tables.cases import Case, Child, SafeguardingAction, Suspect
from vigil.errors import NotFound, UserError
from vigil.services.cases import get_case
from vigil.services.casework.common import (
    Change,
    case_refs_of,
    check_each,
    check_new_refs,
    check_ref,
    fetch_by_ref,
    record_changes,
    unique_or_error,
)
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


@dataclass(frozen=True, slots=True)
class ChildRecord:
    """A child to record (:func:`create_children`) under a pseudonymous reference."""

    case_ref: str
    ref: str
    age_at_time: int | None
    suspect_ref: str | None = None
    notes: str | None = None


def _checked(rec: ChildRecord) -> ChildRecord:
    ref = check_ref(rec.ref, "child")
    if rec.age_at_time is not None and not 0 <= rec.age_at_time < 18:
        raise UserError(f"age {rec.age_at_time} is not a child's age (0-17)")
    return replace(rec, ref=ref)


def _new(ws: Workspace, rec: ChildRecord, case: Case, sus: Suspect | None) -> Child:
    return Child(
        ref=rec.ref,
        case_id=case.id,
        suspect_id=sus.id if sus else None,
        age_at_time=rec.age_at_time,
        notes=rec.notes,
        created_at=ws.now(),
    )


def _created(rec: ChildRecord) -> Change:
    return Change(
        "create",
        "child",
        rec.ref,
        rec.case_ref,
        {"age_at_time": rec.age_at_time, "suspect": rec.suspect_ref},
    )


def create_child(
    ws: Workspace,
    case_ref: str,
    ref: str,
    age_at_time: int | None,
    suspect_ref: str | None = None,
    notes: str | None = None,
) -> ChildInfo:
    """Record a child under a pseudonymous reference (never a name) with their age then."""
    rec = _checked(ChildRecord(case_ref, ref, age_at_time, suspect_ref, notes))
    try:
        with ws.transaction() as session:
            case = get_case(session, case_ref)
            sus = get_suspect(session, suspect_ref) if suspect_ref else None
            c = _new(ws, rec, case, sus)
            session.add(c)
            session.flush()
            record_changes(ws, session, [_created(rec)])
            return _info(session, c)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "child", rec.ref) from exc


def create_children(ws: Workspace, session: Session, records: Sequence[ChildRecord]) -> None:
    """:func:`create_child` for many children inside the caller's transaction: the same checks
    (nothing is written if one record is refused), one ``create`` entry per child."""
    recs = check_each(records, _checked, "child")
    check_new_refs(session, Child.ref, [r.ref for r in recs], "child")
    cases = fetch_by_ref(session, Case.ref, (r.case_ref for r in recs), get_case)
    suspects = fetch_by_ref(session, Suspect.ref, (r.suspect_ref for r in recs), get_suspect)
    session.add_all(
        _new(ws, r, cases[r.case_ref], suspects[r.suspect_ref] if r.suspect_ref else None)
        for r in recs
    )
    session.flush()
    record_changes(ws, session, [_created(r) for r in recs])


@dataclass(frozen=True, slots=True)
class SafeguardingRecord:
    """A dated safeguarding action for a child (:func:`add_safeguarding_actions`)."""

    child_ref: str
    kind: str
    action_on: date
    recorded_by: str
    detail: str | None = None


def _checked_action(ws: Workspace, rec: SafeguardingRecord) -> SafeguardingRecord:
    check_term("safeguarding_actions", rec.kind)
    if rec.action_on > ws.now().date():
        raise UserError(f"safeguarding date {rec.action_on} is in the future")
    return rec


def _action(ws: Workspace, rec: SafeguardingRecord, c: Child) -> SafeguardingAction:
    return SafeguardingAction(
        child_id=c.id,
        kind=rec.kind,
        action_on=rec.action_on,
        detail=rec.detail,
        recorded_by=rec.recorded_by,
        created_at=ws.now(),
    )


def _acted(rec: SafeguardingRecord, case_ref: str) -> Change:
    return Change(
        "create",
        "safeguarding",
        rec.child_ref,
        case_ref,
        {"kind": rec.kind, "action_on": rec.action_on},
    )


def add_safeguarding(
    ws: Workspace,
    child_ref: str,
    kind: str,
    action_on: date,
    recorded_by: str,
    detail: str | None = None,
) -> ChildInfo:
    """Record a dated safeguarding action; the date is when the child was safeguarded."""
    rec = _checked_action(ws, SafeguardingRecord(child_ref, kind, action_on, recorded_by, detail))
    with ws.transaction() as session:
        c = get_child(session, child_ref)
        session.add(_action(ws, rec, c))
        session.flush()
        case = session.get(Case, c.case_id)
        assert case is not None
        record_changes(ws, session, [_acted(rec, case.ref)])
        return _info(session, c)


def add_safeguarding_actions(
    ws: Workspace, session: Session, records: Sequence[SafeguardingRecord]
) -> None:
    """:func:`add_safeguarding` for many actions inside the caller's transaction: the same
    checks (nothing is written if one record is refused), one ``create`` entry per action."""
    recs = check_each(records, lambda r: _checked_action(ws, r), "safeguarding")
    children = fetch_by_ref(session, Child.ref, (r.child_ref for r in recs), get_child)
    case_refs = case_refs_of(session, {c.case_id for c in children.values()})
    session.add_all(_action(ws, r, children[r.child_ref]) for r in recs)
    session.flush()
    record_changes(ws, session, [_acted(r, case_refs[children[r.child_ref].case_id]) for r in recs])


def list_children(ws: Workspace, case_ref: str | None = None) -> list[ChildInfo]:
    with ws.sessions() as session:
        stmt = select(Child).order_by(Child.ref)
        if case_ref:
            stmt = stmt.where(Child.case_id == get_case(session, case_ref).id)
        return [_info(session, c) for c in session.execute(stmt).scalars()]


def show_child(ws: Workspace, ref: str) -> ChildInfo:
    with ws.sessions() as session:
        return _info(session, get_child(session, ref))
