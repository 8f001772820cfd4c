"""Operations of a unit: create, close, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case, CaseUnit, Operation, Unit
from vigil.errors import NotFound
from vigil.services.cases import get_case
from vigil.services.casework.common import check_ref, record_change, unique_or_error
from vigil.services.casework.units import descendants, get_unit, set_case_unit, unit_tree
from vigil.services.workspace import Workspace


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
            record_change(
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
        record_change(
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
