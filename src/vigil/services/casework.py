"""Case work: units, which unit a case belongs to, operations, and the capture check.

Other record types live in ``casework_*.py`` beside this module. Every create or update
writes a custody/audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases import authorisation as authrules
from vigil.cases.taxonomy import check_term
from vigil.db.tables import Case
from vigil.db.tables_cases import (
    Authorisation,
    AuthorisationReview,
    CaseUnit,
    Operation,
    Persona,
    Unit,
)
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.evidence import custody
from vigil.services.cases import get_case
from vigil.services.evidence import parse_time
from vigil.services.workspace import Workspace


def audit(
    ws: Workspace,
    session: Session,
    action: str,
    object_type: str,
    object_id: str,
    case_ref: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """The custody/audit entry for a create or update of a case-work record."""
    custody.append(
        session,
        actor=ws.actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_ref=case_ref,
        details={
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in (details or {}).items()
        },
        now=ws.now(),
    )


def parse_day(text: str | None, default: date | None = None) -> date:
    """An ISO date (YYYY-MM-DD)."""
    if text is None:
        if default is None:
            raise UserError("a date is required", hint="use YYYY-MM-DD")
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserError(f"bad date {text!r}", hint="use YYYY-MM-DD, e.g. 2023-04-01") from exc


def parse_moment(ws: Workspace, text: str | None) -> datetime:
    """An ISO time; without an offset the workspace's default time zone is assumed."""
    if text is None:
        return ws.now()
    return parse_time(text, ws.settings.default_timezone)[0]


def check_ref(ref: str, what: str) -> str:
    ref = ref.strip()
    if not ref or any(c.isspace() for c in ref) or "/" in ref:
        raise UserError(f"bad {what} reference {ref!r}", hint="use letters, digits and dashes")
    return ref


def unique_or_error(exc: SAIntegrityError, what: str, ref: str) -> UserError:
    return UserError(f"{what} {ref!r} already exists", hint="choose another reference")


# --- units -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    name: str
    kind: str
    parent: str | None
    path: str
    cases: int


def get_unit(session: Session, code: str) -> Unit:
    unit = session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"no unit {code!r}", hint="see `vigil unit list`")
    return unit


def unit_tree(session: Session) -> tuple[dict[int, Unit], dict[int | None, list[int]]]:
    units = {u.id: u for u in session.execute(select(Unit)).scalars()}
    children: dict[int | None, list[int]] = {}
    for u in sorted(units.values(), key=lambda x: x.code):
        children.setdefault(u.parent_id, []).append(u.id)
    return units, children


def descendants(children: Mapping[int | None, list[int]], root: int) -> set[int]:
    """``root`` and every unit below it."""
    out, todo = set(), [root]
    while todo:
        u = todo.pop()
        if u not in out:
            out.add(u)
            todo.extend(children.get(u, []))
    return out


def _path(units: Mapping[int, Unit], u: Unit) -> str:
    parts, cur, seen = [u.code], u, {u.id}
    while cur.parent_id is not None and cur.parent_id not in seen:
        cur = units[cur.parent_id]
        seen.add(cur.id)
        parts.append(cur.code)
    return " > ".join(reversed(parts))


def create_unit(
    ws: Workspace, code: str, name: str, kind: str, parent_code: str | None = None
) -> UnitInfo:
    """Create a unit (force, region, team or national) under an optional parent."""
    code = check_ref(code, "unit")
    check_term("unit_kinds", kind)
    try:
        with ws.transaction() as session:
            parent = get_unit(session, parent_code) if parent_code else None
            session.add(
                Unit(
                    code=code,
                    name=name,
                    kind=kind,
                    parent_id=parent.id if parent else None,
                    created_at=ws.now(),
                )
            )
            session.flush()
            audit(
                ws,
                session,
                "create",
                "unit",
                code,
                details={"name": name, "kind": kind, "parent": parent_code},
            )
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "unit", code) from exc
    return next(u for u in list_units(ws) if u.code == code)


def list_units(ws: Workspace) -> list[UnitInfo]:
    with ws.sessions() as session:
        units, _ = unit_tree(session)
        counts: dict[int, int] = {}
        for cu in session.execute(select(CaseUnit.unit_id)).scalars():
            counts[cu] = counts.get(cu, 0) + 1
        out = [
            UnitInfo(
                u.code,
                u.name,
                u.kind,
                units[u.parent_id].code if u.parent_id else None,
                _path(units, u),
                counts.get(u.id, 0),
            )
            for u in units.values()
        ]
        return sorted(out, key=lambda x: x.path)


def assign_case(ws: Workspace, case_ref: str, unit_code: str) -> None:
    """Record that a case belongs to a unit (replacing any earlier unit)."""
    with ws.transaction() as session:
        set_case_unit(ws, session, get_case(session, case_ref), get_unit(session, unit_code))


def set_case_unit(ws: Workspace, session: Session, case: Case, unit: Unit) -> None:
    row = session.get(CaseUnit, case.id)
    action = "create" if row is None else "update"
    if row is None:
        session.add(CaseUnit(case_id=case.id, unit_id=unit.id))
    else:
        row.unit_id = unit.id
    case.unit = unit.code
    session.flush()
    audit(ws, session, action, "case_unit", case.ref, case.ref, {"unit": unit.code})


