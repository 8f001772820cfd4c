"""Units (a tree: force, department, team) and which unit a case belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term
from vigil.db.tables.cases import Case, CaseUnit, Unit
from vigil.errors import NotFound
from vigil.services.cases import get_case
from vigil.services.casework.common import check_ref, record_change, unique_or_error
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
            record_change(
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
    record_change(ws, session, action, "case_unit", case.ref, case.ref, {"unit": unit.code})
