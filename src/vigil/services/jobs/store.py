"""Job rows: creating, claiming and finishing them, progress, who may see them, and what a
restart does to jobs that were running (docs/upload.md, "Jobs").

Progress while a step runs is kept in memory (:func:`set_live`) and written to the job row at
the end of each step: on SQLite the ingest holds the database's write lock for its whole
transaction, so a progress write from the same job would wait for itself. Readers of a job
(:func:`get_job`) see the live figures when the job runs in this process, else the row's.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from vigil.db.tables.access import CaseMember, User
from vigil.db.tables.cases import Case
from vigil.db.tables.jobs import JobRow, UploadRow
from vigil.errors import AccessDenied
from vigil.services import links
from vigil.services.access import (
    Principal,
    record_view,
    require_case,
    role_allows,
    stated_purpose,
)
from vigil.services.workspace import Workspace

STATE_WORDS = {"queued": "waiting", "running": "running", "done": "finished", "failed": "failed"}
STEP_WORDS = {
    "queued": "waiting to start",
    "register": "hashing and registering the file as an exhibit",
    "ingest": "reading the conversations in the file",
    "analyse": "analysing the conversations",
    "index": "indexing the messages for search",
    "finished": "finished",
}
INTERRUPTED = (
    "interrupted: the workbench stopped while this job was running. Nothing half-done was "
    "kept (each step is one transaction); what finished before is listed in the case. "
    "Upload the file again to run it again."
)
LIST_LIMIT = 200
ABANDONED_DAYS = 7
"""Unfinished uploads older than this are given up when the job runner starts."""


@dataclass(slots=True)
class JobInfo:
    id: int
    kind: str
    title: str
    case_ref: str
    started_by: str
    state: str
    state_label: str
    step: str
    step_label: str
    done: int
    total: int
    percent: float | None
    message: str
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str
    case_url: str

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


def job_url(job_id: int) -> str:
    return f"/jobs/{int(job_id)}"


_LIVE: dict[tuple[str, int], tuple[str, int, int]] = {}
_LIVE_GUARD = threading.Lock()


def _key(ws: Workspace, job_id: int) -> tuple[str, int]:
    return str(ws.engine.url), job_id


def set_live(ws: Workspace, job_id: int, step: str, done: int, total: int) -> None:
    """Progress of a running step, in memory (cheap: called for every block read)."""
    with _LIVE_GUARD:
        _LIVE[_key(ws, job_id)] = (step, done, total)


def clear_live(ws: Workspace, job_id: int) -> None:
    with _LIVE_GUARD:
        _LIVE.pop(_key(ws, job_id), None)


def _live(ws: Workspace, job_id: int) -> tuple[str, int, int] | None:
    with _LIVE_GUARD:
        return _LIVE.get(_key(ws, job_id))


def create_job(
    session: Session, kind: str, case_id: int, user_id: int, title: str,
    params: dict[str, Any], total: int, now: datetime,
) -> JobRow:  # fmt: skip
    """A queued job, inside the caller's transaction."""
    job = JobRow(
        kind=kind, case_id=case_id, user_id=user_id, title=title, params=json.dumps(params),
        state="queued", step="queued", done=0, total=total, message="", result="{}",
        created_at=now, started_at=None, finished_at=None,
    )  # fmt: skip
    session.add(job)
    session.flush()
    return job


def _info(ws: Workspace, row: JobRow, case_ref: str, who: str) -> JobInfo:
    step, done, total = row.step, row.done, row.total
    live = _live(ws, row.id) if row.state == "running" else None
    if live is not None:
        step, done, total = live
    if row.state == "done":
        done = total
    percent = round(100.0 * done / total, 1) if total > 0 else None
    return JobInfo(
        row.id, row.kind, row.title, case_ref, who, row.state,
        STATE_WORDS.get(row.state, row.state), step, STEP_WORDS.get(step, step), done, total,
        percent, row.message, json.loads(row.result or "{}"), row.created_at, row.started_at,
        row.finished_at, job_url(row.id), links.case(case_ref),
    )  # fmt: skip


def _rows(s: Session, stmt: Any) -> list[tuple[JobRow, str, str]]:
    q = stmt.join(Case, Case.id == JobRow.case_id).join(User, User.id == JobRow.user_id)
    return [(j, ref, name or username) for j, ref, name, username in s.execute(q).all()]


