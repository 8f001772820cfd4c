"""Screenshot transcripts (issue 18, item 3): chat screenshots read by OCR into a conversation.

A transcript is one conversation made from one or more screenshot exhibits (consecutive,
overlapping screenshots of one chat merge into one). Each of its messages keeps where it was
read: the screenshot exhibit, the bubble's bounding box in that image's pixels, the mean word
confidence (0-100) and the words read below the confidence threshold, marked, never "fixed".
Portable SQL (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class OcrTranscript(Base):
    """One OCR run: the screenshots it read, the layout it applied, the conversation it made."""

    __tablename__ = "ocr_transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    layout: Mapped[str] = mapped_column(String(32))
    """The chat layout applied (``whatsapp``, ``instagram``, ``messenger``, ``snapchat``,
    ``discord``, ``telegram``)."""
    theme: Mapped[str] = mapped_column(String(16))
    """``light`` or ``dark``."""
    engine: Mapped[str] = mapped_column(String(128))
    """OCR engine and version, e.g. ``tesseract 5.3.0``, with the binding's version."""
    language: Mapped[str] = mapped_column(String(32))
    """Tesseract language(s) used, e.g. ``eng``."""
    screenshot_count: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    """What was assumed and what was skipped (merged overlaps, unreadable regions)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class OcrMessage(Base):
    """Where one transcript message was read: screenshot, bubble box, confidence."""

    __tablename__ = "ocr_messages"
    __table_args__ = (
        UniqueConstraint("transcript_id", "message_seq", name="uq_ocr_messages_transcript_seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("ocr_transcripts.id"), index=True)
    message_seq: Mapped[int] = mapped_column(Integer)
    """The message's ``seq`` in the transcript conversation."""
    screenshot_exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    left: Mapped[int] = mapped_column(Integer)
    top: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    """Mean word confidence of the message's text, 0-100."""
    low_confidence: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of ``{"start": i, "end": j, "conf": c}``: character spans of the message text
    read below the threshold."""
