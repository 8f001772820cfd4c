"""The job runner: worker threads in the web app's process that run queued jobs in order.

Jobs are rows (:mod:`vigil.services.jobs.store`), so nothing is lost when the process stops:
:meth:`JobRunner.start` first fails the jobs a stopped process left running (their
transactions were rolled back) and picks up the queued ones. :func:`run_queued` runs every
queued job in the calling thread (tests, scripts).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from typing import Any

from vigil.db.tables.jobs import JobRow
from vigil.errors import VigilError
from vigil.services.jobs import store
from vigil.services.jobs.uploads import remove_partial
from vigil.services.jobs.work import run_job
from vigil.services.workspace import Workspace

log = logging.getLogger(__name__)

WORKERS = 1
"""Jobs run one at a time by default: an ingest already uses a second process to parse."""


def run_one(ws: Workspace, job_id: int) -> bool:
    """Run one queued job to the end (done or failed); False if it was not queued."""

    if not store.claim(ws, job_id):
        return False
    ok, message, result = False, "", {}
    try:
        result = run_job(ws, job_id)
        ok = True
        message = "finished"
    except VigilError as exc:
        message = exc.message + (f" (what to do: {exc.hint})" if exc.hint else "")
    except Exception as exc:  # a job must end whatever happens; the traceback goes to the log
        log.exception("job %s failed", job_id)
        message = f"internal error ({type(exc).__name__}: {exc}); nothing half-done was kept"
    store.finish(ws, job_id, ok, message, result)
    with ws.sessions() as s:
        row = s.get(JobRow, job_id)
        params: dict[str, Any] = {} if row is None else json.loads(row.params)
    if params.get("upload"):
        remove_partial(ws, params["upload"])
    return True


def run_queued(ws: Workspace) -> int:
    """Run every queued job in this thread, oldest first; returns how many ran."""
    return sum(run_one(ws, job_id) for job_id in store.queued(ws))


class JobRunner:
    """Worker threads taking job ids from a queue. Start with the app, stop with it."""

    def __init__(self, ws: Workspace, workers: int = WORKERS) -> None:
        self.ws = ws
        self.workers = workers
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._guard = threading.Lock()

    @property
    def started(self) -> bool:
        return bool(self._threads)

    def start(self) -> None:
        """Recover from the last stop and start the workers (once)."""
        with self._guard:
            if self._threads:
                return
            for job_id in store.recover(self.ws):
                self._queue.put(job_id)
            for n in range(self.workers):
                t = threading.Thread(target=self._loop, name=f"vigil-job-{n}", daemon=True)
                t.start()
                self._threads.append(t)

    def submit(self, job_id: int) -> None:
        """Run a queued job soon. Before :meth:`start`, it waits in the database for it."""
        if self.started:
            self._queue.put(job_id)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the workers to stop after their current job; a job still running when the
        process ends is failed as interrupted at the next start."""
        with self._guard:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        for t in threads:
            t.join(timeout)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                run_one(self.ws, job_id)
            except Exception:  # the database itself failed: keep the worker alive
                log.exception("job runner: job %s could not be recorded", job_id)
