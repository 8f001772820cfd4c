"""Conversation tables: conversations, participants, messages, attachments, skipped records, and
the ingest of each file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


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


class Ingest(Base):
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
