"""Suspects, their platform identifiers, and risk assessments against the YAML form."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases import risk
from vigil.cases.taxonomy import check_term, normalise_platform
from vigil.db.tables.cases import Case, RiskAssessment, Suspect, SuspectIdentifier
from vigil.db.tables.conversations import ParticipantRow
from vigil.errors import NotFound, UserError
from vigil.services.cases import get_case
from vigil.services.casework.common import (
    Change,
    case_refs_of,
    check_each,
    check_new_refs,
    check_ref,
    fetch_by_ref,
    record_change,
    record_changes,
    unique_or_error,
)
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class IdentifierInfo:
    platform: str
    kind: str
    value: str
    first_seen: datetime | None
    participant_id: int | None


@dataclass(frozen=True, slots=True)
class AssessmentInfo:
    form_id: str
    form_version: str
    score: int
    band: str
    reasons: list[str]
    answers: dict[str, bool | str]
    assessor: str
    assessed_at: datetime


@dataclass(frozen=True, slots=True)
class SuspectInfo:
    ref: str
    case_ref: str
    label: str
    year_of_birth: int | None
    identifiers: list[IdentifierInfo] = field(default_factory=list)
    assessments: list[AssessmentInfo] = field(default_factory=list)

    @property
    def band(self) -> str | None:
        return self.assessments[-1].band if self.assessments else None


def get_suspect(session: Session, ref: str) -> Suspect:
    s = session.execute(select(Suspect).where(Suspect.ref == ref)).scalar_one_or_none()
    if s is None:
        raise NotFound(f"no suspect {ref!r}", hint="see `vigil suspect list`")
    return s


def _info(session: Session, s: Suspect) -> SuspectInfo:
    case = session.get(Case, s.case_id)
    assert case is not None
    ids = [
        IdentifierInfo(i.platform, i.kind, i.value, i.first_seen, i.participant_id)
        for i in session.execute(
            select(SuspectIdentifier)
            .where(SuspectIdentifier.suspect_id == s.id)
            .order_by(SuspectIdentifier.id)
        ).scalars()
    ]
    assessments = [
        AssessmentInfo(
            a.form_id,
            a.form_version,
            a.score,
            a.band,
            json.loads(a.reasons),
            json.loads(a.answers),
            a.assessor,
            a.assessed_at,
        )
        for a in session.execute(
            select(RiskAssessment)
            .where(RiskAssessment.suspect_id == s.id)
            .order_by(RiskAssessment.assessed_at, RiskAssessment.id)
        ).scalars()
    ]
    return SuspectInfo(s.ref, case.ref, s.label, s.year_of_birth, ids, assessments)


def _add_identifier(
    session: Session,
    s: Suspect,
    platform: str,
    kind: str,
    value: str,
    participant_id: int | None = None,
    first_seen: datetime | None = None,
    source: str | None = None,
) -> None:
    check_term("identifier_kinds", kind)
    if not value.strip():
        raise UserError("an identifier needs a value")
    if participant_id is not None and session.get(ParticipantRow, participant_id) is None:
        raise NotFound(f"no conversation participant {participant_id}")
    session.add(
        SuspectIdentifier(
            suspect_id=s.id,
            platform=normalise_platform(platform),
            kind=kind,
            value=value.strip(),
            participant_id=participant_id,
            first_seen=first_seen,
            source=source,
        )
    )


@dataclass(frozen=True, slots=True)
class IdentifierRecord:
    """A platform identifier of a suspect (as :func:`add_identifier` takes it)."""

    platform: str
    kind: str
    value: str
    first_seen: datetime | None = None
    source: str | None = None
    participant_id: int | None = None


@dataclass(frozen=True, slots=True)
class SuspectRecord:
    """A suspect to create (:func:`create_suspects`), with their identifiers."""

    case_ref: str
    ref: str
    label: str
    year_of_birth: int | None = None
    identifiers: Sequence[IdentifierRecord] = ()
    notes: str | None = None


def _checked(rec: SuspectRecord) -> SuspectRecord:
    return replace(rec, ref=check_ref(rec.ref, "suspect"))


def _new(ws: Workspace, rec: SuspectRecord, case: Case) -> Suspect:
    return Suspect(
        ref=rec.ref,
        case_id=case.id,
        label=rec.label,
        year_of_birth=rec.year_of_birth,
        notes=rec.notes,
        created_at=ws.now(),
    )


def _add_identifiers(session: Session, s: Suspect, rec: SuspectRecord) -> Change:
    """The suspect's identifiers (``s`` is flushed), and the suspect's ``create`` entry."""
    for i in rec.identifiers:
        _add_identifier(
            session, s, i.platform, i.kind, i.value, i.participant_id, i.first_seen, i.source
        )
    return Change(
        "create",
        "suspect",
        rec.ref,
        rec.case_ref,
        {
            "label": rec.label,
            "identifiers": [[i.platform, i.kind, i.value] for i in rec.identifiers],
        },
    )


def create_suspect(
    ws: Workspace,
    case_ref: str,
    ref: str,
    label: str,
    year_of_birth: int | None = None,
    identifiers: list[tuple[str, str, str]] | None = None,
    notes: str | None = None,
) -> SuspectInfo:
    """Create a suspect in a case, with (platform, kind, value) identifiers."""
    ids = [IdentifierRecord(p, k, v, source="entered") for p, k, v in identifiers or []]
    rec = _checked(SuspectRecord(case_ref, ref, label, year_of_birth, ids, notes))
    try:
        with ws.transaction() as session:
            s = _new(ws, rec, get_case(session, case_ref))
            session.add(s)
            session.flush()
            change = _add_identifiers(session, s, rec)
            session.flush()
            record_changes(ws, session, [change])
            return _info(session, s)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "suspect (or identifier)", rec.ref) from exc


def create_suspects(ws: Workspace, session: Session, records: Sequence[SuspectRecord]) -> None:
    """:func:`create_suspect` for many suspects inside the caller's transaction: the same checks
    (nothing is written if one record is refused) and one ``create`` entry per suspect, which
    lists their identifiers. An identifier may carry when it was first seen and its source, as
    :func:`add_identifier` allows."""
    recs = check_each(records, _checked, "suspect")
    check_new_refs(session, Suspect.ref, [r.ref for r in recs], "suspect")
    cases = fetch_by_ref(session, Case.ref, (r.case_ref for r in recs), get_case)
    rows = [_new(ws, r, cases[r.case_ref]) for r in recs]
    session.add_all(rows)
    session.flush()
    changes = [_add_identifiers(session, s, r) for s, r in zip(rows, recs, strict=True)]
    try:
        session.flush()
    except SAIntegrityError as exc:
        raise UserError(
            "a suspect in the batch has the same identifier twice", hint="remove the repeat"
        ) from exc
    record_changes(ws, session, changes)


def add_identifier(
    ws: Workspace,
    suspect_ref: str,
    platform: str,
    kind: str,
    value: str,
    *,
    participant_id: int | None = None,
    first_seen: datetime | None = None,
    source: str | None = None,
) -> SuspectInfo:
    """Link a platform identifier (optionally a conversation participant) to a suspect."""
    try:
        with ws.transaction() as session:
            s = get_suspect(session, suspect_ref)
            _add_identifier(session, s, platform, kind, value, participant_id, first_seen, source)
            session.flush()
            case = session.get(Case, s.case_id)
            assert case is not None
            record_change(
                ws,
                session,
                "update",
                "suspect",
                suspect_ref,
                case.ref,
                {"add_identifier": [platform, kind, value], "participant_id": participant_id},
            )
            return _info(session, s)
    except SAIntegrityError as exc:
        raise UserError(
            f"{suspect_ref} already has the identifier {platform}/{kind}/{value}"
        ) from exc


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """Answers to the risk form for a suspect (:func:`assess_suspects`)."""

    suspect_ref: str
    answers: dict[str, bool | str]
    assessor: str
    assessed_at: datetime | None = None


def _assess(
    ws: Workspace, form: risk.RiskForm, rec: AssessmentRecord
) -> tuple[AssessmentInfo, Callable[[Suspect], RiskAssessment]]:
    """Score the answers (a UserError if they do not fit the form); the result, and how to
    store it against the suspect."""
    result = risk.assess(form, rec.answers)
    info = AssessmentInfo(
        result.form_id,
        result.form_version,
        result.score,
        result.band,
        result.reasons,
        dict(rec.answers),
        rec.assessor,
        rec.assessed_at or ws.now(),
    )

    def row(s: Suspect) -> RiskAssessment:
        return RiskAssessment(
            suspect_id=s.id,
            form_id=result.form_id,
            form_version=result.form_version,
            answers=json.dumps(rec.answers, sort_keys=True),
            score=result.score,
            band=result.band,
            reasons=json.dumps(result.reasons),
            assessor=rec.assessor,
            assessed_at=info.assessed_at,
            created_at=ws.now(),
        )

    return info, row


def _assessed(form: risk.RiskForm, info: AssessmentInfo, suspect_ref: str, case_ref: str) -> Change:
    return Change(
        "create",
        "risk_assessment",
        suspect_ref,
        case_ref,
        {
            "form": f"{form.id}@{form.version}",
            "band": info.band,
            "score": info.score,
            "assessor": info.assessor,
        },
    )


def assess_suspect(
    ws: Workspace,
    suspect_ref: str,
    answers: dict[str, bool | str],
    assessor: str,
    assessed_at: datetime | None = None,
    form_path: Path | None = None,
) -> AssessmentInfo:
    """Score answers against the risk form and store inputs, band, reasons and assessor."""
    form = risk.load_form(form_path)
    info, row = _assess(ws, form, AssessmentRecord(suspect_ref, answers, assessor, assessed_at))
    with ws.transaction() as session:
        s = get_suspect(session, suspect_ref)
        session.add(row(s))
        session.flush()
        case = session.get(Case, s.case_id)
        assert case is not None
        record_changes(ws, session, [_assessed(form, info, suspect_ref, case.ref)])
    return info


def assess_suspects(
    ws: Workspace,
    session: Session,
    records: Sequence[AssessmentRecord],
    form_path: Path | None = None,
) -> None:
    """:func:`assess_suspect` for many assessments inside the caller's transaction: each scored
    against the form (nothing is written if one record is refused), one ``create`` entry each."""
    form = risk.load_form(form_path)
    scored = check_each(records, lambda r: _assess(ws, form, r), "assessment")
    suspects = fetch_by_ref(session, Suspect.ref, (r.suspect_ref for r in records), get_suspect)
    case_refs = case_refs_of(session, {s.case_id for s in suspects.values()})
    session.add_all(
        row(suspects[r.suspect_ref]) for r, (_, row) in zip(records, scored, strict=True)
    )
    session.flush()
    record_changes(
        ws,
        session,
        [
            _assessed(form, info, r.suspect_ref, case_refs[suspects[r.suspect_ref].case_id])
            for r, (info, _) in zip(records, scored, strict=True)
        ],
    )


def list_suspects(ws: Workspace, case_ref: str | None = None) -> list[SuspectInfo]:
    with ws.sessions() as session:
        stmt = select(Suspect).order_by(Suspect.ref)
        if case_ref:
            stmt = stmt.where(Suspect.case_id == get_case(session, case_ref).id)
        return [_info(session, s) for s in session.execute(stmt).scalars()]


def show_suspect(ws: Workspace, ref: str) -> SuspectInfo:
    with ws.sessions() as session:
        return _info(session, get_suspect(session, ref))


def find_by_identifier(ws: Workspace, value: str) -> list[SuspectInfo]:
    """Suspects holding an identifier with exactly this value (any platform or kind)."""
    with ws.sessions() as session:
        ids = session.execute(
            select(SuspectIdentifier.suspect_id)
            .where(SuspectIdentifier.value == value.strip())
            .distinct()
        ).scalars()
        return [_info(session, s) for s in (session.get(Suspect, i) for i in ids) if s is not None]
