"""Online personas: create, handles, officers, list, show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term, normalise_platform
from vigil.db.tables.cases import Authorisation, Persona, PersonaHandle, PersonaOfficer, Unit
from vigil.errors import NotFound, UserError
from vigil.services.casework import authorisations
from vigil.services.casework.common import check_ref, record_change, unique_or_error
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


def _persona_info(session: Session, p: Persona, now: datetime) -> PersonaInfo:
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
    auths = [
        authorisations.auth_info(session, a, p.ref, now)
        for a in session.execute(
            select(Authorisation)
            .where(Authorisation.persona_id == p.id)
            .order_by(Authorisation.granted_at)
        ).scalars()
    ]
    return PersonaInfo(
        p.ref, p.name_used, p.claimed_age, unit.code if unit else None, handles, officers, auths
    )


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
    ref = check_ref(ref, "persona")
    if not 0 < claimed_age < 120:
        raise UserError(f"claimed age {claimed_age} is out of range")
    for _, role in officers or []:
        check_term("officer_roles", role)
    try:
        with ws.transaction() as session:
            unit = get_unit(session, unit_code) if unit_code else None
            p = Persona(
                ref=ref,
                name_used=name_used,
                claimed_age=claimed_age,
                unit_id=unit.id if unit else None,
                notes=notes,
                created_at=ws.now(),
            )
            session.add(p)
            session.flush()
            for platform, handle in handles or []:
                session.add(
                    PersonaHandle(
                        persona_id=p.id, platform=normalise_platform(platform), handle=handle
                    )
                )
            for officer, role in officers or []:
                session.add(PersonaOfficer(persona_id=p.id, officer=officer, role=role))
            session.flush()
            record_change(
                ws,
                session,
                "create",
                "persona",
                ref,
                details={
                    "name_used": name_used,
                    "claimed_age": claimed_age,
                    "unit": unit_code,
                    "handles": [list(h) for h in handles or []],
                    "officers": [list(o) for o in officers or []],
                },
            )
            return _persona_info(session, p, ws.now())
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "persona", ref) from exc


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
