"""Redactions of messages and media (issue 20 item 4; migration 0019).

A redaction is a layer over the evidence, never a change to it: ``redactions`` says what to hide
in what is produced (a transcript, a schedule, a redacted bundle) and why. Three kinds:

- ``span``: characters ``[start_char, end_char)`` of one message (``conversation_id``,
  ``message_seq``), with the SHA-256 of the characters redacted (``text_sha256``) so that a
  span can be checked against the message it was made on;
- ``phrase``: every whole-word occurrence of ``phrase`` (any case) in one conversation
  (``conversation_id`` set) or in the whole case (``conversation_id`` NULL);
- ``box``: a rectangle of an image exhibit (``exhibit_id``, ``box_*`` in pixels, as displayed).

Rows are never deleted: a withdrawal fills the ``withdrawn_*`` columns, and both the addition
and the withdrawal are custody entries (``custody_seq``, ``withdrawn_custody_seq``) that carry
the SHA-256 and length of the text, never the text. Portable SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class Redaction(Base):
    """One redaction: kind, where, reason (code and note), who and when; withdrawn or standing."""

    __tablename__ = "redactions"
    __table_args__ = (
        Index("ix_redactions_case", "case_id", "id"),
        Index("ix_redactions_conv", "conversation_id", "message_seq"),
        Index("ix_redactions_exhibit", "exhibit_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    message_seq: Mapped[int | None] = mapped_column(Integer)
    start_char: Mapped[int | None] = mapped_column(Integer)
    end_char: Mapped[int | None] = mapped_column(Integer)
    phrase: Mapped[str | None] = mapped_column(Text)
    whole_word: Mapped[bool] = mapped_column(Boolean, default=True)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    box_x: Mapped[int | None] = mapped_column(Integer)
    box_y: Mapped[int | None] = mapped_column(Integer)
    box_w: Mapped[int | None] = mapped_column(Integer)
    box_h: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    custody_seq: Mapped[int] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_custody_seq: Mapped[int | None] = mapped_column(Integer)
