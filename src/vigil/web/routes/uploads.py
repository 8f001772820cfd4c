"""Evidence in from the browser: streamed, resumable uploads and background jobs with progress
(issue 17 item 1; docs/upload.md).

The page (``/cases/{ref}/upload``) drives the chunk API below with ``static/upload.js``; API
clients use the same endpoints with a bearer token. Chunk bodies are streamed to disk piece
by piece (:class:`vigil.services.jobs.uploads.ChunkWriter`), never read whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from vigil.services.jobs import store, uploads
from vigil.services.jobs.runner import JobRunner
from vigil.services.jobs.store import JobInfo
from vigil.services.jobs.uploads import OffsetMismatch, UploadOptions, UploadStatus
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["uploads"], responses=API_ERRORS)

JobId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The job's number")]
WRITE_BYTES = 1024 * 1024
"""Pieces of a chunk are gathered to about this size before each write to disk."""
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the chunk does not continue the upload: `offset` says where it stands"}
}


@asynccontextmanager
async def run_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: its job runner (``app.state.jobs``) runs while it serves."""
    runner: JobRunner | None = getattr(app.state, "jobs", None)
    if runner is not None:
        await run_in_threadpool(runner.start)
    try:
        yield
    finally:
        if runner is not None:
            await run_in_threadpool(runner.stop)


class UploadStart(BaseModel):
    name: str = Field(min_length=1, max_length=1000, description="The file's name")
    size: int = Field(ge=0, le=2**62, description="The file's size in bytes")
    kind: Literal["chat", "handset", "media", "other"] = Field(
        description="chat export, handset extraction (UFDR), media or other file"
    )
    source: str = Field(min_length=1, max_length=500, description="Where the file came from")
    acquired_by: str = Field(min_length=1, max_length=256, description="The acquiring officer")
    acquired_at: str | None = Field(None, max_length=64, description="ISO 8601; default now")
    persona: str | None = Field(None, max_length=128, description="Capturing persona, if any")
    notes: str | None = Field(None, max_length=2000)
    ingest: bool = Field(False, description="Read conversations, analyse and index afterwards")
    format: str = Field("auto", max_length=64, description="auto, or a parser name")
    tz: str | None = Field(None, max_length=64, description="Zone for times without an offset")


class UploadComplete(BaseModel):
    sha256: str | None = Field(
        None, pattern="^[0-9a-fA-F]{64}$", description="If given, checked before registering"
    )


def _runner(request: Request) -> JobRunner | None:
    runner = getattr(request.app.state, "jobs", None)
    return runner if isinstance(runner, JobRunner) else None


def _conflict(exc: OffsetMismatch) -> JSONResponse:
    body = {"detail": exc.message, "hint": exc.hint, "offset": exc.offset}
    return JSONResponse(body, status_code=409, headers={"Upload-Offset": str(exc.offset)})


@pages.get("/cases/{case_ref}/upload")
def upload_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str
) -> HTMLResponse:
    return page(request, "upload.html", {"f": uploads.upload_form(ws, user, case_ref)})


@pages.get("/jobs")
def jobs_page(request: Request, ws: WorkspaceDep, user: CurrentUser) -> HTMLResponse:
    return page(request, "jobs.html", {"jobs": store.list_jobs(ws, user)})


@pages.get("/jobs/{job_id}")
def job_page(request: Request, ws: WorkspaceDep, user: CurrentUser, job_id: JobId) -> HTMLResponse:
    return page(request, "jobs_detail.html", {"j": store.get_job(ws, user, job_id, record=True)})


@api.post(
    "/cases/{case_ref}/uploads",
    response_model=UploadStatus,
    status_code=201,
    summary="Start an upload",
)
def start_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: UploadStart
) -> UploadStatus:
    """Declare a file (name, size, kind) with what is recorded with the exhibit; send its
    bytes with ``PUT /api/v1/uploads/{upload_token}?offset=``, then complete it."""
    opts = UploadOptions(
        source=body.source, acquired_by=body.acquired_by, acquired_at=body.acquired_at,
        persona=body.persona, notes=body.notes, ingest=body.ingest, fmt=body.format, tz=body.tz,
    )  # fmt: skip
    return uploads.start_upload(ws, user, case_ref, body.name, body.size, body.kind, opts)


@api.get(
    "/uploads/{upload_token}", response_model=UploadStatus, summary="How far an upload has got"
)
def status_api(ws: WorkspaceDep, user: CurrentUser, upload_token: str) -> UploadStatus:
    """``offset`` is the next byte to send (after a dropped connection, resume from it)."""
    return uploads.upload_status(ws, user, upload_token)


@api.put(
    "/uploads/{upload_token}",
    response_model=UploadStatus,
    summary="Send a chunk",
    responses=_CONFLICT,
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}}},
)
async def chunk_api(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    upload_token: str,
    offset: Annotated[int, Query(ge=0, le=2**62, description="Where these bytes start")],
) -> UploadStatus | JSONResponse:
    """The request body is the file's bytes from ``offset`` (at most 64 MiB), streamed to
    disk. A chunk beyond the bytes received is refused with 409 and the current ``offset``."""
    try:
        writer = await run_in_threadpool(uploads.open_chunk, ws, user, upload_token, offset)
    except OffsetMismatch as exc:
        return _conflict(exc)
    buf = bytearray()
    try:
        async for piece in request.stream():
            buf += piece
            if len(buf) >= WRITE_BYTES:
                await run_in_threadpool(writer.write, bytes(buf))
                buf.clear()
        if buf:
            await run_in_threadpool(writer.write, bytes(buf))
    except OffsetMismatch as exc:
        await run_in_threadpool(writer.abort)
        return _conflict(exc)
    except ClientDisconnect:
        if buf:  # keep what arrived: the client resumes from the offset
            await run_in_threadpool(writer.write, bytes(buf))
        await run_in_threadpool(writer.abort)
        return JSONResponse({"detail": "the connection broke off"}, status_code=400)
    except BaseException:
        await run_in_threadpool(writer.abort)
        raise
    return await run_in_threadpool(writer.close)


@api.post(
    "/uploads/{upload_token}/complete",
    response_model=UploadStatus,
    summary="Finish an upload and queue its job",
    responses=_CONFLICT,
)
def complete_api(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    upload_token: str,
    body: UploadComplete | None = None,
) -> UploadStatus | JSONResponse:
    """Every byte must be in. Queues the job that registers the file as an exhibit (and
    ingests, analyses and indexes it if asked); follow it at ``job_url``."""
    try:
        st = uploads.complete_upload(ws, user, upload_token, body.sha256 if body else None)
    except OffsetMismatch as exc:
        return _conflict(exc)
    runner = _runner(request)
    if runner is not None and st.job_id is not None:
        runner.submit(st.job_id)
    return st


@api.get("/jobs", response_model=list[JobInfo], summary="My jobs")
def jobs_api(ws: WorkspaceDep, user: CurrentUser) -> list[JobInfo]:
    """Jobs I started (and, for a supervisor, those of my cases), newest first."""
    return store.list_jobs(ws, user)


@api.get("/jobs/{job_id}", response_model=JobInfo, summary="A job's progress")
def job_api(ws: WorkspaceDep, user: CurrentUser, job_id: JobId) -> JobInfo:
    """State, step, progress (``done`` of ``total``, ``percent``), message and result."""
    return store.get_job(ws, user, job_id)
