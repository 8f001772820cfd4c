"""Authorisation cover gaps: evidence captured under a persona outside its authorisations.

Nothing is refused at capture or ingest: the exhibit and its conversations are stored, and
each run of messages outside cover (or a capture whose time was outside it) is recorded here
for the supervisor (:mod:`vigil.services.casework.cover`), with a custody entry. Portable SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class CoverGap(Base):
    """A run of messages of one conversation (or one capture, without a conversation) that no
    authorisation of the persona covered at the time."""

    __tablename__ = "cover_gaps"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    persona_ref: Mapped[str] = mapped_column(String(64))
    first_seq: Mapped[int | None] = mapped_column(Integer)
    last_seq: Mapped[int | None] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
