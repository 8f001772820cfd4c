"""Covert capture sessions (issue 18): an officer's recording of a persona's own chats.

A session is opened for one officer, case, persona and platform once a live authorisation is
found (its reference is kept); each capture (a browser screenshot with the page's MHTML and
HTML, or a file imported from a handset) points at the exhibits it stored; notes are the
officer's contemporaneous notes, append-only. Portable SQL (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class CaptureSession(Base):
    """One officer's capture session under a persona on a platform.

    ``open_for_id`` is the officer's user id while the session is open and NULL once stopped:
    its unique constraint holds each officer to one open session (NULLs never collide)."""

    __tablename__ = "capture_sessions"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_capture_sessions_case_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(96), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    persona_id: Mapped[int] = mapped_column(ForeignKey("personas.id"), index=True)
    platform: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    officer_name: Mapped[str] = mapped_column(String(256))
    device: Mapped[str] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(64))
    authorisation_ref: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    open_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)


class Capture(Base):
    """One capture in a session: what was stored, when, from where.

    ``exhibit_id`` is the screenshot (browser) or the imported file; a browser capture also
    stores the page's MHTML and HTML. ``claimed_at`` is a time the file's own metadata claims
    (EXIF DateTimeOriginal), kept beside ``captured_at`` (the time Vigil stored it), never in
    its place; ``claimed_text`` is the metadata as written and ``claimed_tz`` the zone assumed
    when it had no offset."""

    __tablename__ = "captures"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_captures_session_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("capture_sessions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    mhtml_exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    html_exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_text: Mapped[str | None] = mapped_column(String(64))
    claimed_tz: Mapped[str | None] = mapped_column(String(64))
    claimed_source: Mapped[str | None] = mapped_column(String(64))
    tool: Mapped[str] = mapped_column(String(256))


class CaptureNote(Base):
    """A contemporaneous note in a session. Append-only: no service changes or deletes one."""

    __tablename__ = "capture_notes"
    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_capture_notes_session_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("capture_sessions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    noted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
