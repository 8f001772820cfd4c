"""Offences (from the taxonomy, with platforms) recorded against a case's suspects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_offence
from vigil.db.tables.cases import Case, Child, Offence, OffencePlatform, Suspect
from vigil.errors import UserError
from vigil.services.cases import get_case
from vigil.services.casework.children import get_child
from vigil.services.casework.common import Change, check_each, fetch_by_ref, record_changes
from vigil.services.casework.suspects import get_suspect
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class OffenceInfo:
    id: int
    case_ref: str
    suspect: str | None
    offence_type: str
    legal_form: str
    image_category: str | None
    principal: bool
    platforms: list[str]
    committed_from: date | None
    committed_to: date | None


def _offence_info(session: Session, o: Offence) -> OffenceInfo:
    case = session.get(Case, o.case_id)
    sus = session.get(Suspect, o.suspect_id) if o.suspect_id else None
    assert case is not None
    plats = list(
        session.execute(
            select(OffencePlatform.platform)
            .where(OffencePlatform.offence_id == o.id)
            .order_by(OffencePlatform.platform)
        ).scalars()
    )
    return OffenceInfo(
        o.id,
        case.ref,
        sus.ref if sus else None,
        o.offence_type,
        o.legal_form,
        o.image_category,
        o.principal,
        plats,
        o.committed_from,
        o.committed_to,
    )


@dataclass(frozen=True, slots=True)
class OffenceRecord:
    """An offence to record (:func:`add_offences`), as :func:`add_offence` takes it."""

    case_ref: str
    offence_type: str
    legal_form: str
    suspect_ref: str | None = None
    image_category: str | None = None
    platforms: Sequence[str] = ()
    principal: bool = False
    committed_from: date | None = None
    committed_to: date | None = None
    child_ref: str | None = None
    notes: str | None = None


def _checked(rec: OffenceRecord) -> list[str]:
    """The offence's normalised platforms, or a UserError."""
    plats = check_offence(rec.offence_type, rec.legal_form, rec.image_category, list(rec.platforms))
    if rec.committed_from and rec.committed_to and rec.committed_to < rec.committed_from:
        raise UserError("the offence ends before it starts")
    return plats


def _check_suspect(rec: OffenceRecord, case: Case, sus: Suspect | None) -> None:
    if sus is not None and sus.case_id != case.id:
        raise UserError(f"suspect {rec.suspect_ref} is not in case {rec.case_ref}")


def _new(
    ws: Workspace, rec: OffenceRecord, case: Case, sus: Suspect | None, child: Child | None
) -> Offence:
    return Offence(
        case_id=case.id,
        suspect_id=sus.id if sus else None,
        child_id=child.id if child else None,
        offence_type=rec.offence_type,
        legal_form=rec.legal_form,
        image_category=rec.image_category,
        principal=rec.principal,
        committed_from=rec.committed_from,
        committed_to=rec.committed_to,
        notes=rec.notes,
        created_at=ws.now(),
    )


def _recorded(rec: OffenceRecord, o: Offence, plats: list[str]) -> Change:
    return Change(
        "create",
        "offence",
        str(o.id),
        rec.case_ref,
        {
            "type": rec.offence_type,
            "legal_form": rec.legal_form,
            "category": rec.image_category,
            "suspect": rec.suspect_ref,
            "platforms": plats,
        },
    )


def add_offence(
    ws: Workspace,
    case_ref: str,
    offence_type: str,
    legal_form: str,
    *,
    suspect_ref: str | None = None,
    image_category: str | None = None,
    platforms: list[str] | None = None,
    principal: bool = False,
    committed_from: date | None = None,
    committed_to: date | None = None,
    child_ref: str | None = None,
    notes: str | None = None,
) -> OffenceInfo:
    """Record an offence. ``principal`` marks the suspect's main offence, which the statistics
    use to break figures down by offence type (a suspect's first offence if none is marked)."""
    rec = OffenceRecord(
        case_ref,
        offence_type,
        legal_form,
        suspect_ref,
        image_category,
        platforms or [],
        principal,
        committed_from,
        committed_to,
        child_ref,
        notes,
    )
    plats = _checked(rec)
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        sus = get_suspect(session, suspect_ref) if suspect_ref else None
        _check_suspect(rec, case, sus)
        child = get_child(session, child_ref) if child_ref else None
        o = _new(ws, rec, case, sus, child)
        session.add(o)
        session.flush()
        session.add_all(OffencePlatform(offence_id=o.id, platform=p) for p in plats)
        session.flush()
        record_changes(ws, session, [_recorded(rec, o, plats)])
        return _offence_info(session, o)


def add_offences(ws: Workspace, session: Session, records: Sequence[OffenceRecord]) -> None:
    """:func:`add_offence` for many offences inside the caller's transaction: the same checks
    (nothing is written if one record is refused), one ``create`` entry per offence."""
    plats = check_each(records, _checked, "offence")
    cases = fetch_by_ref(session, Case.ref, (r.case_ref for r in records), get_case)
    suspects = fetch_by_ref(session, Suspect.ref, (r.suspect_ref for r in records), get_suspect)
    for r in records:
        _check_suspect(r, cases[r.case_ref], suspects[r.suspect_ref] if r.suspect_ref else None)
    children = fetch_by_ref(session, Child.ref, (r.child_ref for r in records), get_child)
    rows = [
        _new(
            ws,
            r,
            cases[r.case_ref],
            suspects[r.suspect_ref] if r.suspect_ref else None,
            children[r.child_ref] if r.child_ref else None,
        )
        for r in records
    ]
    session.add_all(rows)
    session.flush()
    session.add_all(
        OffencePlatform(offence_id=o.id, platform=p)
        for o, ps in zip(rows, plats, strict=True)
        for p in ps
    )
    session.flush()
    record_changes(
        ws, session, [_recorded(r, o, ps) for r, o, ps in zip(records, rows, plats, strict=True)]
    )


def list_offences(ws: Workspace, case_ref: str | None = None) -> list[OffenceInfo]:
    with ws.sessions() as session:
        stmt = select(Offence).order_by(Offence.id)
        if case_ref:
            stmt = stmt.where(Offence.case_id == get_case(session, case_ref).id)
        return [_offence_info(session, o) for o in session.execute(stmt).scalars()]
