"""Disclosure under CPIA 1996 (issue 20 item 3): each item's status and schedule description,
their history, and the schedules generated from them (docs/disclosure.md).

``disclosure_items`` holds each item's current decision (one row per case and item key, e.g.
``exhibit:SE/1``), kept in the same transaction as the history row that made it, so that lists
and schedules read one table. ``disclosure_changes`` is the history, append-only: every status,
description or "might undermine / assist" flag set is a new row with who, when and the custody
entry that records it. ``disclosure_revisions`` are the schedules generated (MG6C, MG6D, MG6E),
numbered per case, each with its rows as JSON and their SHA-256; a revision is marked
served once (when and to whom). Portable SQL (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class DisclosureItem(Base):
    """An item's current disclosure decision (the latest row of its history)."""

    __tablename__ = "disclosure_items"
    __table_args__ = (UniqueConstraint("case_id", "item_key", name="uq_disclosure_items_case_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    undermines: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    change_id: Mapped[int] = mapped_column(Integer)
    """The ``disclosure_changes`` row that set it."""


class DisclosureChange(Base):
    """One decision on an item, never changed or deleted: the status, description and flag
    as they stood after it."""

    __tablename__ = "disclosure_changes"
    __table_args__ = (Index("ix_disclosure_changes_case_key", "case_id", "item_key", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    item_key: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    undermines: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    custody_seq: Mapped[int] = mapped_column(Integer)


class DisclosureRevision(Base):
    """One generated schedule: ``kind`` ``mg6c``, ``mg6d`` or ``mg6e``; ``number`` counts
    from 1 per case, across kinds (``vigil disclosure served --revision N`` names one). ``rows_json`` is the schedule's rows (canonical JSON, hashed
    into ``content_sha256``); ``item_keys_json`` every item of the case known then (so that an
    item that appears later is seen as new)."""

    __tablename__ = "disclosure_revisions"
    __table_args__ = (
        UniqueConstraint("case_id", "number", name="uq_disclosure_revisions_case_number"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    generated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    rows_json: Mapped[str] = mapped_column(Text)
    item_keys_json: Mapped[str] = mapped_column(Text)
    custody_seq: Mapped[int] = mapped_column(Integer)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_on: Mapped[date | None] = mapped_column(Date)
    """The date it was served, as the officer gives it (``served_at``: when that was recorded)."""
    served_to: Mapped[str | None] = mapped_column(Text)
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
