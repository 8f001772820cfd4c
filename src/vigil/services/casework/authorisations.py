"""Authorisations for online personas: grant, review, renew, cancel, warnings, and the
check that a capture under a persona was covered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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


@dataclass(frozen=True, slots=True)
class Grant:
    """A granted authorisation (as :func:`grant_authorisation` takes it)."""

    ref: str
    persona_ref: str
    kind: str
    authorising_officer: str
    rank: str
    granted_at: datetime
    urgent_oral: bool = False
    operation_ref: str | None = None
    review_every_days: int | None = None
    judicial_approved_at: datetime | None = None
    judicial_commissioner: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """A review of an authorisation (as :func:`review_authorisation` takes it)."""

    ref: str
    reviewer: str
    reviewed_at: datetime
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Renewal:
    """A renewal of an authorisation (as :func:`renew_authorisation` takes it)."""

    ref: str
    authorising_officer: str
    rank: str
    renewed_at: datetime
    judicial_approved_at: datetime | None = None
    judicial_commissioner: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A cancellation of an authorisation (as :func:`cancel_authorisation` takes it)."""

    ref: str
    by: str
    at: datetime
    reason: str


AuthEvent = Grant | Review | Renewal | Cancellation


def _checked_grant(rules: authrules.AuthRules, rec: Grant) -> tuple[Grant, datetime]:
    """The grant with its reference checked, and its expiry under the rules; or a UserError."""
    rule = rules.kind(rec.kind)
    required = rule.urgent_rank if rec.urgent_oral else rule.grant_rank
    if not rules.rank_ok(rec.rank, required):
        raise UserError(
            f"a {rule.label} authorisation needs the rank {required} or above, not {rec.rank}"
        )
    ref = check_ref(rec.ref, "authorisation")
    return replace(rec, ref=ref), authrules.initial_expiry(rule, rec.granted_at, rec.urgent_oral)


def _grant(
    ws: Workspace, session: Session, rules: authrules.AuthRules, rec: Grant, expires: datetime
) -> Authorisation:
    p = personas.get_persona(session, rec.persona_ref)
    op = get_operation(session, rec.operation_ref) if rec.operation_ref else None
    a = Authorisation(
        ref=rec.ref,
        persona_id=p.id,
        operation_id=op.id if op else None,
        kind=rec.kind,
        urgent_oral=rec.urgent_oral,
        authorising_officer=rec.authorising_officer,
        authorising_rank=rec.rank,
        granted_at=rec.granted_at,
        expires_at=expires,
        review_every_days=rec.review_every_days or rules.kind(rec.kind).review_every_days,
        judicial_approved_at=rec.judicial_approved_at,
        judicial_commissioner=rec.judicial_commissioner,
        notes=rec.notes,
        created_at=ws.now(),
    )
    session.add(a)
    session.flush()
    record_change(
        ws,
        session,
        "create",
        "authorisation",
        rec.ref,
        details={
            "persona": rec.persona_ref,
            "kind": rec.kind,
            "urgent_oral": rec.urgent_oral,
            "authorising_officer": rec.authorising_officer,
            "rank": rec.rank,
            "granted_at": rec.granted_at.isoformat(),
            "expires_at": expires.isoformat(),
            "operation": rec.operation_ref,
            "rules_version": rules.version,
        },
    )
    return a


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
    rec, expires = _checked_grant(
        rules,
        Grant(
            ref,
            persona_ref,
            kind,
            authorising_officer,
            rank,
            granted_at,
            urgent_oral,
            operation_ref,
            review_every_days,
            judicial_approved_at,
            judicial_commissioner,
            notes,
        ),
    )
    try:
        with ws.transaction() as session:
            a = _grant(ws, session, rules, rec, expires)
            return auth_info(session, a, persona_ref, ws.now())
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "authorisation", rec.ref) from exc


def _review(ws: Workspace, session: Session, a: Authorisation, p: Persona, rec: Review) -> None:
    live, why = authrules.status_at(auth_state(session, a, p.ref), rec.reviewed_at)
    if not live:
        raise UserError(f"cannot review: {why}")
    session.add(
        AuthorisationReview(
            authorisation_id=a.id,
            reviewed_at=rec.reviewed_at,
            reviewer=rec.reviewer,
            notes=rec.notes,
        )
    )
    session.flush()
    record_change(
        ws,
        session,
        "update",
        "authorisation",
        rec.ref,
        details={"review_at": rec.reviewed_at.isoformat(), "reviewer": rec.reviewer},
    )


def _persona_of(session: Session, a: Authorisation) -> Persona:
    p = session.get(Persona, a.persona_id)
    assert p is not None
    return p


def review_authorisation(
    ws: Workspace, ref: str, reviewer: str, reviewed_at: datetime, notes: str | None = None
) -> AuthInfo:
    """Record a review; the next review falls due one interval later."""
    with ws.transaction() as session:
        a = get_authorisation(session, ref)
        p = _persona_of(session, a)
        _review(ws, session, a, p, Review(ref, reviewer, reviewed_at, notes))
        return auth_info(session, a, p.ref, ws.now())


