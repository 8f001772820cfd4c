"""Case-work records on the case page: suspects with risk bands, children and safeguarding
actions, outcomes, and the personas and authorisations the user needs to know about.

Every loader checks membership with :func:`vigil.services.access.require_case` before it calls
a case-work service; templates never decide who may see what. Each section's data carries
``timeline`` events that the case page merges into its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from vigil.services.access import Principal, member_cases, require_case, role_allows
from vigil.services.cases import TimelineEvent
from vigil.services.workspace import Workspace


def _day(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


# --- suspects --------------------------------------------------------------------------------


@dataclass(slots=True)
class SuspectRow:
    ref: str
    label: str
    year_of_birth: int | None
    band: str | None
    score: int | None
    assessor: str | None
    assessed_at: datetime | None
    assessments: int
    identifiers: list[tuple[str, str, str]]


@dataclass(slots=True)
class SuspectsSection:
    rows: list[SuspectRow]
    timeline: list[TimelineEvent] = field(default_factory=list)


def suspects_section(ws: Workspace, user: Principal, case_ref: str) -> SuspectsSection:
    """The case's suspects, each with the band, assessor and date of the latest assessment."""
    from vigil.services.casework.suspects import list_suspects

    with ws.sessions() as s:
        require_case(s, user, case_ref, "read")
    out = SuspectsSection([])
    for sus in list_suspects(ws, case_ref):
        last = sus.assessments[-1] if sus.assessments else None
        out.rows.append(
            SuspectRow(
                sus.ref, sus.label, sus.year_of_birth,
                last.band if last else None, last.score if last else None,
                last.assessor if last else None, last.assessed_at if last else None,
                len(sus.assessments),
                [(i.platform, i.kind, i.value) for i in sus.identifiers],
            )
        )  # fmt: skip
        for a in sus.assessments:
            out.timeline.append(
                TimelineEvent(_aware(a.assessed_at), "assessment",
                              f"suspect {sus.ref} assessed {a.band} by {a.assessor}", None)
            )  # fmt: skip
    return out


# --- children and safeguarding ----------------------------------------------------------------


@dataclass(slots=True)
class ChildRow:
    ref: str
    age_at_time: int | None
    suspect: str | None
    safeguarded_on: date | None
    actions: list[tuple[date, str, str | None, str]]


@dataclass(slots=True)
class ChildrenSection:
    rows: list[ChildRow]
    labels: dict[str, str]
    timeline: list[TimelineEvent] = field(default_factory=list)


def children_section(ws: Workspace, user: Principal, case_ref: str) -> ChildrenSection:
    """Children by pseudonymous reference, their age at the time, and dated safeguarding."""
    from vigil.cases.taxonomy import vocabulary
    from vigil.services.casework.children import list_children

    with ws.sessions() as s:
        require_case(s, user, case_ref, "read")
    labels = dict(vocabulary().get("safeguarding_actions", {}))
    out = ChildrenSection([], labels)
    for c in list_children(ws, case_ref):
        actions = [(a.action_on, a.kind, a.detail, a.recorded_by) for a in c.actions]
        out.rows.append(ChildRow(c.ref, c.age_at_time, c.suspect, c.safeguarded_on, actions))
        for a in c.actions:
            out.timeline.append(
                TimelineEvent(_day(a.action_on), "safeguarding",
                              f"child {c.ref}: {labels.get(a.kind, a.kind)}", None)
            )  # fmt: skip
    return out


# --- outcomes ---------------------------------------------------------------------------------


@dataclass(slots=True)
class OutcomeRow:
    suspect: str
    kind: str
    label: str
    occurred_on: date
    detail: str | None
    sentence: str | None


@dataclass(slots=True)
class OutcomesSection:
    rows: list[OutcomeRow]
    timeline: list[TimelineEvent] = field(default_factory=list)


