"""Intelligence tables: identifiers found in a case's messages, participants and attachments,
and the record of each case's last extraction.

Identifier rows are derived data (DESIGN.md rule 6): they are replaced as a whole for a case
each time extraction runs, and each carries the tool version that produced it. The index on
``(kind, platform, value)`` serves cross-case lookups; ``platform`` is ``""`` (not NULL) when
the identifier names none, so that equality joins match. Portable SQL only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class IdentifierRow(Base):
    """One identifier (phone, e-mail, handle, wallet, ...) found in one field of a case.

    ``source`` is ``message`` (``message_seq`` set, ``participant_id`` is the author),
    ``participant`` (``participant_id`` set; ``field`` says whether the display name, the
    platform id, or — ``field="account"`` — the account itself) or ``attachment`` (the file
    name of an attachment of message ``message_seq``). ``span_start``/``span_end`` index into
    that field's text.
    """

    __tablename__ = "identifiers"
    __table_args__ = (
        Index("ix_identifiers_lookup", "kind", "platform", "value"),
        Index("ix_identifiers_conv_seq", "conversation_id", "message_seq"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    message_seq: Mapped[int | None] = mapped_column(Integer)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    source: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(1024))
    raw: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(64), default="")
    valid: Mapped[bool | None] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(64))


class IntelExtraction(Base):
    """A case's last identifier extraction: when, in which region, up to which ingest."""

    __tablename__ = "intel_extractions"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id"), primary_key=True, autoincrement=False
    )
    region: Mapped[str] = mapped_column(String(8))
    last_ingest_id: Mapped[int | None] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    identifiers: Mapped[int] = mapped_column(Integer)
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tool_version: Mapped[str] = mapped_column(String(64))
