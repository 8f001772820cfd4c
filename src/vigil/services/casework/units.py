"""Units (a tree: force, department, team) and which unit a case belongs to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term
from vigil.db.tables.cases import Case, CaseUnit, Unit
from vigil.errors import NotFound
from vigil.services.cases import get_case
from vigil.services.casework.common import (
    CHUNK,
    Change,
    check_each,
    check_new_refs,
    check_ref,
    fetch_by_ref,
    record_change,
    record_changes,
    unique_or_error,
)
from vigil.services.workspace import Workspace


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


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A unit to create (:func:`create_units`)."""

    code: str
    name: str
    kind: str
    parent_code: str | None = None


def _checked(rec: UnitRecord) -> UnitRecord:
    code = check_ref(rec.code, "unit")
    check_term("unit_kinds", rec.kind)
    return UnitRecord(code, rec.name, rec.kind, rec.parent_code)


def _add(ws: Workspace, session: Session, rec: UnitRecord) -> None:
    parent = get_unit(session, rec.parent_code) if rec.parent_code else None
    session.add(
        Unit(
            code=rec.code,
            name=rec.name,
            kind=rec.kind,
            parent_id=parent.id if parent else None,
            created_at=ws.now(),
        )
    )
    session.flush()
    record_change(
        ws,
        session,
        "create",
        "unit",
        rec.code,
        details={"name": rec.name, "kind": rec.kind, "parent": rec.parent_code},
    )


def create_unit(
    ws: Workspace, code: str, name: str, kind: str, parent_code: str | None = None
) -> UnitInfo:
    """Create a unit (force, region, team or national) under an optional parent."""
    rec = _checked(UnitRecord(code, name, kind, parent_code))
    try:
        with ws.transaction() as session:
            _add(ws, session, rec)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "unit", rec.code) from exc
    return next(u for u in list_units(ws) if u.code == rec.code)


def create_units(ws: Workspace, session: Session, records: Sequence[UnitRecord]) -> None:
    """:func:`create_unit` for many units, in order (a parent before its children), inside the
    caller's transaction: the same checks (nothing is written if one record is refused) and one
    ``create`` entry per unit."""
    recs = check_each(records, _checked, "unit")
    check_new_refs(session, Unit.code, [r.code for r in recs], "unit")
    for rec in recs:
        _add(ws, session, rec)


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


def _assign(
    session: Session, case: Case, unit: Unit, row: CaseUnit | None
) -> tuple[CaseUnit, Change]:
    """Put ``case`` in ``unit`` (``row``: its current unit row, if any); the change to record."""
    action = "create" if row is None else "update"
    if row is None:
        row = CaseUnit(case_id=case.id, unit_id=unit.id)
        session.add(row)
    else:
        row.unit_id = unit.id
    case.unit = unit.code
    return row, Change(action, "case_unit", case.ref, case.ref, {"unit": unit.code})


def set_case_unit(ws: Workspace, session: Session, case: Case, unit: Unit) -> None:
    _, change = _assign(session, case, unit, session.get(CaseUnit, case.id))
    session.flush()
    record_changes(ws, session, [change])


def assign_cases(ws: Workspace, session: Session, pairs: Sequence[tuple[str, str]]) -> None:
    """:func:`assign_case` for many (case reference, unit code) pairs, in order, inside the
    caller's transaction: one ``case_unit`` entry per pair, as there."""
    cases = fetch_by_ref(session, Case.ref, (c for c, _ in pairs), get_case)
    units = fetch_by_ref(session, Unit.code, (u for _, u in pairs), get_unit)
    ids = [c.id for c in cases.values()]
    rows: dict[int, CaseUnit] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(CaseUnit).where(CaseUnit.case_id.in_(ids[i : i + CHUNK]))
        rows.update((r.case_id, r) for r in session.execute(stmt).scalars())
    changes = []
    for case_ref, unit_code in pairs:
        case = cases[case_ref]
        rows[case.id], change = _assign(session, case, units[unit_code], rows.get(case.id))
        changes.append(change)
    session.flush()
    record_changes(ws, session, changes)
