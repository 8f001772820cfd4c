"""Offences (from the taxonomy, with platforms) recorded against a case's suspects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_offence
from vigil.db.tables.cases import Case, Offence, OffencePlatform, Suspect
from vigil.errors import UserError
from vigil.services.cases import get_case
from vigil.services.casework.children import get_child
from vigil.services.casework.common import record_change
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
    plats = check_offence(offence_type, legal_form, image_category, platforms or [])
    if committed_from and committed_to and committed_to < committed_from:
        raise UserError("the offence ends before it starts")
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        sus = get_suspect(session, suspect_ref) if suspect_ref else None
        if sus is not None and sus.case_id != case.id:
            raise UserError(f"suspect {suspect_ref} is not in case {case_ref}")
        child = get_child(session, child_ref) if child_ref else None
        o = Offence(
            case_id=case.id,
            suspect_id=sus.id if sus else None,
            child_id=child.id if child else None,
            offence_type=offence_type,
            legal_form=legal_form,
            image_category=image_category,
            principal=principal,
            committed_from=committed_from,
            committed_to=committed_to,
            notes=notes,
            created_at=ws.now(),
        )
        session.add(o)
        session.flush()
        for p in plats:
            session.add(OffencePlatform(offence_id=o.id, platform=p))
        session.flush()
        record_change(
            ws,
            session,
            "create",
            "offence",
            str(o.id),
            case_ref,
            {
                "type": offence_type,
                "legal_form": legal_form,
                "category": image_category,
                "suspect": suspect_ref,
                "platforms": plats,
            },
        )
        return _offence_info(session, o)


def list_offences(ws: Workspace, case_ref: str | None = None) -> list[OffenceInfo]:
    with ws.sessions() as session:
        stmt = select(Offence).order_by(Offence.id)
        if case_ref:
            stmt = stmt.where(Offence.case_id == get_case(session, case_ref).id)
        return [_offence_info(session, o) for o in session.execute(stmt).scalars()]
