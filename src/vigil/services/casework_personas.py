"""Online personas and their authorisations: grant, review, renew, cancel, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases import authorisation as authrules
from vigil.cases.taxonomy import check_term, normalise_platform
from vigil.db.tables_cases import (
    Authorisation,
    AuthorisationRenewal,
    AuthorisationReview,
    Operation,
    Persona,
    PersonaHandle,
    PersonaOfficer,
    Unit,
)
from vigil.errors import NotFound, UserError
from vigil.services.casework import (
    audit,
    auth_state,
    check_ref,
    get_operation,
    get_unit,
    unique_or_error,
)
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class AuthInfo:
    ref: str
    persona: str
    kind: str
    urgent_oral: bool
    authorising_officer: str
    authorising_rank: str
    granted_at: datetime
    expires_at: datetime
    next_review_due: datetime
    reviews: int
    renewals: int
    cancelled_at: datetime | None
    judicial_approved_at: datetime | None
    operation: str | None
    live_now: bool
    status: str


@dataclass(frozen=True, slots=True)
class PersonaInfo:
    ref: str
    name_used: str
    claimed_age: int
    unit: str | None
    handles: list[tuple[str, str]]
    officers: list[tuple[str, str]]
    authorisations: list[AuthInfo] = field(default_factory=list)


def get_persona(session: Session, ref: str) -> Persona:
    p = session.execute(select(Persona).where(Persona.ref == ref)).scalar_one_or_none()
    if p is None:
        raise NotFound(f"no persona {ref!r}", hint="see `vigil persona list`")
    return p


def get_authorisation(session: Session, ref: str) -> Authorisation:
    a = session.execute(select(Authorisation).where(Authorisation.ref == ref)).scalar_one_or_none()
    if a is None:
        raise NotFound(f"no authorisation {ref!r}", hint="see `vigil authorisation list`")
    return a


def _auth_info(session: Session, a: Authorisation, persona_ref: str, now: datetime) -> AuthInfo:
    state = auth_state(session, a, persona_ref)
    live, why = authrules.status_at(state, now)
    renewals = len(
        session.execute(
            select(AuthorisationRenewal.id).where(AuthorisationRenewal.authorisation_id == a.id)
        ).all()
    )
    op_ref = None
    if a.operation_id is not None:
        op = session.get(Operation, a.operation_id)
        op_ref = op.ref if op else None
    return AuthInfo(
        a.ref,
        persona_ref,
        a.kind,
        a.urgent_oral,
        a.authorising_officer,
        a.authorising_rank,
        a.granted_at,
        a.expires_at,
        authrules.next_review_due(state),
        len(state.reviews),
        renewals,
        a.cancelled_at,
        a.judicial_approved_at,
        op_ref,
        live,
        why,
    )


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
        _auth_info(session, a, p.ref, now)
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
            audit(
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
        audit(
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
        audit(
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


def grant_authorisation(
    ws: Workspace,
    ref: str,
    persona_ref: str,
    kind: str,
    authorising_officer: str,
    rank: str,
    granted_at: datetime,
    *,
    urgent_oral: bool = False,
    operation_ref: str | None = None,
    review_every_days: int | None = None,
    judicial_approved_at: datetime | None = None,
    judicial_commissioner: str | None = None,
    notes: str | None = None,
    rules: authrules.AuthRules | None = None,
) -> AuthInfo:
    """Record a granted authorisation; its expiry follows the rules for its type."""
    rules = rules or authrules.load_rules()
    rule = rules.kind(kind)
    required = rule.urgent_rank if urgent_oral else rule.grant_rank
    if not rules.rank_ok(rank, required):
        raise UserError(
            f"a {rule.label} authorisation needs the rank {required} or above, not {rank}"
        )
    ref = check_ref(ref, "authorisation")
    expires = authrules.initial_expiry(rule, granted_at, urgent_oral)
    try:
        with ws.transaction() as session:
            p = get_persona(session, persona_ref)
            op = get_operation(session, operation_ref) if operation_ref else None
            a = Authorisation(
                ref=ref,
                persona_id=p.id,
                operation_id=op.id if op else None,
                kind=kind,
                urgent_oral=urgent_oral,
                authorising_officer=authorising_officer,
                authorising_rank=rank,
                granted_at=granted_at,
                expires_at=expires,
                review_every_days=review_every_days or rule.review_every_days,
                judicial_approved_at=judicial_approved_at,
                judicial_commissioner=judicial_commissioner,
                notes=notes,
                created_at=ws.now(),
            )
            session.add(a)
            session.flush()
            audit(
                ws,
                session,
                "create",
                "authorisation",
                ref,
                details={
                    "persona": persona_ref,
                    "kind": kind,
                    "urgent_oral": urgent_oral,
                    "authorising_officer": authorising_officer,
                    "rank": rank,
                    "granted_at": granted_at.isoformat(),
                    "expires_at": expires.isoformat(),
                    "operation": operation_ref,
                    "rules_version": rules.version,
                },
            )
            return _auth_info(session, a, persona_ref, ws.now())
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "authorisation", ref) from exc


def review_authorisation(
    ws: Workspace, ref: str, reviewer: str, reviewed_at: datetime, notes: str | None = None
) -> AuthInfo:
    """Record a review; the next review falls due one interval later."""
    with ws.transaction() as session:
        a = get_authorisation(session, ref)
        p = session.get(Persona, a.persona_id)
        assert p is not None
        live, why = authrules.status_at(auth_state(session, a, p.ref), reviewed_at)
        if not live:
            raise UserError(f"cannot review: {why}")
        session.add(
            AuthorisationReview(
                authorisation_id=a.id, reviewed_at=reviewed_at, reviewer=reviewer, notes=notes
            )
        )
        session.flush()
        audit(
            ws,
            session,
            "update",
            "authorisation",
            ref,
            details={"review_at": reviewed_at.isoformat(), "reviewer": reviewer},
        )
        return _auth_info(session, a, p.ref, ws.now())


def renew_authorisation(
    ws: Workspace,
    ref: str,
    authorising_officer: str,
    rank: str,
    renewed_at: datetime,
    *,
    judicial_approved_at: datetime | None = None,
    judicial_commissioner: str | None = None,
    notes: str | None = None,
    rules: authrules.AuthRules | None = None,
) -> AuthInfo:
    """Renew before expiry; a relevant source past 12 months in total needs the higher rank
    and a prior Judicial Commissioner approval (see the rules file)."""
    rules = rules or authrules.load_rules()
    with ws.transaction() as session:
        a = get_authorisation(session, ref)
        p = session.get(Persona, a.persona_id)
        assert p is not None
        state = auth_state(session, a, p.ref)
        new_expiry = authrules.renewal_expiry(rules, state, renewed_at, rank, judicial_approved_at)
        session.add(
            AuthorisationRenewal(
                authorisation_id=a.id,
                renewed_at=renewed_at,
                authorising_officer=authorising_officer,
                authorising_rank=rank,
                previous_expires_at=a.expires_at,
                new_expires_at=new_expiry,
                judicial_approved_at=judicial_approved_at,
                judicial_commissioner=judicial_commissioner,
                notes=notes,
            )
        )
        previous = a.expires_at
        a.expires_at = new_expiry
        if judicial_approved_at is not None:
            a.judicial_approved_at = judicial_approved_at
            a.judicial_commissioner = judicial_commissioner
        session.flush()
        audit(
            ws,
            session,
            "update",
            "authorisation",
            ref,
            details={
                "renewed_at": renewed_at.isoformat(),
                "by": authorising_officer,
                "rank": rank,
                "previous_expires_at": previous.isoformat(),
                "expires_at": new_expiry.isoformat(),
                "judicial_approved_at": judicial_approved_at.isoformat()
                if judicial_approved_at
                else None,
            },
        )
        return _auth_info(session, a, p.ref, ws.now())


def cancel_authorisation(ws: Workspace, ref: str, by: str, at: datetime, reason: str) -> AuthInfo:
    """Cancel an authorisation from ``at`` on (it is kept; nothing is deleted)."""
    with ws.transaction() as session:
        a = get_authorisation(session, ref)
        if a.cancelled_at is not None:
            raise UserError(f"{ref} was already cancelled")
        if at < a.granted_at:
            raise UserError("cancellation time is before the grant")
        a.cancelled_at, a.cancelled_by, a.cancel_reason = at, by, reason
        p = session.get(Persona, a.persona_id)
        assert p is not None
        session.flush()
        audit(
            ws,
            session,
            "update",
            "authorisation",
            ref,
            details={"cancelled_at": at.isoformat(), "by": by, "reason": reason},
        )
        return _auth_info(session, a, p.ref, ws.now())


def list_authorisations(ws: Workspace, persona_ref: str | None = None) -> list[AuthInfo]:
    with ws.sessions() as session:
        stmt = select(Authorisation, Persona.ref).join(
            Persona, Persona.id == Authorisation.persona_id
        )
        if persona_ref:
            stmt = stmt.where(Persona.ref == persona_ref)
        rows = session.execute(stmt.order_by(Authorisation.granted_at, Authorisation.ref)).all()
        return [_auth_info(session, a, pref, ws.now()) for a, pref in rows]


def authorisation_warnings(
    ws: Workspace, within_days: int | None = None, rules: authrules.AuthRules | None = None
) -> list[authrules.AuthWarning]:
    """Reviews and expiries of live authorisations due within ``within_days`` (default from
    the rules file), overdue reviews first."""
    rules = rules or authrules.load_rules()
    days = rules.warn_days if within_days is None else within_days
    now = ws.now()
    out: list[authrules.AuthWarning] = []
    with ws.sessions() as session:
        rows = session.execute(
            select(Authorisation, Persona.ref)
            .join(Persona, Persona.id == Authorisation.persona_id)
            .where(Authorisation.cancelled_at.is_(None), Authorisation.expires_at > now)
        ).all()
        for a, pref in rows:
            out.extend(authrules.warnings(rules, auth_state(session, a, pref), now, days))
    return sorted(out, key=lambda w: (w.what != "review_overdue", w.due_at, w.ref))