def _renew(
    ws: Workspace,
    session: Session,
    rules: authrules.AuthRules,
    a: Authorisation,
    p: Persona,
    rec: Renewal,
) -> None:
    state = auth_state(session, a, p.ref)
    new_expiry = authrules.renewal_expiry(
        rules, state, rec.renewed_at, rec.rank, rec.judicial_approved_at
    )
    session.add(
        AuthorisationRenewal(
            authorisation_id=a.id,
            renewed_at=rec.renewed_at,
            authorising_officer=rec.authorising_officer,
            authorising_rank=rec.rank,
            previous_expires_at=a.expires_at,
            new_expires_at=new_expiry,
            judicial_approved_at=rec.judicial_approved_at,
            judicial_commissioner=rec.judicial_commissioner,
            notes=rec.notes,
        )
    )
    previous = a.expires_at
    a.expires_at = new_expiry
    if rec.judicial_approved_at is not None:
        a.judicial_approved_at = rec.judicial_approved_at
        a.judicial_commissioner = rec.judicial_commissioner
    session.flush()
    record_change(
        ws,
        session,
        "update",
        "authorisation",
        rec.ref,
        details={
            "renewed_at": rec.renewed_at.isoformat(),
            "by": rec.authorising_officer,
            "rank": rec.rank,
            "previous_expires_at": previous.isoformat(),
            "expires_at": new_expiry.isoformat(),
            "judicial_approved_at": rec.judicial_approved_at.isoformat()
            if rec.judicial_approved_at
            else None,
        },
    )


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
    rec = Renewal(
        ref,
        authorising_officer,
        rank,
        renewed_at,
        judicial_approved_at,
        judicial_commissioner,
        notes,
    )
    with ws.transaction() as session:
        a = get_authorisation(session, ref)
        p = _persona_of(session, a)
        _renew(ws, session, rules, a, p, rec)
        return auth_info(session, a, p.ref, ws.now())


def _cancel(ws: Workspace, session: Session, a: Authorisation, rec: Cancellation) -> None:
    if a.cancelled_at is not None:
        raise UserError(f"{rec.ref} was already cancelled")
    if rec.at < a.granted_at:
        raise UserError("cancellation time is before the grant")
    a.cancelled_at, a.cancelled_by, a.cancel_reason = rec.at, rec.by, rec.reason
    session.flush()
    record_change(
        ws,
        session,
        "update",
        "authorisation",
        rec.ref,
        details={"cancelled_at": rec.at.isoformat(), "by": rec.by, "reason": rec.reason},
    )


def cancel_authorisation(ws: Workspace, ref: str, by: str, at: datetime, reason: str) -> AuthInfo:
    """Cancel an authorisation from ``at`` on (it is kept; nothing is deleted)."""
    with ws.transaction() as session:
        a = get_authorisation(session, ref)
        p = _persona_of(session, a)
        _cancel(ws, session, a, Cancellation(ref, by, at, reason))
        return auth_info(session, a, p.ref, ws.now())


def record_authorisations(
    ws: Workspace,
    session: Session,
    events: Sequence[AuthEvent],
    rules: authrules.AuthRules | None = None,
) -> None:
    """Grants, reviews, renewals and cancellations, applied in the given order inside the
    caller's transaction, each through the same checks and with the same entry as
    :func:`grant_authorisation`, :func:`review_authorisation`, :func:`renew_authorisation` and
    :func:`cancel_authorisation` (so a review must fall while the authorisation is live, as
    it then stands). The first refused event refuses the batch, naming its position."""
    rules = rules or authrules.load_rules()
    held: dict[str, tuple[Authorisation, Persona]] = {}

    def get(ref: str) -> tuple[Authorisation, Persona]:
        if ref not in held:
            a = get_authorisation(session, ref)
            held[ref] = (a, _persona_of(session, a))
        return held[ref]

    for i, e in enumerate(events, start=1):
        try:
            if isinstance(e, Grant):
                rec, expires = _checked_grant(rules, e)
                if (
                    rec.ref in held
                    or session.execute(
                        select(Authorisation.id).where(Authorisation.ref == rec.ref)
                    ).first()
                ):
                    raise UserError(
                        f"authorisation {rec.ref!r} already exists",
                        hint="choose another reference",
                    )
                a = _grant(ws, session, rules, rec, expires)
                held[a.ref] = (a, _persona_of(session, a))
            elif isinstance(e, Review):
                a, p = get(e.ref)
                _review(ws, session, a, p, e)
            elif isinstance(e, Renewal):
                a, p = get(e.ref)
                _renew(ws, session, rules, a, p, e)
            else:
                a, _ = get(e.ref)
                _cancel(ws, session, a, e)
        except UserError as exc:
            raise UserError(
                f"authorisation event {i} of {len(events)} ({e.ref}) refused: {exc}",
                hint=exc.hint,
            ) from exc


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