def describe_sentence(months: int | None, suspended: bool, licence: int | None,
                      notification: int | None, indefinite: bool, orders: list[str]) -> str:  # fmt: skip
    """A sentence in words, e.g. ``30 months custody; notification indefinite; SHPO``."""
    parts = []
    if months:
        parts.append(f"{months} months custody" + (" suspended" if suspended else ""))
    if licence:
        parts.append(f"{licence} months extended licence")
    if indefinite:
        parts.append("notification indefinite")
    elif notification:
        parts.append(f"notification {notification} months")
    parts.extend(o.upper() for o in orders)
    return "; ".join(parts) or "non-custodial"


def outcomes_section(ws: Workspace, user: Principal, case_ref: str) -> OutcomesSection:
    """Arrests, charges, convictions, sentences and NFAs of the case's suspects, by date."""
    from vigil.cases.taxonomy import vocabulary
    from vigil.services.casework.outcomes import list_outcomes

    with ws.sessions() as s:
        require_case(s, user, case_ref, "read")
    labels = dict(vocabulary().get("outcome_kinds", {}))
    out = OutcomesSection([])
    for o in list_outcomes(ws, case_ref):
        sentence = None
        if o.sentence is not None:
            x = o.sentence
            sentence = describe_sentence(x.custodial_months, x.suspended,
                                         x.extended_licence_months, x.notification_months,
                                         x.notification_indefinite, x.prevention_orders)  # fmt: skip
        label = labels.get(o.kind, o.kind)
        out.rows.append(OutcomeRow(o.suspect, o.kind, label, o.occurred_on, o.detail, sentence))
        out.timeline.append(
            TimelineEvent(_day(o.occurred_on), "outcome", f"{label}: suspect {o.suspect}", None)
        )
    return out


# --- personas and authorisations ----------------------------------------------------------------

PERSONA_NEEDS = ("read", "audit")
"""A member whose role allows either may see the authorisations covering the case's operations."""


@dataclass(slots=True)
class AuthRow:
    ref: str
    kind: str
    operation: str | None
    case_ref: str | None
    authorising_officer: str
    authorising_rank: str
    granted_at: datetime
    next_review_due: datetime
    expires_at: datetime
    cancelled_at: datetime | None
    live_now: bool
    status: str
    warnings: list[str]


@dataclass(slots=True)
class PersonaRow:
    ref: str
    name_used: str
    claimed_age: int
    unit: str | None
    handles: list[tuple[str, str]]
    officers: list[tuple[str, str]]
    authorisations: list[AuthRow]


def visible_authorisations(ws: Workspace, user: Principal) -> dict[str, tuple[str, str]]:
    """Authorisation ref -> (operation ref, case ref) for the operations of the user's cases."""
    from vigil.db.tables.cases import Authorisation, Operation

    with ws.sessions() as s:
        cases = {c.id: c.ref for c in member_cases(s, user)
                 if any(role_allows(user.role, n) for n in PERSONA_NEEDS)}  # fmt: skip
        if not cases:
            return {}
        rows = s.execute(
            select(Authorisation.ref, Operation.ref, Operation.case_id)
            .join(Operation, Operation.id == Authorisation.operation_id)
            .where(Operation.case_id.in_(list(cases)))
        ).all()
    return {a: (op, cases[cid]) for a, op, cid in rows if cid is not None}


def my_personas(ws: Workspace, user: Principal) -> list[PersonaRow]:
    """Personas with an authorisation covering an operation of a case the user is on.

    Only those authorisations are listed; others of the same persona (for other cases' operations
    or none) are left out, so that a persona's wider deployment stays need to know.
    """
    from vigil.services.casework.authorisations import authorisation_warnings
    from vigil.services.casework.personas import list_personas

    visible = visible_authorisations(ws, user)
    if not visible:
        return []
    warns: dict[str, list[str]] = {}
    for w in authorisation_warnings(ws):
        if w.ref in visible:
            warns.setdefault(w.ref, []).append(w.message)
    out = []
    for p in list_personas(ws):
        auths = [
            AuthRow(a.ref, a.kind, a.operation, visible[a.ref][1], a.authorising_officer,
                    a.authorising_rank, a.granted_at, a.next_review_due, a.expires_at,
                    a.cancelled_at, a.live_now, a.status, warns.get(a.ref, []))
            for a in p.authorisations
            if a.ref in visible
        ]  # fmt: skip
        if auths:
            out.append(PersonaRow(p.ref, p.name_used, p.claimed_age, p.unit, p.handles,
                                  p.officers, auths))  # fmt: skip
    return out