def _select() -> Any:
    return select(JobRow, Case.ref, User.display_name, User.username)


def list_jobs(ws: Workspace, user: Principal) -> list[JobInfo]:
    """The jobs ``user`` started, and for a supervisor those of the cases they are on,
    newest first."""
    stmt = _select().order_by(JobRow.id.desc()).limit(LIST_LIMIT)
    mine = JobRow.user_id == user.user_id
    if role_allows(user.role, "authorise"):
        on_case = JobRow.case_id.in_(
            select(CaseMember.case_id).where(CaseMember.user_id == user.user_id)
        )
        stmt = stmt.where(or_(mine, on_case))
    else:
        stmt = stmt.where(mine)
    with ws.sessions() as s:
        return [_info(ws, j, ref, who) for j, ref, who in _rows(s, stmt)]


def get_job(ws: Workspace, user: Principal, job_id: int, record: bool = False) -> JobInfo:
    """One job, for a member of its case whose role reads the case. With ``record`` (the
    job's page) the view is logged like an exhibit page's, with the purpose stated for the
    case, if any; the progress polled while it runs is not."""
    with ws.sessions() as s:
        found = _rows(s, _select().where(JobRow.id == job_id))
        if not found:
            raise AccessDenied(
                f"no job {job_id} that you may see",
                hint="see Jobs for the ones you started",
            )
        row, ref, who = found[0]
        case = require_case(s, user, ref, "read")
        info = _info(ws, row, ref, who)
        purpose = stated_purpose(s, user, case.id, ws.now()) if record else None
    if record:
        with ws.transaction() as s:
            record_view(
                s, user, ref, object_type="job", object_id=str(job_id), purpose=purpose,
                details={"page": "job (metadata)", "exhibit": info.result.get("exhibit")},
                now=ws.now(),
            )  # fmt: skip
    return info


def claim(ws: Workspace, job_id: int) -> bool:
    """Mark a queued job running; False if it is not queued (another worker took it)."""
    with ws.transaction() as s:
        res = s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.state == "queued")
            .values(state="running", started_at=ws.now(), message="")
        )
    return bool(getattr(res, "rowcount", 0))


def set_step(ws: Workspace, job_id: int, step: str, done: int, total: int) -> None:
    """Write the step and its progress to the row (between steps, never inside one)."""
    set_live(ws, job_id, step, done, total)
    with ws.transaction() as s:
        s.execute(
            update(JobRow).where(JobRow.id == job_id).values(step=step, done=done, total=total)
        )


def finish(ws: Workspace, job_id: int, ok: bool, message: str, result: dict[str, Any]) -> None:
    with ws.transaction() as s:
        values: dict[str, Any] = {
            "state": "done" if ok else "failed", "message": message, "finished_at": ws.now(),
            "result": json.dumps(result, default=str, sort_keys=True),
        }  # fmt: skip
        if ok:
            values["step"] = "finished"
        s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
    clear_live(ws, job_id)


def queued(ws: Workspace) -> list[int]:
    with ws.sessions() as s:
        stmt = select(JobRow.id).where(JobRow.state == "queued").order_by(JobRow.id)
        return list(s.execute(stmt).scalars())


def recover(ws: Workspace) -> list[int]:
    """After a restart: jobs left running are failed with :data:`INTERRUPTED` (their
    transactions were rolled back), uploads older than :data:`ABANDONED_DAYS` that never
    completed are given up; returns the queued jobs to run."""
    from vigil.services.jobs.uploads import remove_partial

    now = ws.now()
    with ws.transaction() as s:
        s.execute(
            update(JobRow)
            .where(JobRow.state == "running")
            .values(state="failed", message=INTERRUPTED, finished_at=now)
        )
        stale = list(
            s.execute(
                select(UploadRow).where(
                    UploadRow.state == "open",
                    UploadRow.created_at < now - timedelta(days=ABANDONED_DAYS),
                )
            ).scalars()
        )
        for row in stale:
            row.state = "cancelled"
        finished = s.execute(
            select(UploadRow.token)
            .join(JobRow, JobRow.id == UploadRow.job_id)
            .where(JobRow.state.in_(("done", "failed")))
        ).scalars()
        gone = [r.token for r in stale] + list(finished)
    for token in gone:
        remove_partial(ws, token)
    return queued(ws)
