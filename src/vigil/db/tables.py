"""SQLAlchemy 2.0 tables. Portable SQL only: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class User(Base):
    """A person Vigil attributes actions to."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32), default="investigator")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


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


class Blob(Base):
    """Stored bytes, content-addressed by SHA-256. One row per distinct content."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha1: Mapped[str] = mapped_column(String(40), index=True)
    md5: Mapped[str] = mapped_column(String(32), index=True)
    size: Mapped[int] = mapped_column(BigId)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Exhibit(Base):
    """A registered item of evidence in one case."""

    __tablename__ = "exhibits"
    __table_args__ = (
        UniqueConstraint("case_id", "ref", name="uq_exhibits_case_ref"),
        UniqueConstraint("case_id", "blob_sha256", name="uq_exhibits_case_blob"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    initials: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    original_name: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigId)
    parent_exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    derived_path: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tool_version: Mapped[str] = mapped_column(String(64))


class Acquisition(Base):
    """One acquisition of an exhibit's bytes. Registering the same bytes again adds a row."""

    __tablename__ = "acquisitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    original_name: Mapped[str] = mapped_column(Text)
    original_path: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    acquired_by: Mapped[str] = mapped_column(String(256))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at_text: Mapped[str | None] = mapped_column(String(64))
    tz_assumed: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    derived_from_exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    tool_version: Mapped[str] = mapped_column(String(64))


class CustodyEntry(Base):
    """One append-only, hash-chained custody/audit entry.

    ``entry_hash`` = SHA-256 over the canonical JSON of the fields and ``prev_hash``
    (see :mod:`vigil.evidence.custody`). ``recorded_at`` is kept as the exact ISO text that
    was hashed so that a third party can recompute it.
    """

    __tablename__ = "custody_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recorded_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(256), index=True)
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[str | None] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class CustodyHead(Base):
    """Single-row table: the chain head. Updating it first serialises appends on every backend."""

    __tablename__ = "custody_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))


class ConversationRow(Base):
    """A conversation read from an exhibit."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    platform: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(String(256))
    parser: Mapped[str] = mapped_column(String(64))
    tool_version: Mapped[str] = mapped_column(String(64))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ParticipantRow(Base):
    """An account taking part in one conversation, with its role and where the role came from."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("conversation_id", "platform_id", name="uq_participants_conv_pid"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    platform_id: Mapped[str] = mapped_column(String(512))
    display_name: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32), default="unknown")
    role_source: Mapped[str | None] = mapped_column(Text)


class MessageRow(Base):
    """One message. Natural key (conversation_id, seq); seq is the order within the conversation."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conv_seq"),
        Index("ix_messages_sender", "sender_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    local_time_text: Mapped[str | None] = mapped_column(String(128))
    tz_assumed: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(String(256))
    reply_to_source_id: Mapped[str | None] = mapped_column(String(256))
    reply_to_seq: Mapped[int | None] = mapped_column(Integer)
    forwarded_from: Mapped[str | None] = mapped_column(Text)
    is_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    has_attachments: Mapped[bool] = mapped_column(Boolean, default=False)
    source_location: Mapped[str] = mapped_column(String(512))
    time_note: Mapped[str | None] = mapped_column(Text)


class AttachmentRow(Base):
    """A file attached to a message; linked to an exhibit when the bytes are held."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_conv_msg", "conversation_id", "message_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    message_seq: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"), index=True)
    size: Mapped[int | None] = mapped_column(BigId)
    source_path: Mapped[str | None] = mapped_column(Text)


class SkippedRow(Base):
    """A record a parser could not use, kept with its location and reason."""

    __tablename__ = "skipped_records"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    source_location: Mapped[str] = mapped_column(String(512))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)


class IngestRow(Base):
    """One ingest of an exhibit: which parser read it, what it assumed, what it found."""

    __tablename__ = "ingests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    parser: Mapped[str] = mapped_column(String(64))
    detection: Mapped[str] = mapped_column(Text)
    tz_assumed: Mapped[str] = mapped_column(String(64))
    tz_source: Mapped[str] = mapped_column(String(64))
    conversations: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class FindingRow(Base):
    """One indicator finding: the rule, the message, the quoted span, and why it matters."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_conv_seq", "conversation_id", "message_seq"),
        Index("ix_findings_category", "category"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    message_seq: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(64))
    weight: Mapped[float] = mapped_column(Float)
    side: Mapped[str] = mapped_column(String(16))
    counted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    taxonomy_version: Mapped[str] = mapped_column(String(64))


class AssessmentRow(Base):
    """A conversation's risk, urgency flags and stage timeline, stamped with the taxonomy used."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_rank", "case_id", "urgency", "risk"),)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id"), primary_key=True, autoincrement=False
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    risk: Mapped[float] = mapped_column(Float)
    urgency: Mapped[int] = mapped_column(Integer)
    flags: Mapped[str] = mapped_column(Text)
    timeline: Mapped[str] = mapped_column(Text)
    components: Mapped[str] = mapped_column(Text)
    sides: Mapped[str] = mapped_column(Text)
    findings_count: Mapped[int] = mapped_column(Integer)
    model_score: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    indicator_score: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(16))
    score_note: Mapped[str | None] = mapped_column(Text)
    contributions: Mapped[str | None] = mapped_column(Text)
    """JSON: what each finding feature added to the indicator log-odds."""
    taxonomy_version: Mapped[str] = mapped_column(String(64))
    taxonomy_fingerprint: Mapped[str] = mapped_column(String(64))
    reference_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tool_version: Mapped[str] = mapped_column(String(64))


from vigil.db import tables_cases, tables_intel, tables_media, tables_web  # noqa: E402,F401