def case_personas(ws: Workspace, user: Principal, case_ref: str) -> list[PersonaRow]:
    """The personas and authorisations covering this case's operations (for the case page):
    what :func:`my_personas` lists for this case, read for this case alone (a test compares
    the two), so the case page does not build every persona the user may see."""
    from vigil.cases import authorisation as authrules
    from vigil.db.tables.cases import Authorisation, Operation, Persona
    from vigil.services.casework.authorisations import auth_info, auth_state

    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        if not any(role_allows(user.role, n) for n in PERSONA_NEEDS):
            return []
        rows = s.execute(
            select(Authorisation, Persona)
            .join(Operation, Operation.id == Authorisation.operation_id)
            .join(Persona, Persona.id == Authorisation.persona_id)
            .where(Operation.case_id == case.id)
            .order_by(Persona.ref, Authorisation.granted_at, Authorisation.id)
        ).all()
        if not rows:
            return []
        now = ws.now()
        rules = authrules.load_rules()
        out: dict[int, PersonaRow] = {}
        for a, p in rows:
            info = auth_info(s, a, p.ref, now)
            warns: list[str] = []
            if a.cancelled_at is None and a.expires_at > now:
                found = authrules.warnings(rules, auth_state(s, a, p.ref), now, rules.warn_days)
                found.sort(key=lambda w: (w.what != "review_overdue", w.due_at, w.ref))
                warns = [w.message for w in found]
            row = out.get(p.id)
            if row is None:
                row = out[p.id] = _persona_row(s, p)
            row.authorisations.append(
                AuthRow(info.ref, info.kind, info.operation, case.ref, info.authorising_officer,
                        info.authorising_rank, info.granted_at, info.next_review_due,
                        info.expires_at, info.cancelled_at, info.live_now, info.status, warns)
            )  # fmt: skip
        return list(out.values())


def _persona_row(session: Any, p: Any) -> PersonaRow:
    """A persona's row without its authorisations (handles, officers, unit)."""
    from vigil.services.casework.personas import persona_details

    unit, handles, officers = persona_details(session, p)
    return PersonaRow(p.ref, p.name_used, p.claimed_age, unit, handles, officers, [])


@dataclass(slots=True)
class AuthDue:
    ref: str
    persona_ref: str
    what: str
    due_at: datetime
    days_left: int
    message: str
    case_ref: str


def authorisations_due(ws: Workspace, user: Principal) -> list[AuthDue] | None:
    """Reviews and expiries due, for authorisations of operations on the user's cases.

    Shown to roles that may authorise or administer (supervisors, administrators; ``None``
    for others); an authorisation whose operation is not linked to one of the user's cases is
    not shown.
    """
    if not (role_allows(user.role, "authorise") or user.may("admin")):
        return None
    from vigil.db.tables.cases import Authorisation, Operation
    from vigil.services.casework.authorisations import authorisation_warnings

    with ws.sessions() as s:
        cases = {c.id: c.ref for c in member_cases(s, user)}
        case_of: dict[str, Any] = dict(
            s.execute(
                select(Authorisation.ref, Operation.case_id).join(
                    Operation, Operation.id == Authorisation.operation_id
                )
            ).all()
        )
    return [
        AuthDue(
            w.ref, w.persona_ref, w.what, w.due_at, w.days_left, w.message, cases[case_of[w.ref]]
        )
        for w in authorisation_warnings(ws)
        if case_of.get(w.ref) in cases
    ]
