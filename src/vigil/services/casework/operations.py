"""Operations of a unit: create, close, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case, CaseUnit, Operation, Unit
from vigil.errors import NotFound
from vigil.services.cases import get_case
from vigil.services.casework.common import (
    Change,
    check_each,
    check_new_refs,
    check_ref,
    fetch_by_ref,
    record_changes,
    unique_or_error,
)
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


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """An operation to open (:func:`create_operations`); ``opened_on`` defaults to today."""

    ref: str
    name: str
    unit_code: str
    case_ref: str | None = None
    opened_on: date | None = None


def _checked(rec: OperationRecord) -> OperationRecord:
    return replace(rec, ref=check_ref(rec.ref, "operation"))


def _open(ws: Workspace, rec: OperationRecord, unit: Unit, case: Case | None) -> Operation:
    return Operation(
        ref=rec.ref,
        name=rec.name,
        unit_id=unit.id,
        case_id=case.id if case else None,
        opened_on=rec.opened_on or ws.now().date(),
        closed_on=None,
        created_at=ws.now(),
    )


def _opened(rec: OperationRecord) -> Change:
    return Change(
        "create", "operation", rec.ref, rec.case_ref, {"name": rec.name, "unit": rec.unit_code}
    )


def create_operation(
    ws: Workspace,
    ref: str,
    name: str,
    unit_code: str,
    case_ref: str | None = None,
    opened_on: date | None = None,
) -> OperationInfo:
    """Open an operation run by a unit; a linked case without a unit joins the same unit."""
    rec = _checked(OperationRecord(ref, name, unit_code, case_ref, opened_on))
    try:
        with ws.transaction() as session:
            unit = get_unit(session, unit_code)
            case = get_case(session, case_ref) if case_ref else None
            op = _open(ws, rec, unit, case)
            session.add(op)
            session.flush()
            record_changes(ws, session, [_opened(rec)])
            if case is not None and session.get(CaseUnit, case.id) is None:
                set_case_unit(ws, session, case, unit)
            return _op_info(session, op)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "operation", rec.ref) from exc


def create_operations(ws: Workspace, session: Session, records: Sequence[OperationRecord]) -> None:
    """:func:`create_operation` for many operations inside the caller's transaction: the same
    checks (nothing is written if one record is refused) and the same entries, one ``create``
    per operation (and a ``case_unit`` for a linked case without a unit)."""
    recs = check_each(records, _checked, "operation")
    check_new_refs(session, Operation.ref, [r.ref for r in recs], "operation")
    units = fetch_by_ref(session, Unit.code, (r.unit_code for r in recs), get_unit)
    cases = fetch_by_ref(session, Case.ref, (r.case_ref for r in recs), get_case)
    session.add_all(
        _open(ws, r, units[r.unit_code], cases[r.case_ref] if r.case_ref else None) for r in recs
    )
    session.flush()
    record_changes(ws, session, [_opened(r) for r in recs])
    for r in recs:
        case = cases[r.case_ref] if r.case_ref else None
        if case is not None and session.get(CaseUnit, case.id) is None:
            set_case_unit(ws, session, case, units[r.unit_code])


def _close(session: Session, op: Operation, closed_on: date) -> Change:
    op.closed_on = closed_on
    case = session.get(Case, op.case_id) if op.case_id else None
    return Change(
        "update", "operation", op.ref, case.ref if case else None, {"closed_on": op.closed_on}
    )


def close_operation(ws: Workspace, ref: str, closed_on: date | None = None) -> OperationInfo:
    with ws.transaction() as session:
        op = get_operation(session, ref)
        record_changes(ws, session, [_close(session, op, closed_on or ws.now().date())])
        return _op_info(session, op)


def close_operations(
    ws: Workspace, session: Session, closures: Sequence[tuple[str, date | None]]
) -> None:
    """:func:`close_operation` for many (reference, closed on) pairs inside the caller's
    transaction, with one ``update`` entry each."""
    ops = fetch_by_ref(session, Operation.ref, (r for r, _ in closures), get_operation)
    changes = [_close(session, ops[r], on or ws.now().date()) for r, on in closures]
    session.flush()
    record_changes(ws, session, changes)


def list_operations(ws: Workspace, unit_code: str | None = None) -> list[OperationInfo]:
    with ws.sessions() as session:
        stmt = select(Operation).order_by(Operation.ref)
        if unit_code:
            _units, children = unit_tree(session)
            stmt = stmt.where(
                Operation.unit_id.in_(descendants(children, get_unit(session, unit_code).id))
            )
        return [_op_info(session, op) for op in session.execute(stmt).scalars()]
