"""Outcomes of a case against a suspect, from arrest to sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.cases.taxonomy import check_term
from vigil.db.tables.cases import Case, Outcome, Suspect
from vigil.errors import UserError
from vigil.services.casework.common import (
    Change,
    case_refs_of,
    check_each,
    fetch_by_ref,
    record_changes,
)
from vigil.services.casework.suspects import get_suspect
from vigil.services.workspace import Workspace

SUSPENDED_MAX_MONTHS = 24


"""Sentencing Act 2020 s.277: a suspended sentence order is for a term of at most two years."""


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


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """An outcome for a suspect (:func:`record_outcomes`), as :func:`record_outcome` takes it."""

    suspect_ref: str
    kind: str
    occurred_on: date
    detail: str | None = None
    sentence: Sentence | None = None


def _checked(ws: Workspace, rec: OutcomeRecord) -> Sentence:
    """The sentence to store (empty unless a sentence), or a UserError."""
    check_term("outcome_kinds", rec.kind)
    check_sentence(rec.kind, rec.sentence)
    sentence = rec.sentence
    if rec.kind == "sentence" and sentence is None:
        sentence = Sentence()
    if rec.occurred_on > ws.now().date():
        raise UserError(f"{rec.kind} date {rec.occurred_on} is in the future")
    return sentence or Sentence()


def _new(ws: Workspace, rec: OutcomeRecord, s: Sentence, sus: Suspect) -> Outcome:
    return Outcome(
        case_id=sus.case_id,
        suspect_id=sus.id,
        kind=rec.kind,
        occurred_on=rec.occurred_on,
        detail=rec.detail,
        custodial_months=s.custodial_months,
        suspended=s.suspended,
        extended_licence_months=s.extended_licence_months,
        notification_months=s.notification_months,
        notification_indefinite=s.notification_indefinite,
        prevention_orders=",".join(s.prevention_orders) or None,
        created_at=ws.now(),
    )


def _recorded(rec: OutcomeRecord, s: Sentence, o: Outcome, case_ref: str) -> Change:
    return Change(
        "create",
        "outcome",
        str(o.id),
        case_ref,
        {
            "suspect": rec.suspect_ref,
            "kind": rec.kind,
            "on": rec.occurred_on,
            "custodial_months": s.custodial_months,
            "suspended": s.suspended,
        },
    )


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
    rec = OutcomeRecord(suspect_ref, kind, occurred_on, detail, sentence)
    s = _checked(ws, rec)
    with ws.transaction() as session:
        sus = get_suspect(session, suspect_ref)
        case = session.get(Case, sus.case_id)
        assert case is not None
        o = _new(ws, rec, s, sus)
        session.add(o)
        session.flush()
        record_changes(ws, session, [_recorded(rec, s, o, case.ref)])
        return _outcome_info(session, o, case.ref, sus.ref)


def record_outcomes(ws: Workspace, session: Session, records: Sequence[OutcomeRecord]) -> None:
    """:func:`record_outcome` for many outcomes inside the caller's transaction: the same checks
    (nothing is written if one record is refused), one ``create`` entry per outcome."""
    sentences = check_each(records, lambda r: _checked(ws, r), "outcome")
    suspects = fetch_by_ref(session, Suspect.ref, (r.suspect_ref for r in records), get_suspect)
    case_refs = case_refs_of(session, {s.case_id for s in suspects.values()})
    rows = [
        _new(ws, r, s, suspects[r.suspect_ref]) for r, s in zip(records, sentences, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    record_changes(
        ws,
        session,
        [
            _recorded(r, s, o, case_refs[o.case_id])
            for r, s, o in zip(records, sentences, rows, strict=True)
        ],
    )


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
