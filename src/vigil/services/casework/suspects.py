"""Suspects, their platform identifiers, and risk assessments against the YAML form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
from vigil.services.casework.common import check_ref, record_change, unique_or_error
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
    ref = check_ref(ref, "suspect")
    try:
        with ws.transaction() as session:
            case = get_case(session, case_ref)
            s = Suspect(
                ref=ref,
                case_id=case.id,
                label=label,
                year_of_birth=year_of_birth,
                notes=notes,
                created_at=ws.now(),
            )
            session.add(s)
            session.flush()
            for platform, kind, value in identifiers or []:
                _add_identifier(session, s, platform, kind, value, source="entered")
            session.flush()
            record_change(
                ws,
                session,
                "create",
                "suspect",
                ref,
                case_ref,
                {"label": label, "identifiers": [list(i) for i in identifiers or []]},
            )
            return _info(session, s)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "suspect (or identifier)", ref) from exc


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
    result = risk.assess(form, answers)
    when = assessed_at or ws.now()
    with ws.transaction() as session:
        s = get_suspect(session, suspect_ref)
        session.add(
            RiskAssessment(
                suspect_id=s.id,
                form_id=result.form_id,
                form_version=result.form_version,
                answers=json.dumps(answers, sort_keys=True),
                score=result.score,
                band=result.band,
                reasons=json.dumps(result.reasons),
                assessor=assessor,
                assessed_at=when,
                created_at=ws.now(),
            )
        )
        session.flush()
        case = session.get(Case, s.case_id)
        assert case is not None
        record_change(
            ws,
            session,
            "create",
            "risk_assessment",
            suspect_ref,
            case.ref,
            {
                "form": f"{form.id}@{form.version}",
                "band": result.band,
                "score": result.score,
                "assessor": assessor,
            },
        )
    return AssessmentInfo(
        result.form_id,
        result.form_version,
        result.score,
        result.band,
        result.reasons,
        dict(answers),
        assessor,
        when,
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
