"""Review decisions on conversations and messages (issue 17): state, notes, tags, bookmarks.

``review_decisions`` is the history, append-only: every decision (a state set, a note written,
a tag added or taken off, a bookmark set or cleared) is a new row with who and when, and rows
are never changed or deleted, so nothing a reviewer decided is lost. A decision is about a
whole conversation (``message_seq`` NULL) or one message of it (its sequence number).

``review_states`` holds each conversation's current state (the latest ``state`` decision on
the whole conversation), kept in the same transaction as the decision, so that lists and the
triage queue filter by state with one join. It is derived: the history alone rebuilds it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class ReviewDecision(Base):
    """One decision: ``kind`` is ``state``, ``note``, ``tag``, ``untag``, ``bookmark`` or
    ``unbookmark``; ``value`` the state, the note's text or the tag (empty for bookmarks)."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        Index("ix_review_decisions_conv", "conversation_id", "message_seq", "id"),
        Index("ix_review_decisions_case", "case_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    message_seq: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    custody_seq: Mapped[int] = mapped_column(Integer)
    """The custody-log entry that records this decision."""


class ReviewState(Base):
    """A conversation's current review state (the latest ``state`` decision on it)."""

    __tablename__ = "review_states"
    __table_args__ = (Index("ix_review_states_case_state", "case_id", "state"),)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id"), primary_key=True, autoincrement=False
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    state: Mapped[str] = mapped_column(String(16))
    decision_id: Mapped[int] = mapped_column(ForeignKey("review_decisions.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
