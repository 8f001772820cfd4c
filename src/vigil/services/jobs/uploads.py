"""Resumable uploads: start, send chunks at an offset, complete (docs/upload.md).

The bytes are streamed to a partial file under the workspace (``uploads/<token>/<name>``),
never held whole in memory. The partial file's size is how far the upload has got, so a chunk
costs no database write and an upload survives a restart of the server. A chunk must start at
or before that offset: bytes below it must equal what is already stored (a retried chunk is
harmless), the rest are appended; a chunk starting beyond it is refused with the current
offset (:class:`OffsetMismatch`), from which the client resumes.

An upload belongs to its case: any member who may write in the case may continue or complete
it (its token is unguessable and given only to the one who started it). Completing it queues a
job (:mod:`vigil.services.jobs.store`) that registers the file as an exhibit, hashing it as
``vigil evidence add`` does, and, if asked, ingests, analyses and indexes it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case
from vigil.db.tables.jobs import UploadRow
from vigil.errors import AccessDenied, UserError
from vigil.plugins import parsers
from vigil.services.access import Principal, require_case
from vigil.services.cases import check_tz
from vigil.services.jobs import store
from vigil.services.times import parse_time
from vigil.services.workspace import Workspace

KINDS: dict[str, str] = {
    "chat": "chat export",
    "handset": "handset extraction (UFDR)",
    "media": "media",
    "other": "other file",
}
"""What an upload is, in officers' words."""
INGESTED = frozenset({"chat", "handset"})
"""Kinds that can be ingested (read into conversations) after the upload."""
CHUNK_BYTES = 8 * 1024 * 1024
"""The chunk size the page sends."""
MAX_CHUNK_BYTES = 64 * 1024 * 1024
"""Largest chunk accepted in one request."""
MAX_OPEN = 20
"""Unfinished uploads one person may have at a time."""
SPARE_BYTES = 64 * 1024 * 1024
"""Free disk space kept beyond the file and its copy in the evidence store."""
COMPARE_BYTES = 1024 * 1024


