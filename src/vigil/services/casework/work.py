"""Case work for a signed-in person (the browser's case-work page and its API twins).

Each function checks the person's membership of the case and what their role allows
(:func:`vigil.services.access.require_case`), checks that every record it names belongs to
that case (a suspect, child, operation or authorisation of another case is "not found", so
that the forms do not reveal other cases' records), and then calls the same case-work service
as the command line, acting as that person: the same rules, and the same custody entry
attributed to them. Authorisations, which the command line records against no case, are
recorded here only for the case's own operations, in one transaction with the check.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Authorisation, Case, Child, Operation, Persona, Suspect
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.services.access import (
    Principal,
    record_view,
    require_case,
    role_allows,
    stated_purpose,
)
from vigil.services.cases import CaseInfo, check_tz, create_case
from vigil.services.casework import authorisations as auths
from vigil.services.casework.children import (
    ChildInfo,
    add_safeguarding,
    create_child,
    list_children,
)
from vigil.services.casework.offences import OffenceInfo, add_offence, list_offences
from vigil.services.casework.outcomes import (
    OutcomeInfo,
    Sentence,
    list_outcomes,
    record_outcome,
)
from vigil.services.casework.referrals import ReferralInfo, create_referral, list_referrals
from vigil.services.casework.suspects import (
    AssessmentInfo,
    SuspectInfo,
    assess_suspect,
    create_suspect,
    list_suspects,
)
from vigil.services.workspace import Workspace

OPEN_NEED = "write"
"""Opening a case needs a role that may write case records (administrator, supervisor,
investigator, analyst): the rule :func:`vigil.services.cases.create_case` enforces for the
command line. Whoever opens a case becomes its first member."""


YEARS = (1900, 2199)
"""The years a date or time typed for a record may fall in (beyond them, a typing mistake)."""
NUMBER_LIMIT = 100_000
"""The largest size of a number typed for a record (months, days, ages)."""


def check_year(value: date, what: str) -> None:
    """A UserError unless ``value`` falls in :data:`YEARS`."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise UserError(
            f"{what}: {value.year} is outside the years a record may have",
            hint=f"a year from {YEARS[0]} to {YEARS[1]}",
        )


def may_open_cases(user: Principal) -> bool:
    """Whether ``user``'s role may open a case (for showing the "New case" link)."""
    return role_allows(user.role, OPEN_NEED)


def require_open(user: Principal) -> None:
    """AccessDenied unless ``user``'s role may open cases."""
    if not may_open_cases(user):
        raise AccessDenied(
            f"the {user.role_label} role may not open cases",
            hint="ask an investigator, analyst, supervisor or administrator to open it",
        )


def open_case(
    ws: Workspace, user: Principal, ref: str, title: str, unit: str | None, tz: str | None
) -> CaseInfo:
    """Open a case as ``user`` (who becomes its first member)."""
    require_open(user)
    if not title.strip():
        raise UserError("give the case a title", hint="a few words officers will recognise")
    if tz:
        try:
            check_tz(tz)
        except OSError as exc:  # a folder of zones, e.g. "Europe"
            raise UserError(f"unknown time zone {tz!r}", hint="e.g. Europe/London or UTC") from exc
    return create_case(ws.acting_for(user), ref, title.strip(), unit or None, tz or None)


@dataclass(frozen=True, slots=True)
class OperationRow:
    ref: str
    name: str
    opened_on: date
    closed_on: date | None


@dataclass(slots=True)
class CaseWork:
    """A case's case-work records, as the work page lists them."""

    case_ref: str
    title: str
    time_zone: str
    may_write: bool
    suspects: list[SuspectInfo]
    children: list[ChildInfo]
    offences: list[OffenceInfo]
    outcomes: list[OutcomeInfo]
    referrals: list[ReferralInfo]
    operations: list[OperationRow]
    authorisations: list[auths.AuthInfo]


def _case_auths(session: Session, case: Case, now: datetime) -> list[auths.AuthInfo]:
    rows = session.execute(
        select(Authorisation, Persona.ref)
        .join(Persona, Persona.id == Authorisation.persona_id)
        .join(Operation, Operation.id == Authorisation.operation_id)
        .where(Operation.case_id == case.id)
        .order_by(Authorisation.granted_at, Authorisation.ref)
    ).all()
    return [auths.auth_info(session, a, pref, now) for a, pref in rows]


