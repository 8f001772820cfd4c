"""Case tables: cases, and the case work on them: units, operations, personas and
authorisations, suspects, risk assessments, children and safeguarding, offences, outcomes,
referrals, platform observations.

Portable SQL only (SQLite and PostgreSQL). Dates of events the courts and partners record
(arrest, sentence, safeguarding) are calendar dates (``Date``); moments (grant of an
authorisation, capture) are UTC datetimes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class Case(Base):
    """An investigation: the unit of need-to-know."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(512))
    unit: Mapped[str | None] = mapped_column(String(128))
    default_tz: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Unit(Base):
    """A force, region or national team. Units form a tree that rolls up to a national view."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseUnit(Base):
    """The unit a case belongs to (one per case)."""

    __tablename__ = "case_units"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)


class Operation(Base):
    """A named operation run by a unit, linked to the case that holds its material."""

    __tablename__ = "operations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Persona(Base):
    """An online persona (undercover identity) used by officers."""

    __tablename__ = "personas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name_used: Mapped[str] = mapped_column(String(256))
    claimed_age: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonaHandle(Base):
    """A platform account a persona uses."""

    __tablename__ = "persona_handles"
    __table_args__ = (
        UniqueConstraint("persona_id", "platform", "handle", name="uq_persona_handles_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id"), index=True)
    platform: Mapped[str] = mapped_column(String(64))
    handle: Mapped[str] = mapped_column(String(512))


class PersonaOfficer(Base):
    """An officer who controls or operates a persona."""

    __tablename__ = "persona_officers"
    __table_args__ = (
        UniqueConstraint("persona_id", "officer", "role", name="uq_persona_officers_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id"), index=True)
    officer: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))


class Authorisation(Base):
    """A RIPA authorisation covering a persona's deployment (CHIS, relevant source, DS).

    ``expires_at`` is the current expiry, moved forward by each renewal.
    """

    __tablename__ = "authorisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id"), index=True)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    urgent_oral: Mapped[bool] = mapped_column(Boolean, default=False)
    authorising_officer: Mapped[str] = mapped_column(String(128))
    authorising_rank: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_every_days: Mapped[int] = mapped_column(Integer)
    judicial_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    judicial_commissioner: Mapped[str | None] = mapped_column(String(128))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(128))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthorisationReview(Base):
    """A recorded review of an authorisation."""

    __tablename__ = "authorisation_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authorisation_id: Mapped[int] = mapped_column(ForeignKey("authorisations.id"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewer: Mapped[str] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(Text)


class AuthorisationRenewal(Base):
    """A renewal: who renewed, when, the new expiry, and judicial approval where required."""

    __tablename__ = "authorisation_renewals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authorisation_id: Mapped[int] = mapped_column(ForeignKey("authorisations.id"), index=True)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    authorising_officer: Mapped[str] = mapped_column(String(128))
    authorising_rank: Mapped[str] = mapped_column(String(64))
    previous_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    judicial_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    judicial_commissioner: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(Text)


class Suspect(Base):
    """A person suspected of offending, under a pseudonymous label within a case."""

    __tablename__ = "suspects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    label: Mapped[str] = mapped_column(String(256))
    year_of_birth: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SuspectIdentifier(Base):
    """A platform identifier (user id, screen name, email, phone, IP) linked to a suspect."""

    __tablename__ = "suspect_identifiers"
    __table_args__ = (
        UniqueConstraint("suspect_id", "platform", "kind", "value", name="uq_suspect_ids_key"),
        Index("ix_suspect_identifiers_value", "value"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suspect_id: Mapped[int] = mapped_column(ForeignKey("suspects.id"), index=True)
    platform: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(512))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(Text)


class RiskAssessment(Base):
    """A completed risk-assessment form: answers, score, band, the reasons and the assessor."""

    __tablename__ = "risk_assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suspect_id: Mapped[int] = mapped_column(ForeignKey("suspects.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(128))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Child(Base):
    """A child victim or child at risk, under a pseudonymous reference only."""

    __tablename__ = "children"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("suspects.id"), index=True)
    age_at_time: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SafeguardingAction(Base):
    """A dated safeguarding action for a child; its date is when the child was safeguarded."""

    __tablename__ = "safeguarding_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    action_on: Mapped[date] = mapped_column(Date, index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Offence(Base):
    """An offence (type and legal form from the taxonomy) alleged against a suspect."""

    __tablename__ = "offences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("suspects.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    offence_type: Mapped[str] = mapped_column(String(64))
    legal_form: Mapped[str] = mapped_column(String(64))
    image_category: Mapped[str | None] = mapped_column(String(1))
    principal: Mapped[bool] = mapped_column(Boolean, default=False)
    committed_from: Mapped[date | None] = mapped_column(Date)
    committed_to: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OffencePlatform(Base):
    """A platform used in an offence."""

    __tablename__ = "offence_platforms"
    __table_args__ = (UniqueConstraint("offence_id", "platform", name="uq_offence_platforms_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offence_id: Mapped[int] = mapped_column(ForeignKey("offences.id"), index=True)
    platform: Mapped[str] = mapped_column(String(64), index=True)


class Outcome(Base):
    """A criminal-justice outcome for a suspect: arrest, charge, conviction, sentence, NFA.

    Sentence rows carry the immediate custodial term in months (``custodial_months``);
    ``suspended`` marks a suspended sentence, whose term is not an immediate custodial term.
    """

    __tablename__ = "outcomes"
    __table_args__ = (Index("ix_outcomes_kind_on", "kind", "occurred_on"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    suspect_id: Mapped[int] = mapped_column(ForeignKey("suspects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[str | None] = mapped_column(Text)
    custodial_months: Mapped[int | None] = mapped_column(Integer)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    extended_licence_months: Mapped[int | None] = mapped_column(Integer)
    notification_months: Mapped[int | None] = mapped_column(Integer)
    notification_indefinite: Mapped[bool] = mapped_column(Boolean, default=False)
    prevention_orders: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Referral(Base):
    """A referral sent to a partner (out) or received (in), e.g. a CyberTipline report."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(8))
    partner_kind: Mapped[str] = mapped_column(String(32))
    partner_name: Mapped[str] = mapped_column(String(256))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    external_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    incident_type: Mapped[str | None] = mapped_column(String(128))
    incident_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferralFile(Base):
    """A file reported in a referral, by name and hashes (the bytes are not held)."""

    __tablename__ = "referral_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    file_name: Mapped[str | None] = mapped_column(Text)
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    detail: Mapped[str | None] = mapped_column(Text)


class PlatformObservation(Base):
    """An indicator category seen on a platform, or a move between platforms, in a case.

    Recorded by officers and analysts (``source`` says where from); the platform report reads
    these when the analysis findings are not available.
    """

    __tablename__ = "platform_observations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(64), index=True)
    to_platform: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
