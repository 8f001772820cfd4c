"""Background jobs and resumable uploads (issue 17; docs/upload.md).

``uploads``: one file coming in from the browser or the API, chunk by chunk. The bytes so far
are a partial file under the workspace (``uploads/<token>/``); its size is how far the upload
has gone, so a chunk costs no database write. ``received`` is set when the upload completes.

``jobs``: work done in the background for a signed-in person (registering an upload as an
exhibit, ingest, analysis, search index), with its state, progress and result.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vigil.db.base import Base, BigId, UTCDateTime


class UploadRow(Base):
    """A resumable upload: who sends what to which case, and what to do with it."""

    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigId)
    received: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(16))
    options: Mapped[str] = mapped_column(Text)
    """JSON: source, acquiring officer, notes and the ingest options given at the start."""
    state: Mapped[str] = mapped_column(String(16))
    """``open`` (chunks accepted), ``complete`` (handed to a job), ``cancelled``."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))


class JobRow(Base):
    """One background job and how far it has got."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    """``queued``, ``running``, ``done`` or ``failed``."""
    step: Mapped[str] = mapped_column(String(64))
    done: Mapped[int] = mapped_column(BigId)
    total: Mapped[int] = mapped_column(BigId)
    message: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
