"""Online personas: create, handles, officers, list, show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term, normalise_platform
from vigil.db.tables.cases import Authorisation, Persona, PersonaHandle, PersonaOfficer, Unit
from vigil.errors import NotFound, UserError
from vigil.services.casework import authorisations
from vigil.services.casework.common import (
    check_each,
    check_new_refs,
    check_ref,
    record_change,
    unique_or_error,
)
from vigil.services.casework.units import get_unit
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class PersonaInfo:
    ref: str
    name_used: str
    claimed_age: int
    unit: str | None
    handles: list[tuple[str, str]]
    officers: list[tuple[str, str]]
    authorisations: list[authorisations.AuthInfo] = field(default_factory=list)


def get_persona(session: Session, ref: str) -> Persona:
    p = session.execute(select(Persona).where(Persona.ref == ref)).scalar_one_or_none()
    if p is None:
        raise NotFound(f"no persona {ref!r}", hint="see `vigil persona list`")
    return p


def persona_details(
    session: Session, p: Persona
) -> tuple[str | None, list[tuple[str, str]], list[tuple[str, str]]]:
    """A persona's unit code, its (platform, handle) pairs and its (officer, role) pairs."""
    unit = session.get(Unit, p.unit_id) if p.unit_id else None
    handles = [
        (h.platform, h.handle)
        for h in session.execute(
            select(PersonaHandle).where(PersonaHandle.persona_id == p.id).order_by(PersonaHandle.id)
        ).scalars()
    ]
    officers = [
        (o.officer, o.role)
        for o in session.execute(
            select(PersonaOfficer)
            .where(PersonaOfficer.persona_id == p.id)
            .order_by(PersonaOfficer.id)
        ).scalars()
    ]
    return (unit.code if unit else None), handles, officers


def _persona_info(session: Session, p: Persona, now: datetime) -> PersonaInfo:
    unit_code, handles, officers = persona_details(session, p)
    auths = [
        authorisations.auth_info(session, a, p.ref, now)
        for a in session.execute(
            select(Authorisation)
            .where(Authorisation.persona_id == p.id)
            .order_by(Authorisation.granted_at)
        ).scalars()
    ]
    return PersonaInfo(p.ref, p.name_used, p.claimed_age, unit_code, handles, officers, auths)


@dataclass(frozen=True, slots=True)
class PersonaRecord:
    """A persona to create (:func:`create_personas`), as :func:`create_persona` takes it."""

    ref: str
    name_used: str
    claimed_age: int
    unit_code: str | None = None
    handles: Sequence[tuple[str, str]] = ()
    officers: Sequence[tuple[str, str]] = ()
    notes: str | None = None


def _checked(rec: PersonaRecord) -> PersonaRecord:
    ref = check_ref(rec.ref, "persona")
    if not 0 < rec.claimed_age < 120:
        raise UserError(f"claimed age {rec.claimed_age} is out of range")
    for _, role in rec.officers:
        check_term("officer_roles", role)
    return replace(rec, ref=ref)


def _add(ws: Workspace, session: Session, rec: PersonaRecord) -> Persona:
    unit = get_unit(session, rec.unit_code) if rec.unit_code else None
    p = Persona(
        ref=rec.ref,
        name_used=rec.name_used,
        claimed_age=rec.claimed_age,
        unit_id=unit.id if unit else None,
        notes=rec.notes,
        created_at=ws.now(),
    )
    session.add(p)
    session.flush()
    for platform, handle in rec.handles:
        session.add(
            PersonaHandle(persona_id=p.id, platform=normalise_platform(platform), handle=handle)
        )
    for officer, role in rec.officers:
        session.add(PersonaOfficer(persona_id=p.id, officer=officer, role=role))
    session.flush()
    record_change(
        ws,
        session,
        "create",
        "persona",
        rec.ref,
        details={
            "name_used": rec.name_used,
            "claimed_age": rec.claimed_age,
            "unit": rec.unit_code,
            "handles": [list(h) for h in rec.handles],
            "officers": [list(o) for o in rec.officers],
        },
    )
    return p


def create_persona(
    ws: Workspace,
    ref: str,
    name_used: str,
    claimed_age: int,
    unit_code: str | None = None,
    handles: list[tuple[str, str]] | None = None,
    officers: list[tuple[str, str]] | None = None,
    notes: str | None = None,
) -> PersonaInfo:
    """Create a persona with its platform handles and controlling officers."""
    rec = _checked(
        PersonaRecord(ref, name_used, claimed_age, unit_code, handles or [], officers or [], notes)
    )
    try:
        with ws.transaction() as session:
            return _persona_info(session, _add(ws, session, rec), ws.now())
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "persona", rec.ref) from exc


def create_personas(ws: Workspace, session: Session, records: Sequence[PersonaRecord]) -> None:
    """:func:`create_persona` for many personas inside the caller's transaction: the same checks
    (nothing is written if one record is refused), one ``create`` entry per persona."""
    recs = check_each(records, _checked, "persona")
    check_new_refs(session, Persona.ref, [r.ref for r in recs], "persona")
    for rec in recs:
        _add(ws, session, rec)


def add_handle(ws: Workspace, persona_ref: str, platform: str, handle: str) -> PersonaInfo:
    with ws.transaction() as session:
        p = get_persona(session, persona_ref)
        session.add(
            PersonaHandle(persona_id=p.id, platform=normalise_platform(platform), handle=handle)
        )
        session.flush()
        record_change(
            ws,
            session,
            "update",
            "persona",
            persona_ref,
            details={"add_handle": [platform, handle]},
        )
        return _persona_info(session, p, ws.now())


def add_officer(ws: Workspace, persona_ref: str, officer: str, role: str) -> PersonaInfo:
    check_term("officer_roles", role)
    with ws.transaction() as session:
        p = get_persona(session, persona_ref)
        session.add(PersonaOfficer(persona_id=p.id, officer=officer, role=role))
        session.flush()
        record_change(
            ws, session, "update", "persona", persona_ref, details={"add_officer": [officer, role]}
        )
        return _persona_info(session, p, ws.now())


def list_personas(ws: Workspace) -> list[PersonaInfo]:
    with ws.sessions() as session:
        ps = session.execute(select(Persona).order_by(Persona.ref)).scalars().all()
        return [_persona_info(session, p, ws.now()) for p in ps]


def show_persona(ws: Workspace, ref: str) -> PersonaInfo:
    with ws.sessions() as session:
        return _persona_info(session, get_persona(session, ref), ws.now())
