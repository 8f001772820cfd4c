"""Evidence tables: stored blobs, exhibits and their acquisitions, the custody/audit log and its
head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class Blob(Base):
    """Stored bytes, content-addressed by SHA-256. One row per distinct content."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha1: Mapped[str] = mapped_column(String(40), index=True)
    md5: Mapped[str] = mapped_column(String(32), index=True)
    size: Mapped[int] = mapped_column(BigId)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Exhibit(Base):
    """A registered item of evidence in one case."""

    __tablename__ = "exhibits"
    __table_args__ = (
        UniqueConstraint("case_id", "ref", name="uq_exhibits_case_ref"),
        UniqueConstraint("case_id", "blob_sha256", name="uq_exhibits_case_blob"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    initials: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    original_name: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigId)
    parent_exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    derived_path: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tool_version: Mapped[str] = mapped_column(String(64))


class Acquisition(Base):
    """One acquisition of an exhibit's bytes. Registering the same bytes again adds a row."""

    __tablename__ = "acquisitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"), index=True)
    original_name: Mapped[str] = mapped_column(Text)
    original_path: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    acquired_by: Mapped[str] = mapped_column(String(256))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at_text: Mapped[str | None] = mapped_column(String(64))
    tz_assumed: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    derived_from_exhibit_id: Mapped[int | None] = mapped_column(ForeignKey("exhibits.id"))
    tool_version: Mapped[str] = mapped_column(String(64))


class CustodyEntry(Base):
    """One append-only, hash-chained custody/audit entry.

    ``entry_hash`` = SHA-256 over the canonical JSON of the fields and ``prev_hash``
    (see :mod:`vigil.evidence.custody`). ``recorded_at`` is kept as the exact ISO text that
    was hashed so that a third party can recompute it.
    """

    __tablename__ = "custody_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recorded_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(256), index=True)
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    purpose: Mapped[str | None] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class CustodyHead(Base):
    """Single-row table: the chain head. Updating it first serialises appends on every backend."""

    __tablename__ = "custody_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))


class CustodyCheckpoint(Base):
    """The database's copy of one signed checkpoint (:mod:`vigil.evidence.checkpoints`); the
    checkpoint file outside the database holds the same lines."""

    __tablename__ = "custody_checkpoints"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(16))
    sig: Mapped[str] = mapped_column(String(128))