# --- operations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OperationInfo:
    ref: str
    name: str
    unit: str
    case_ref: str | None
    opened_on: date
    closed_on: date | None


def _op_info(session: Session, op: Operation) -> OperationInfo:
    unit = session.get(Unit, op.unit_id)
    case = session.get(Case, op.case_id) if op.case_id else None
    assert unit is not None
    return OperationInfo(
        op.ref, op.name, unit.code, case.ref if case else None, op.opened_on, op.closed_on
    )


def get_operation(session: Session, ref: str) -> Operation:
    op = session.execute(select(Operation).where(Operation.ref == ref)).scalar_one_or_none()
    if op is None:
        raise NotFound(f"no operation {ref!r}", hint="see `vigil operation list`")
    return op


def create_operation(
    ws: Workspace,
    ref: str,
    name: str,
    unit_code: str,
    case_ref: str | None = None,
    opened_on: date | None = None,
) -> OperationInfo:
    """Open an operation run by a unit; a linked case without a unit joins the same unit."""
    ref = check_ref(ref, "operation")
    try:
        with ws.transaction() as session:
            unit = get_unit(session, unit_code)
            case = get_case(session, case_ref) if case_ref else None
            op = Operation(
                ref=ref,
                name=name,
                unit_id=unit.id,
                case_id=case.id if case else None,
                opened_on=opened_on or ws.now().date(),
                closed_on=None,
                created_at=ws.now(),
            )
            session.add(op)
            session.flush()
            audit(
                ws, session, "create", "operation", ref, case_ref, {"name": name, "unit": unit_code}
            )
            if case is not None and session.get(CaseUnit, case.id) is None:
                set_case_unit(ws, session, case, unit)
            return _op_info(session, op)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "operation", ref) from exc


def close_operation(ws: Workspace, ref: str, closed_on: date | None = None) -> OperationInfo:
    with ws.transaction() as session:
        op = get_operation(session, ref)
        op.closed_on = closed_on or ws.now().date()
        case = session.get(Case, op.case_id) if op.case_id else None
        audit(
            ws,
            session,
            "update",
            "operation",
            ref,
            case.ref if case else None,
            {"closed_on": op.closed_on},
        )
        return _op_info(session, op)


def list_operations(ws: Workspace, unit_code: str | None = None) -> list[OperationInfo]:
    with ws.sessions() as session:
        stmt = select(Operation).order_by(Operation.ref)
        if unit_code:
            _units, children = unit_tree(session)
            stmt = stmt.where(
                Operation.unit_id.in_(descendants(children, get_unit(session, unit_code).id))
            )
        return [_op_info(session, op) for op in session.execute(stmt).scalars()]


# --- the capture check -----------------------------------------------------------------


def auth_state(session: Session, auth: Authorisation, persona_ref: str) -> authrules.AuthState:
    """The rules' view of a stored authorisation."""
    reviews = tuple(
        session.execute(
            select(AuthorisationReview.reviewed_at).where(
                AuthorisationReview.authorisation_id == auth.id
            )
        ).scalars()
    )
    case_ref = None
    if auth.operation_id is not None:
        op = session.get(Operation, auth.operation_id)
        case = session.get(Case, op.case_id) if op is not None and op.case_id else None
        case_ref = case.ref if case else None
    return authrules.AuthState(
        ref=auth.ref,
        kind=auth.kind,
        persona_ref=persona_ref,
        granted_at=auth.granted_at,
        expires_at=auth.expires_at,
        urgent_oral=auth.urgent_oral,
        review_every_days=auth.review_every_days,
        reviews=reviews,
        cancelled_at=auth.cancelled_at,
        case_ref=case_ref,
    )


def live_authorisation(
    session: Session, case_ref: str, persona_ref: str, captured_at: datetime
) -> str:
    """The reference of an authorisation covering ``persona_ref`` in ``case_ref`` at
    ``captured_at``; raises AccessDenied giving every reason when there is none."""
    get_case(session, case_ref)
    persona = session.execute(
        select(Persona).where(Persona.ref == persona_ref)
    ).scalar_one_or_none()
    if persona is None:
        raise NotFound(f"no persona {persona_ref!r}", hint="see `vigil persona list`")
    auths = session.execute(
        select(Authorisation)
        .where(Authorisation.persona_id == persona.id)
        .order_by(Authorisation.granted_at)
    ).scalars()
    reasons = []
    for auth in auths:
        state = auth_state(session, auth, persona_ref)
        live, why = authrules.status_at(state, captured_at)
        if live and state.case_ref not in (None, case_ref):
            live, why = False, f"{auth.ref} covers case {state.case_ref}, not {case_ref}"
        if live:
            return auth.ref
        reasons.append(why)
    when = captured_at.strftime("%Y-%m-%d %H:%M UTC")
    raise AccessDenied(
        f"capture by persona {persona_ref} at {when} refused: no live authorisation"
        + (" (" + "; ".join(reasons) + ")" if reasons else " (none recorded)"),
        hint="record the authorisation with `vigil authorisation grant`, or correct the capture time",
    )


def check_capture(session: Session, case_ref: str, persona_ref: str, captured_at: datetime) -> None:
    """Refuse (AccessDenied, with the reason) a capture by a persona with no live authorisation
    covering ``case_ref`` at ``captured_at``. Call inside the evidence/ingest transaction."""
    live_authorisation(session, case_ref, persona_ref, captured_at)
