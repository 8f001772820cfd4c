"""The case-work API (``/api/v1``): opening a case and recording case-work records, the twins
of the case-work page's forms, through the same services (:mod:`vigil.services.casework.work`).

Times without an offset are read in the case's time zone; dates are ``YYYY-MM-DD``; a missing
date or time means today or now, as on the command line.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, Field

from vigil.services.cases import CaseInfo
from vigil.services.casework import authorisations as auths
from vigil.services.casework import work
from vigil.services.casework.children import ChildInfo
from vigil.services.casework.offences import OffenceInfo
from vigil.services.casework.outcomes import OutcomeInfo, Sentence
from vigil.services.casework.referrals import ReferralInfo
from vigil.services.casework.suspects import AssessmentInfo, SuspectInfo
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep

api = APIRouter(prefix="/api/v1", tags=["casework"], responses=API_ERRORS)
C = "/cases/{case_ref}"

D = TypeVar("D", date, datetime)


def _in_years(value: D) -> D:
    lo, hi = work.YEARS
    if not lo <= value.year <= hi:
        raise ValueError(f"the year should be from {lo} to {hi}")
    return value


Day = Annotated[date, AfterValidator(_in_years)]
Moment = Annotated[datetime, AfterValidator(_in_years)]
Count = Annotated[int, Field(ge=-work.NUMBER_LIMIT, le=work.NUMBER_LIMIT)]


def _ref() -> Any:
    return Field(min_length=1, max_length=64, description="A reference (letters, digits, dashes)")


def _name() -> Any:
    return Field(min_length=1, max_length=200)


def _text() -> Any:
    return Field(default=None, max_length=2000)


class CaseCreate(BaseModel):
    ref: str = _ref()
    title: str = _name()
    unit: str | None = Field(default=None, max_length=64)
    time_zone: str | None = Field(default=None, max_length=64, description="IANA name")


class IdentifierIn(BaseModel):
    platform: str = _name()
    kind: str = Field(min_length=1, max_length=32, description="user_id, screen_name, email, ...")
    value: str = _name()


class SuspectCreate(BaseModel):
    ref: str = _ref()
    label: str = _name()
    year_of_birth: int | None = Field(default=None, ge=1900, le=2100)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=50)


class AssessmentCreate(BaseModel):
    suspect: str = _ref()
    answers: dict[str, bool | str] = Field(description="question id -> yes/no or an option")
    assessor: str = _name()
    assessed_at: Moment | None = None


class ChildCreate(BaseModel):
    ref: str = _ref()
    age_at_time: Count | None = None
    suspect: str | None = Field(default=None, max_length=64)


class SafeguardingCreate(BaseModel):
    child: str = _ref()
    kind: str = Field(min_length=1, max_length=64)
    on: Day | None = None
    recorded_by: str = _name()
    detail: str | None = _text()


class OffenceCreate(BaseModel):
    offence_type: str = Field(min_length=1, max_length=64)
    legal_form: str = Field(min_length=1, max_length=64)
    suspect: str | None = Field(default=None, max_length=64)
    image_category: str | None = Field(default=None, max_length=4)
    platforms: list[str] = Field(default_factory=list, max_length=50)
    principal: bool = False
    committed_from: Day | None = None
    committed_to: Day | None = None
    child: str | None = Field(default=None, max_length=64)


class SentenceIn(BaseModel):
    custodial_months: Count | None = None
    suspended: bool = False
    extended_licence_months: Count | None = None
    notification_months: Count | None = None
    notification_indefinite: bool = False
    prevention_orders: list[str] = Field(default_factory=list, max_length=5)


class OutcomeCreate(BaseModel):
    suspect: str = _ref()
    kind: str = Field(min_length=1, max_length=32, description="arrest, charge, ...")
    on: Day | None = None
    detail: str | None = _text()
    sentence: SentenceIn | None = None


class ReferralCreate(BaseModel):
    ref: str = _ref()
    direction: str = Field(min_length=2, max_length=3, description="out or in")
    partner_kind: str = Field(min_length=1, max_length=32)
    partner_name: str = _name()
    on: Day | None = None
    external_ref: str | None = Field(default=None, max_length=200)
    summary: str | None = _text()


class GrantIn(BaseModel):
    ref: str = _ref()
    persona: str = _ref()
    kind: str = Field(min_length=1, max_length=64)
    operation: str = Field(min_length=1, max_length=64, description="One of the case's operations")
    authorising_officer: str = _name()
    rank: str = Field(min_length=1, max_length=64)
    granted_at: Moment | None = None
    urgent_oral: bool = False
    review_every_days: int | None = Field(default=None, ge=1, le=366)
    notes: str | None = _text()


class ReviewIn(BaseModel):
    ref: str = _ref()
    reviewer: str = _name()
    reviewed_at: Moment | None = None
    notes: str | None = _text()


class RenewalIn(BaseModel):
    ref: str = _ref()
    authorising_officer: str = _name()
    rank: str = Field(min_length=1, max_length=64)
    renewed_at: Moment | None = None
    judicial_approved_at: Moment | None = None
    judicial_commissioner: str | None = Field(default=None, max_length=200)
    notes: str | None = _text()


class CancellationIn(BaseModel):
    ref: str = _ref()
    by: str = _name()
    reason: str = Field(min_length=1, max_length=2000)
    at: Moment | None = None


@api.post("/cases", response_model=CaseInfo, status_code=201, summary="Open a case")
def open_case_api(ws: WorkspaceDep, user: CurrentUser, body: CaseCreate) -> CaseInfo:
    """Open a case; you become its first member. Roles that may write case records may."""
    return work.open_case(ws, user, body.ref, body.title, body.unit, body.time_zone)


@api.get(C + "/work", response_model=work.CaseWork, summary="A case's case-work records")
def work_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> work.CaseWork:
    """Suspects, children, offences, outcomes, referrals, operations and the authorisations
    covering the operations (as the case-work page lists them)."""
    return work.case_work(ws, user, case_ref)


@api.post(C + "/suspects", response_model=SuspectInfo, status_code=201, summary="Add a suspect")
def suspect_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: SuspectCreate
) -> SuspectInfo:
    ids = [(i.platform, i.kind, i.value) for i in body.identifiers]
    return work.add_suspect(ws, user, case_ref, body.ref, body.label, body.year_of_birth, ids)


@api.post(C + "/assessments", response_model=AssessmentInfo, status_code=201,
          summary="Assess a suspect against the risk form")  # fmt: skip
def assessment_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: AssessmentCreate
) -> AssessmentInfo:
    return work.assess(
        ws, user, case_ref, body.suspect, body.answers, body.assessor, body.assessed_at
    )


@api.post(C + "/children", response_model=ChildInfo, status_code=201, summary="Add a child")
def child_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: ChildCreate) -> ChildInfo:
    """A child under a pseudonymous reference (never a name), with their age at the time."""
    return work.add_child(ws, user, case_ref, body.ref, body.age_at_time, body.suspect)


@api.post(C + "/safeguarding", response_model=ChildInfo, status_code=201,
          summary="Record a safeguarding action")  # fmt: skip
def safeguarding_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: SafeguardingCreate
) -> ChildInfo:
    on = body.on or ws.now().date()
    return work.safeguard(
        ws, user, case_ref, body.child, body.kind, on, body.recorded_by, body.detail
    )


@api.post(C + "/offences", response_model=OffenceInfo, status_code=201,
          summary="Record an offence")  # fmt: skip
def offence_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: OffenceCreate
) -> OffenceInfo:
    return work.offence(
        ws, user, case_ref, body.offence_type, body.legal_form, suspect_ref=body.suspect,
        image_category=body.image_category, platforms=body.platforms, principal=body.principal,
        committed_from=body.committed_from, committed_to=body.committed_to, child_ref=body.child,
    )  # fmt: skip


@api.post(C + "/outcomes", response_model=OutcomeInfo, status_code=201,
          summary="Record an outcome")  # fmt: skip
def outcome_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: OutcomeCreate
) -> OutcomeInfo:
    s = body.sentence
    sentence = (
        Sentence(s.custodial_months, s.suspended, s.extended_licence_months,
                 s.notification_months, s.notification_indefinite, list(s.prevention_orders))
        if s is not None else None
    )  # fmt: skip
    on = body.on or ws.now().date()
    return work.outcome(
        ws, user, case_ref, body.suspect, body.kind, on, detail=body.detail, sentence=sentence
    )


@api.post(C + "/referrals", response_model=ReferralInfo, status_code=201,
          summary="Record a referral")  # fmt: skip
def referral_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: ReferralCreate
) -> ReferralInfo:
    return work.referral(
        ws, user, case_ref, body.ref, body.direction, body.partner_kind, body.partner_name,
        body.on or ws.now().date(), external_ref=body.external_ref, summary=body.summary,
    )  # fmt: skip


@api.post(C + "/authorisations", response_model=auths.AuthInfo, status_code=201,
          summary="Record a granted authorisation for one of the case's operations")  # fmt: skip
def grant_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: GrantIn) -> auths.AuthInfo:
    g = auths.Grant(
        body.ref, body.persona, body.kind, body.authorising_officer, body.rank,
        body.granted_at or ws.now(), body.urgent_oral, body.operation, body.review_every_days,
        notes=body.notes,
    )  # fmt: skip
    return work.grant(ws, user, case_ref, g)


@api.post(C + "/authorisations/review", response_model=auths.AuthInfo,
          summary="Record a review of a live authorisation")  # fmt: skip
def review_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: ReviewIn
) -> auths.AuthInfo:
    r = auths.Review(body.ref, body.reviewer, body.reviewed_at or ws.now(), body.notes)
    return work.review(ws, user, case_ref, r)


@api.post(C + "/authorisations/renew", response_model=auths.AuthInfo,
          summary="Renew an authorisation before it expires")  # fmt: skip
def renewal_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: RenewalIn
) -> auths.AuthInfo:
    r = auths.Renewal(
        body.ref, body.authorising_officer, body.rank, body.renewed_at or ws.now(),
        body.judicial_approved_at, body.judicial_commissioner, body.notes,
    )  # fmt: skip
    return work.renew(ws, user, case_ref, r)


@api.post(C + "/authorisations/cancel", response_model=auths.AuthInfo,
          summary="Cancel an authorisation (kept on record)")  # fmt: skip
def cancellation_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: CancellationIn
) -> auths.AuthInfo:
    c = auths.Cancellation(body.ref, body.by, body.at or ws.now(), body.reason)
    return work.cancel(ws, user, case_ref, c)
