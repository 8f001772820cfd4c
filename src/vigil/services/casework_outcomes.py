"""Offences (from the taxonomy, with platforms) and outcomes (arrest to sentence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_offence, check_term
from vigil.db.tables import Case
from vigil.db.tables_cases import Offence, OffencePlatform, Outcome, Suspect
from vigil.errors import UserError
from vigil.services.cases import get_case
from vigil.services.casework import audit
from vigil.services.casework_children import get_child
from vigil.services.casework_suspects import get_suspect
from vigil.services.workspace import Workspace

SUSPENDED_MAX_MONTHS = 24
"""Sentencing Act 2020 s.277: a suspended sentence order is for a term of at most two years."""


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


@dataclass(frozen=True, slots=True)
class Sentence:
    custodial_months: int | None = None
    suspended: bool = False
    extended_licence_months: int | None = None
    notification_months: int | None = None
    notification_indefinite: bool = False
    prevention_orders: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OutcomeInfo:
    id: int
    case_ref: str
    suspect: str
    kind: str
    occurred_on: date
    detail: str | None
    sentence: Sentence | None


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
        audit(
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


def check_sentence(kind: str, s: Sentence | None) -> None:
    """Sentence details only on sentences, and consistent with each other."""
    if s is None:
        return
    if kind != "sentence":
        raise UserError(f"sentence details belong on a sentence, not a {kind}")
    for name, v in (
        ("custodial months", s.custodial_months),
        ("extended licence months", s.extended_licence_months),
        ("notification months", s.notification_months),
    ):
        if v is not None and v < 0:
            raise UserError(f"{name} cannot be negative")
    if s.suspended:
        if not s.custodial_months:
            raise UserError("a suspended sentence needs its custodial term (--custodial-months)")
        if s.custodial_months > SUSPENDED_MAX_MONTHS:
            raise UserError(f"a suspended sentence is at most {SUSPENDED_MAX_MONTHS} months")
        if s.extended_licence_months:
            raise UserError("an extended licence goes with an immediate custodial sentence")
    if s.notification_indefinite and s.notification_months is not None:
        raise UserError("give a notification period in months or indefinite, not both")
    for order in s.prevention_orders:
        check_term("prevention_orders", order)


def record_outcome(
    ws: Workspace,
    suspect_ref: str,
    kind: str,
    occurred_on: date,
    *,
    detail: str | None = None,
    sentence: Sentence | None = None,
) -> OutcomeInfo:
    """Record an arrest, charge, conviction, sentence or no further action for a suspect.

    A sentence's ``custodial_months`` is the custodial term; ``suspended`` marks it suspended.
    """
    check_term("outcome_kinds", kind)
    check_sentence(kind, sentence)
    if kind == "sentence" and sentence is None:
        sentence = Sentence()
    if occurred_on > ws.now().date():
        raise UserError(f"{kind} date {occurred_on} is in the future")
    s = sentence or Sentence()
    with ws.transaction() as session:
        sus = get_suspect(session, suspect_ref)
        case = session.get(Case, sus.case_id)
        assert case is not None
        o = Outcome(
            case_id=case.id,
            suspect_id=sus.id,
            kind=kind,
            occurred_on=occurred_on,
            detail=detail,
            custodial_months=s.custodial_months,
            suspended=s.suspended,
            extended_licence_months=s.extended_licence_months,
            notification_months=s.notification_months,
            notification_indefinite=s.notification_indefinite,
            prevention_orders=",".join(s.prevention_orders) or None,
            created_at=ws.now(),
        )
        session.add(o)
        session.flush()
        audit(
            ws,
            session,
            "create",
            "outcome",
            str(o.id),
            case.ref,
            {
                "suspect": suspect_ref,
                "kind": kind,
                "on": occurred_on,
                "custodial_months": s.custodial_months,
                "suspended": s.suspended,
            },
        )
        return _outcome_info(session, o, case.ref, sus.ref)


def _outcome_info(session: Session, o: Outcome, case_ref: str, suspect_ref: str) -> OutcomeInfo:
    sentence = None
    if o.kind == "sentence":
        sentence = Sentence(
            o.custodial_months,
            o.suspended,
            o.extended_licence_months,
            o.notification_months,
            o.notification_indefinite,
            [p for p in (o.prevention_orders or "").split(",") if p],
        )
    return OutcomeInfo(o.id, case_ref, suspect_ref, o.kind, o.occurred_on, o.detail, sentence)


def list_outcomes(
    ws: Workspace, case_ref: str | None = None, suspect_ref: str | None = None
) -> list[OutcomeInfo]:
    with ws.sessions() as session:
        stmt = (
            select(Outcome, Case.ref, Suspect.ref)
            .join(Case, Case.id == Outcome.case_id)
            .join(Suspect, Suspect.id == Outcome.suspect_id)
            .order_by(Outcome.occurred_on, Outcome.id)
        )
        if case_ref:
            stmt = stmt.where(Case.ref == case_ref)
        if suspect_ref:
            stmt = stmt.where(Suspect.ref == suspect_ref)
        return [_outcome_info(session, o, c, s) for o, c, s in session.execute(stmt).all()]