def case_work(ws: Workspace, user: Principal, case_ref: str) -> CaseWork:
    """The case's suspects, children, offences, outcomes, referrals, operations and the
    authorisations covering its operations. Needs read access; the view is recorded (with the
    purpose stated for the case in this sign-in, if any), as the case page's is."""
    with ws.transaction() as s:
        case = require_case(s, user, case_ref, "read")
        ops = [
            OperationRow(o.ref, o.name, o.opened_on, o.closed_on)
            for o in s.execute(
                select(Operation).where(Operation.case_id == case.id).order_by(Operation.ref)
            ).scalars()
        ]
        authorisations = _case_auths(s, case, ws.now())
        title, tz = case.title, case.default_tz
        purpose = stated_purpose(s, user, case.id, ws.now())
        record_view(
            s, user, case_ref, object_type="case", object_id=case_ref, purpose=purpose,
            details={"page": "case work"}, now=ws.now(),
        )  # fmt: skip
    return CaseWork(
        case_ref,
        title,
        tz,
        role_allows(user.role, "write"),
        list_suspects(ws, case_ref),
        list_children(ws, case_ref),
        list_offences(ws, case_ref),
        list_outcomes(ws, case_ref),
        list_referrals(ws, case_ref),
        ops,
        authorisations,
    )


def local(value: datetime | None, tz: str) -> datetime | None:
    """A time without an offset taken in ``tz``, as UTC; an aware time as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


# --- checks that named records belong to the case ----------------------------------------------


def _suspect_in(session: Session, case: Case, ref: str) -> Suspect:
    s = session.execute(
        select(Suspect).where(Suspect.ref == ref.strip(), Suspect.case_id == case.id)
    ).scalar_one_or_none()
    if s is None:
        raise NotFound(f"no suspect {ref!r} in case {case.ref}", hint="choose one of its suspects")
    return s


def _child_in(session: Session, case: Case, ref: str) -> Child:
    c = session.execute(
        select(Child).where(Child.ref == ref.strip(), Child.case_id == case.id)
    ).scalar_one_or_none()
    if c is None:
        raise NotFound(f"no child {ref!r} in case {case.ref}", hint="choose one of its children")
    return c


def _writer(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    *,
    suspects: tuple[str | None, ...] = (),
    children: tuple[str | None, ...] = (),
) -> tuple[Workspace, str]:
    """Check write access and that the named suspects and children are the case's; the
    workspace acting as ``user`` (the service checks role and membership again, inside its
    own transaction) and the case's time zone."""
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "write")
        for ref in suspects:
            if ref:
                _suspect_in(s, case, ref)
        for ref in children:
            if ref:
                _child_in(s, case, ref)
        tz = case.default_tz
    return ws.acting_for(user), tz


# --- suspects, children, offences, outcomes, referrals -----------------------------------------


def add_suspect(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    ref: str,
    label: str,
    year_of_birth: int | None = None,
    identifiers: list[tuple[str, str, str]] | None = None,
) -> SuspectInfo:
    if not label.strip():
        raise UserError("give the suspect a pseudonymous label", hint="e.g. Subject ALDER")
    uws, _ = _writer(ws, user, case_ref)
    return create_suspect(uws, case_ref, ref, label.strip(), year_of_birth, identifiers or [])


def assess(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    suspect_ref: str,
    answers: dict[str, bool | str],
    assessor: str,
    assessed_at: datetime | None = None,
) -> AssessmentInfo:
    if not assessor.strip():
        raise UserError("name the assessor", hint="the officer who made the assessment")
    uws, tz = _writer(ws, user, case_ref, suspects=(suspect_ref,))
    return assess_suspect(
        uws, suspect_ref.strip(), answers, assessor.strip(), local(assessed_at, tz)
    )


def add_child(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    ref: str,
    age_at_time: int | None,
    suspect_ref: str | None = None,
) -> ChildInfo:
    uws, _ = _writer(ws, user, case_ref, suspects=(suspect_ref,))
    return create_child(uws, case_ref, ref, age_at_time, (suspect_ref or "").strip() or None)


def safeguard(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    child_ref: str,
    kind: str,
    action_on: date,
    recorded_by: str,
    detail: str | None = None,
) -> ChildInfo:
    if not recorded_by.strip():
        raise UserError("name the officer recording the action")
    uws, _ = _writer(ws, user, case_ref, children=(child_ref,))
    return add_safeguarding(uws, child_ref.strip(), kind, action_on, recorded_by.strip(), detail)


