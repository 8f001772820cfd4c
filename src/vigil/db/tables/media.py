"""Media triage tables: hashed media items, imported hash lists, matches, gradings, a
supervisor's resolutions of disagreements, exposures.

Hashes are derived data: each media item records the preparation pipeline (JSON) and the tool
version that produced it. Hash-list entries are never deleted: a deletion in a later list file
sets ``deleted`` on the earlier entries (CPIA: nothing disappears from the record). A match row
is either a ``match`` (with distance, quality, list and category) or ``cannot be scored`` (the
query's quality was too low), never a silent absence. Portable SQL only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class MediaItem(Base):
    """One image or video exhibit of a case, with its hashes and metadata markers.

    ``vpdq`` holds the frame hashes in vPDQ's reference text format (one
    ``frame,quality,hash,timestamp`` line per frame). ``pdq_dihedral`` is a JSON list of the
    eight variant hashes when the dihedral option was used. ``status`` is ``hashed`` or
    ``undecodable`` (with ``error``).
    """

    __tablename__ = "media_items"
    __table_args__ = (
        UniqueConstraint("case_id", "exhibit_id", name="uq_media_items_case_exhibit"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    exhibit_id: Mapped[int] = mapped_column(ForeignKey("exhibits.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    md5: Mapped[str] = mapped_column(String(32), index=True)
    sha1: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    pdq: Mapped[str | None] = mapped_column(String(64))
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    pdq_dihedral: Mapped[str | None] = mapped_column(Text)
    vpdq: Mapped[str | None] = mapped_column(Text)
    vpdq_frames: Mapped[int | None] = mapped_column(Integer)
    pipeline_version: Mapped[str | None] = mapped_column(String(32))
    preparation: Mapped[str | None] = mapped_column(Text)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    markers: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tool_version: Mapped[str] = mapped_column(String(64))


class HashListRow(Base):
    """One imported hash-list file: where it came from, its version, when and by whom."""

    __tablename__ = "hash_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), index=True)
    source: Mapped[str] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    scheme: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(128))
    entry_count: Mapped[int] = mapped_column(Integer)
    deleted_count: Mapped[int] = mapped_column(Integer)
    issue_count: Mapped[int] = mapped_column(Integer)
    pdq_threshold: Mapped[int] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text, default="{}")


class HashListEntry(Base):
    """One listed item: its hashes, its category and whether it has been deleted."""

    __tablename__ = "hash_list_entries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_lists.id"), index=True)
    media_id: Mapped[str] = mapped_column(String(256))
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdq: Mapped[str | None] = mapped_column(String(64))
    vpdq: Mapped[str | None] = mapped_column(Text)
    category_scheme: Mapped[str | None] = mapped_column(String(64))
    category_code: Mapped[str | None] = mapped_column(String(16))
    category_label: Mapped[str | None] = mapped_column(String(128))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_by_list_id: Mapped[int | None] = mapped_column(ForeignKey("hash_lists.id"))


class MediaMatch(Base):
    """A look-up result worth keeping: a match, or a hash that cannot be scored."""

    __tablename__ = "media_matches"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(8))
    algorithm: Mapped[str] = mapped_column(String(16))
    list_id: Mapped[int | None] = mapped_column(ForeignKey("hash_lists.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("hash_list_entries.id"))
    distance: Mapped[int | None] = mapped_column(Integer)
    quality: Mapped[int | None] = mapped_column(Integer)
    threshold: Mapped[int | None] = mapped_column(Integer)
    variant: Mapped[str | None] = mapped_column(String(16))
    category_scheme: Mapped[str | None] = mapped_column(String(64))
    category_code: Mapped[str | None] = mapped_column(String(16))
    category_label: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tool_version: Mapped[str] = mapped_column(String(64))


class MediaGrading(Base):
    """One person's grade of one item: A, B, C or not_indecent (two people must grade)."""

    __tablename__ = "media_gradings"
    __table_args__ = (
        UniqueConstraint("media_item_id", "grader", name="uq_media_gradings_item_grader"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"), index=True)
    grader: Mapped[str] = mapped_column(String(128))
    grade: Mapped[str] = mapped_column(String(16))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MediaExposure(Base):
    """An officer saw an item unblurred: who, what, why and when (welfare and audit)."""

    __tablename__ = "media_exposures"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user: Mapped[str] = mapped_column(String(128), index=True)
    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class MediaResolution(Base):
    """A supervisor's resolution of graders who disagreed: the grade that stands and why.

    One per item, written once (the custody log keeps the act); the resolver graded nothing
    of the item. Once resolved, the item counts as graded alike for export.
    """

    __tablename__ = "media_resolutions"
    __table_args__ = (UniqueConstraint("media_item_id", name="uq_media_resolutions_item"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    media_item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"))
    resolver: Mapped[str] = mapped_column(String(128))
    grade: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    graders: Mapped[str] = mapped_column(Text)
    """JSON ``{grader: grade}`` of the disagreement as it stood when resolved."""
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)
