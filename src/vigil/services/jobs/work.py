"""What a job does, for the person who started it, through the command line's services:

1. **register**: the uploaded file is hashed (SHA-256, SHA-1, MD5), stored read-only and
   registered as an exhibit with its source and acquiring officer, exactly as
   ``vigil evidence add`` does (:func:`vigil.services.evidence.exhibits.register_stream`,
   the same custody entry); notes given with the upload are one ``annotate`` entry;
2. **ingest** (chat exports and handset extractions, if asked): the conversations are read
   from the file as ``vigil ingest`` does (:func:`vigil.services.ingest.run.ingest_file`,
   one transaction);
3. **analyse**: the case's new conversations are analysed as ``vigil triage`` does;
4. **index**: the case's messages are brought into the full-text search index.

Each step checks access itself, as the acting person, when it runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.jobs import JobRow, UploadRow
from vigil.errors import IntegrityError, UserError
from vigil.services import audit
from vigil.services.access import principal_of, require_case
from vigil.services.evidence.exhibits import register_stream
from vigil.services.ingest.run import ingest_file
from vigil.services.jobs import store
from vigil.services.jobs.uploads import options_of, partial_path
from vigil.services.search import index
from vigil.services.triage.run import analyse
from vigil.services.workspace import Workspace


@dataclass(slots=True)
class _Meter:
    """Progress of one step, counted up from the callbacks of the services."""

    ws: Workspace
    job_id: int
    step: str
    total: int
    done: int = 0

    def __call__(self, n: int) -> None:
        self.done += n
        store.set_live(self.ws, self.job_id, self.step, min(self.done, self.total), self.total)


def _step(ws: Workspace, job_id: int, step: str, total: int) -> _Meter:
    store.set_step(ws, job_id, step, 0, total)
    return _Meter(ws, job_id, step, total)


def _check_sha256(path: Any, want: str) -> None:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(4 * 1024 * 1024):
            h.update(block)
    if h.hexdigest() != want:
        raise IntegrityError(
            f"the file received has SHA-256 {h.hexdigest()}, not the {want} the sender gave: "
            "it was changed or cut short on the way, so it was not registered",
            hint="upload it again",
        )


def run_job(ws: Workspace, job_id: int) -> dict[str, Any]:
    """Do the job's steps; returns its result. Raises what a step raises."""
    with ws.sessions() as s:
        job = s.get(JobRow, job_id)
        assert job is not None
        params = json.loads(job.params)
        upload = s.execute(
            select(UploadRow).where(UploadRow.token == params["upload"])
        ).scalar_one()
        user = s.get(User, job.user_id)
        case = s.get(Case, job.case_id)
        assert user is not None and case is not None
        principal = principal_of(user, f"j:{job_id}")
        kind = job.kind
    acting = ws.acting_for(principal)
    opts = options_of(upload)
    path = partial_path(ws, upload)
    if not path.is_file():
        raise UserError("the uploaded file is no longer there", hint="upload it again")
    if params.get("sha256"):
        _check_sha256(path, params["sha256"])
    meter = _step(ws, job_id, "register", upload.size)
    with path.open("rb") as fh:
        reg = register_stream(
            acting, case.ref, fh, original_name=upload.name, original_path=None,
            source=opts.source, acquired_by=opts.acquired_by, acquired_at=opts.acquired_at,
            progress=meter, persona=opts.persona,
        )  # fmt: skip
    ex = reg.exhibit
    result: dict[str, Any] = {
        "exhibit": ex.ref, "sha256": ex.sha256, "sha1": ex.sha1, "md5": ex.md5, "size": ex.size,
        "new_exhibit": reg.new_exhibit,
    }  # fmt: skip
    if opts.notes:
        with acting.transaction() as s:
            require_case(s, principal, case.ref, "write")
            audit.record(
                s, principal, "annotate", audit.Subject("exhibit", ex.ref, case.ref),
                details={"notes": opts.notes}, now=ws.now(),
            )  # fmt: skip
    if kind != "ingest":
        return result
    meter = _step(ws, job_id, "ingest", upload.size)
    summary = ingest_file(
        acting, case.ref, path, fmt=opts.fmt, tz=opts.tz, source=opts.source,
        acquired_by=opts.acquired_by, progress=meter,
    )  # fmt: skip
    result |= {
        "already_ingested": summary.already_ingested, "format": summary.detection,
        "conversations": len(summary.conversations), "messages": summary.messages,
        "participants": summary.participants, "skipped": len(summary.skipped),
        "notes": summary.notes[:20], "derived_exhibits": summary.derived_exhibits,
    }  # fmt: skip
    _step(ws, job_id, "analyse", 0)
    stats = analyse(acting, case.ref)
    result |= {"analysed": stats.conversations, "findings": stats.findings}
    with ws.sessions() as s:
        left = index.pending(s)
    todo = sum(t.message_count - t.indexed for t in left if t.case_id == case.id)
    meter = _step(ws, job_id, "index", todo)
    status = index.update(ws, [case.id], progress=meter)
    result["indexed"] = status.indexed
    return result