class OffsetMismatch(UserError):
    """A chunk that does not continue the upload; ``offset`` is where it stands."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message, hint=f"send the bytes from offset {offset}")
        self.offset = offset


@dataclass(frozen=True, slots=True)
class UploadOptions:
    """What is recorded with the exhibit, and what to do after the upload (the CLI's options)."""

    source: str
    acquired_by: str
    acquired_at: str | None = None
    persona: str | None = None
    notes: str | None = None
    ingest: bool = False
    fmt: str = "auto"
    tz: str | None = None


@dataclass(slots=True)
class UploadStatus:
    token: str
    case_ref: str
    name: str
    kind: str
    size: int
    offset: int
    state: str
    chunk_size: int
    job_id: int | None
    job_url: str | None


def uploads_dir(ws: Workspace) -> Path:
    return ws.settings.resolved_home / "uploads"


def safe_name(name: str) -> str:
    """The file's own name as the browser gave it, without folders or control characters
    (kept for format detection, which looks at the extension)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base[:200] or "upload.bin"


def partial_path(ws: Workspace, row: UploadRow) -> Path:
    return uploads_dir(ws) / row.token / row.name


def _clean(text: str | None, what: str, limit: int = 500, required: bool = False) -> str | None:
    value = " ".join((text or "").split())
    if not value:
        if required:
            raise UserError(f"{what} is required", hint=f"say {what}")
        return None
    return value[:limit]


def _check_options(case: Case, kind: str, opts: UploadOptions) -> UploadOptions:
    if kind not in KINDS:
        raise UserError(f"unknown kind {kind!r}", hint="one of: " + ", ".join(KINDS))
    if opts.acquired_at:
        parse_time(opts.acquired_at, case.default_tz)
    if opts.tz:
        check_tz(opts.tz)
    fmt = (opts.fmt or "auto").strip()
    if fmt != "auto" and fmt not in {p.name for p in parsers()}:
        raise UserError(f"unknown format {fmt!r}", hint="leave it on auto to detect it")
    if opts.ingest and kind not in INGESTED:
        raise UserError(
            f"a {KINDS[kind]} is registered, not ingested",
            hint="choose chat export or handset extraction to read it into conversations",
        )
    return UploadOptions(
        source=_clean(opts.source, "where the file came from", required=True) or "",
        acquired_by=_clean(opts.acquired_by, "the acquiring officer", 256, True) or "",
        acquired_at=_clean(opts.acquired_at, "acquired at", 64),
        persona=_clean(opts.persona, "persona", 128),
        notes=_clean(opts.notes, "notes", 2000),
        ingest=opts.ingest,
        fmt=fmt,
        tz=_clean(opts.tz, "time zone", 64),
    )


def _free_enough(ws: Workspace, size: int) -> None:
    folder = uploads_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < 2 * size + SPARE_BYTES:
        raise UserError(
            f"not enough disk space for a file of {size:,} bytes ({free:,} bytes free; the "
            "upload and its copy in the evidence store need twice its size)",
            hint="ask the administrator to free space on the workspace's disk",
        )


def start_upload(
    ws: Workspace, user: Principal, case_ref: str, name: str, size: int, kind: str,
    opts: UploadOptions,
) -> UploadStatus:  # fmt: skip
    """Start an upload of ``size`` bytes named ``name`` into ``case_ref`` (needs write)."""
    if size < 0:
        raise UserError("the size cannot be negative")
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "write")
        opts = _check_options(case, kind, opts)
        open_now = s.execute(
            select(func.count())
            .select_from(UploadRow)
            .where(UploadRow.user_id == user.user_id, UploadRow.state == "open")
        ).scalar_one()
    if open_now >= MAX_OPEN:
        raise UserError(
            f"you have {open_now} unfinished uploads",
            hint="finish one of them first (unfinished uploads are given up after a week)",
        )
    _free_enough(ws, size)
    token = secrets.token_urlsafe(24)
    row = UploadRow(
        token=token, case_id=case.id, user_id=user.user_id, name=safe_name(name), size=size,
        received=0, kind=kind, options=json.dumps(_options_json(opts)), state="open",
        created_at=ws.now(), completed_at=None, job_id=None,
    )  # fmt: skip
    path = partial_path(ws, row)
    path.parent.mkdir(parents=True, exist_ok=False)
    path.touch()
    try:
        with ws.transaction() as s:
            s.add(row)
    except BaseException:
        remove_partial(ws, token)
        raise
    return _status(ws, row, case_ref)


def _options_json(opts: UploadOptions) -> dict[str, Any]:
    return {
        "source": opts.source, "acquired_by": opts.acquired_by, "acquired_at": opts.acquired_at,
        "persona": opts.persona, "notes": opts.notes, "ingest": opts.ingest, "fmt": opts.fmt,
        "tz": opts.tz,
    }  # fmt: skip


def options_of(row: UploadRow) -> UploadOptions:
    return UploadOptions(**json.loads(row.options))


def _status(ws: Workspace, row: UploadRow, case_ref: str) -> UploadStatus:
    path = partial_path(ws, row)
    offset = path.stat().st_size if path.is_file() else row.received
    return UploadStatus(
        row.token, case_ref, row.name, row.kind, row.size, offset, row.state, CHUNK_BYTES,
        row.job_id, store.job_url(row.job_id) if row.job_id is not None else None,
    )  # fmt: skip


def _load(s: Session, user: Principal, token: str) -> tuple[UploadRow, str]:
    row = s.execute(select(UploadRow).where(UploadRow.token == token)).scalar_one_or_none()
    case = s.get(Case, row.case_id) if row is not None else None
    if row is None or case is None or row.state == "cancelled":
        raise AccessDenied(
            "no such upload, or not one of your cases'", hint="start the upload again"
        )
    require_case(s, user, case.ref, "write")
    return row, case.ref


def upload_status(ws: Workspace, user: Principal, token: str) -> UploadStatus:
    """How far an upload has got (the offset to send next)."""
    with ws.sessions() as s:
        row, case_ref = _load(s, user, token)
    return _status(ws, row, case_ref)


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(token: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(token, threading.Lock())


class ChunkWriter:
    """Writes one chunk, piece by piece, into the partial file (from :func:`open_chunk`)."""

    def __init__(self, ws: Workspace, row: UploadRow, case_ref: str, offset: int) -> None:
        self._ws, self._row, self._case_ref = ws, row, case_ref
        self._lock = _lock(row.token)
        if not self._lock.acquire(blocking=False):
            raise OffsetMismatch("another chunk of this upload is being written", offset)
        try:
            path = partial_path(ws, row)
            self._fh: BinaryIO = path.open("r+b")
            self._end = os.fstat(self._fh.fileno()).st_size
            if offset > self._end:
                raise OffsetMismatch(
                    f"the upload stands at byte {self._end:,}; a chunk at {offset:,} would "
                    "leave a gap",
                    self._end,
                )
            if offset < 0:
                raise OffsetMismatch("the offset cannot be negative", self._end)
        except BaseException:
            self._release()
            raise
        self._pos = offset
        self._start = offset

    def _release(self) -> None:
        if hasattr(self, "_fh"):
            self._fh.close()
        self._lock.release()

    def write(self, data: bytes) -> None:
        """Take the next piece: compared with what is stored below the end, else appended."""
        if self._pos + len(data) - self._start > MAX_CHUNK_BYTES:
            raise UserError(f"a chunk may hold at most {MAX_CHUNK_BYTES:,} bytes")
        if self._pos + len(data) > self._row.size:
            raise UserError(
                f"more bytes than the {self._row.size:,} declared at the start",
                hint="start the upload again with the file's real size",
            )
        overlap = min(len(data), max(0, self._end - self._pos))
        if overlap:
            self._fh.seek(self._pos)
            if self._fh.read(overlap) != data[:overlap]:
                raise OffsetMismatch(
                    f"the bytes at offset {self._pos:,} differ from those already received",
                    self._end,
                )
        if overlap < len(data):
            self._fh.seek(self._pos + overlap)
            self._fh.write(data[overlap:])
            self._end = self._pos + len(data)
        self._pos += len(data)

    def close(self) -> UploadStatus:
        """Finish the chunk; what was written stays even if the request broke off."""
        try:
            self._fh.flush()
        finally:
            self._release()
        return _status(self._ws, self._row, self._case_ref)

    abort = close


def open_chunk(ws: Workspace, user: Principal, token: str, offset: int) -> ChunkWriter:
    """A writer for a chunk starting at ``offset`` (checked against the bytes received)."""
    with ws.sessions() as s:
        row, case_ref = _load(s, user, token)
    if row.state != "open" and not partial_path(ws, row).is_file():
        raise OffsetMismatch("the upload is complete and its file handed on", row.size)
    return ChunkWriter(ws, row, case_ref, offset)


def write_chunk(
    ws: Workspace, user: Principal, token: str, offset: int, data: bytes | BinaryIO
) -> UploadStatus:
    """Write one chunk from bytes or a stream (read in pieces)."""
    writer = open_chunk(ws, user, token, offset)
    try:
        if isinstance(data, bytes):
            writer.write(data)
        else:
            while piece := data.read(COMPARE_BYTES):
                writer.write(piece)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def complete_upload(
    ws: Workspace, user: Principal, token: str, sha256: str | None = None
) -> UploadStatus:
    """All bytes are in: queue the job that registers (and, if asked, ingests) the file.
    Completing an upload again returns the same job. ``sha256``, if given, is checked
    against the bytes before anything is registered."""
    with ws.sessions() as s:
        row, case_ref = _load(s, user, token)
    if row.state == "complete":
        return _status(ws, row, case_ref)
    with _lock(token):
        got = partial_path(ws, row).stat().st_size
        if got != row.size:
            raise OffsetMismatch(f"{got:,} of {row.size:,} bytes received", got)
        opts = options_of(row)
        ingest = opts.ingest and row.kind in INGESTED
        with ws.transaction() as s:
            fresh = s.get(UploadRow, row.id)
            assert fresh is not None
            if fresh.state == "open":
                what = "Register, read and triage" if ingest else "Register"
                params = {"upload": token, "sha256": (sha256 or "").strip().lower() or None}
                job = store.create_job(
                    s, "ingest" if ingest else "register", row.case_id, user.user_id,
                    f"{what} {row.name} ({KINDS[row.kind]})", params, row.size, ws.now(),
                )  # fmt: skip
                fresh.state, fresh.received = "complete", got
                fresh.completed_at, fresh.job_id = ws.now(), job.id
            row = fresh
    return _status(ws, row, case_ref)


def remove_partial(ws: Workspace, token: str) -> None:
    """Delete an upload's partial file (after its job, or when it is cancelled)."""
    folder = uploads_dir(ws) / token
    if folder.parent == uploads_dir(ws) and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
    with _LOCKS_GUARD:
        _LOCKS.pop(token, None)


@dataclass(slots=True)
class UploadForm:
    """What the upload page offers for a case."""

    case_ref: str
    case_title: str
    case_tz: str
    kinds: dict[str, str]
    formats: list[str]
    officer: str
    chunk_size: int


def upload_form(ws: Workspace, user: Principal, case_ref: str) -> UploadForm:
    """The upload page of a case, for a member who may write in it."""
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "write")
        title, tz = case.title, case.default_tz
    formats = sorted(p.name for p in parsers())
    officer = user.display_name or user.username
    return UploadForm(case_ref, title, tz, KINDS, formats, officer, CHUNK_BYTES)