def offence(
    ws: Workspace,
    user: Principal,
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
) -> OffenceInfo:
    uws, _ = _writer(ws, user, case_ref, suspects=(suspect_ref,), children=(child_ref,))
    return add_offence(
        uws, case_ref, offence_type, legal_form, suspect_ref=suspect_ref or None,
        image_category=image_category or None, platforms=platforms or [], principal=principal,
        committed_from=committed_from, committed_to=committed_to, child_ref=child_ref or None,
    )  # fmt: skip


def outcome(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    suspect_ref: str,
    kind: str,
    occurred_on: date,
    *,
    detail: str | None = None,
    sentence: Sentence | None = None,
) -> OutcomeInfo:
    uws, _ = _writer(ws, user, case_ref, suspects=(suspect_ref,))
    return record_outcome(
        uws, suspect_ref.strip(), kind, occurred_on, detail=detail or None, sentence=sentence
    )


def referral(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    ref: str,
    direction: str,
    partner_kind: str,
    partner_name: str,
    occurred_on: date,
    *,
    external_ref: str | None = None,
    summary: str | None = None,
) -> ReferralInfo:
    if not partner_name.strip():
        raise UserError("name the partner", hint="e.g. the force or the platform")
    uws, _ = _writer(ws, user, case_ref)
    return create_referral(
        uws, ref, direction, partner_kind, partner_name.strip(), occurred_on,
        case_ref=case_ref, external_ref=external_ref or None, summary=summary or None,
    )  # fmt: skip


# --- authorisations covering the case's operations ---------------------------------------------


def _record(
    ws: Workspace, user: Principal, case_ref: str, event: auths.AuthEvent
) -> auths.AuthInfo:
    """One grant, review, renewal or cancellation through the same checks and entry as the
    command line's (:func:`~vigil.services.casework.authorisations.record_authorisations`), in
    one transaction with the check that it concerns this case's operations."""
    uws = ws.acting_for(user)
    with uws.transaction() as s:
        case = require_case(s, user, case_ref, "write")
        event = _localised(event, case.default_tz)
        if isinstance(event, auths.Grant):
            op = s.execute(
                select(Operation).where(
                    Operation.ref == (event.operation_ref or ""), Operation.case_id == case.id
                )
            ).scalar_one_or_none()
            if op is None:
                raise NotFound(
                    f"no operation {event.operation_ref or ''!r} in case {case_ref}",
                    hint="an authorisation recorded here covers one of the case's operations",
                )
        else:
            held = s.execute(
                select(Authorisation.id)
                .join(Operation, Operation.id == Authorisation.operation_id)
                .where(Authorisation.ref == event.ref, Operation.case_id == case.id)
            ).scalar_one_or_none()
            if held is None:
                raise NotFound(
                    f"no authorisation {event.ref!r} for the operations of case {case_ref}",
                    hint="choose one listed on the case-work page",
                )
        try:
            auths.record_authorisations(uws, s, [event])
        except UserError as exc:  # the rule's own words, not the batch's wrapping
            cause = exc.__cause__
            raise (cause if isinstance(cause, UserError) else exc) from None
        a = auths.get_authorisation(s, event.ref.strip())
        persona = s.get(Persona, a.persona_id)
        assert persona is not None
        return auths.auth_info(s, a, persona.ref, uws.now())


def _localised(event: auths.AuthEvent, tz: str) -> auths.AuthEvent:
    """The event with its times typed without an offset read in the case's time zone."""
    changes: dict[str, Any] = {}
    for f in fields(event):
        value = getattr(event, f.name)
        if isinstance(value, datetime):
            changes[f.name] = local(value, tz)
    return replace(event, **changes)


def grant(ws: Workspace, user: Principal, case_ref: str, g: auths.Grant) -> auths.AuthInfo:
    """Record a granted authorisation for one of the case's operations."""
    for what, text in (("authorising officer", g.authorising_officer), ("persona", g.persona_ref)):
        if not text.strip():
            raise UserError(f"give the {what}")
    return _record(ws, user, case_ref, g)


def review(ws: Workspace, user: Principal, case_ref: str, r: auths.Review) -> auths.AuthInfo:
    if not r.reviewer.strip():
        raise UserError("name the reviewing officer")
    return _record(ws, user, case_ref, r)


def renew(ws: Workspace, user: Principal, case_ref: str, r: auths.Renewal) -> auths.AuthInfo:
    if not r.authorising_officer.strip():
        raise UserError("name the renewing officer")
    return _record(ws, user, case_ref, r)


def cancel(ws: Workspace, user: Principal, case_ref: str, c: auths.Cancellation) -> auths.AuthInfo:
    if not c.by.strip() or not c.reason.strip():
        raise UserError("name the cancelling officer and give the reason")
    return _record(ws, user, case_ref, c)
