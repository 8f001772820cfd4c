"""Leads imported from platform-scale runs (issue 21; migrations 0020, 0021).

A Spark run of Vigil's triage (``vigil scan --engine spark``) writes a results folder with a
provenance manifest. ``vigil leads import`` registers that folder as an exhibit of a case and
records one :class:`LeadImport` (the run's id, input path and SHA-256, the results' SHA-256,
the Vigil, Spark, taxonomy and model versions, who imported it and when) and one :class:`Lead`
per imported item. Append-only: no service changes or deletes one. Portable SQL (SQLite and
PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class LeadImport(Base):
    """One import of a run's results into a case, with the run's provenance.

    ``run_*`` columns are what the run's manifest says about the run; ``results_sha256`` is the
    SHA-256 of the exhibit registered for the results (``exhibit_id``); ``tool_version`` is the
    Vigil that imported them; ``manifest`` the manifest as read."""

    __tablename__ = "lead_imports"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_lead_imports_case_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(96), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    input_path: Mapped[str] = mapped_column(Text)
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    results_sha256: Mapped[str] = mapped_column(String(64))
    run_vigil_version: Mapped[str] = mapped_column(String(64))
    spark_version: Mapped[str] = mapped_column(String(64))
    taxonomy_version: Mapped[str] = mapped_column(String(64))
    model_sha256: Mapped[str] = mapped_column(String(64))
    run_started_at: Mapped[str] = mapped_column(String(64))
    only_flagged: Mapped[bool] = mapped_column(Boolean)
    rows_read: Mapped[int] = mapped_column(Integer)
    leads: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tool_version: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[str] = mapped_column(Text)


class Lead(Base):
    """One imported item (a conversation a platform scored): a lead for a trained person to
    review, never a verdict. ``categories`` and ``flags`` are ``;``-joined. ``language``,
    ``checked`` and ``note`` are the run's language check (``checked`` false: the language has
    no patterns, so nothing was checked and the score says nothing); NULL when the run did not
    write them (migration 0021)."""

    __tablename__ = "leads"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_leads_case_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("lead_imports.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(96))
    item_id: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean)
    categories: Mapped[str] = mapped_column(Text)
    flags: Mapped[str] = mapped_column(Text)
    urgency: Mapped[int | None] = mapped_column(Integer)
    taxonomy_version: Mapped[str] = mapped_column(String(64))
    model_sha256: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    checked: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
