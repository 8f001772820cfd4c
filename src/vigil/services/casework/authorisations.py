"""Authorisations for online personas: grant, review, renew, cancel, warnings, and the
check that a capture under a persona was covered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases import authorisation as authrules
from vigil.db.tables.cases import (
    Authorisation,
    AuthorisationRenewal,
    AuthorisationReview,
    Case,
    Operation,
    Persona,
)
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.services.cases import get_case
from vigil.services.casework import personas
from vigil.services.casework.common import check_ref, record_change, unique_or_error
from vigil.services.casework.operations import get_operation
from vigil.services.workspace import Workspace


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


def get_authorisation(session: Session, ref: str) -> Authorisation:
    a = session.execute(select(Authorisation).where(Authorisation.ref == ref)).scalar_one_or_none()
    if a is None:
        raise NotFound(f"no authorisation {ref!r}", hint="see `vigil authorisation list`")
    return a


def auth_info(session: Session, a: Authorisation, persona_ref: str, now: datetime) -> AuthInfo:
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
            p = personas.get_persona(session, persona_ref)
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
            record_change(
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
            return auth_info(session, a, persona_ref, ws.now())
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
        record_change(
            ws,
            session,
            "update",
            "authorisation",
            ref,
            details={"review_at": reviewed_at.isoformat(), "reviewer": reviewer},
        )
        return auth_info(session, a, p.ref, ws.now())


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
        record_change(
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
        return auth_info(session, a, p.ref, ws.now())


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
        record_change(
            ws,
            session,
            "update",
            "authorisation",
            ref,
            details={"cancelled_at": at.isoformat(), "by": by, "reason": reason},
        )
        return auth_info(session, a, p.ref, ws.now())


def list_authorisations(ws: Workspace, persona_ref: str | None = None) -> list[AuthInfo]:
    with ws.sessions() as session:
        stmt = select(Authorisation, Persona.ref).join(
            Persona, Persona.id == Authorisation.persona_id
        )
        if persona_ref:
            stmt = stmt.where(Persona.ref == persona_ref)
        rows = session.execute(stmt.order_by(Authorisation.granted_at, Authorisation.ref)).all()
        return [auth_info(session, a, pref, ws.now()) for a, pref in rows]


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
