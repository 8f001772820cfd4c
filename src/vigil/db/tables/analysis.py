"""Analysis tables: findings and each conversation's stored assessment."""

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
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


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
