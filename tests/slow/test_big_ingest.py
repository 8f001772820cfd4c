"""A WhatsApp export of a few hundred megabytes: exact counts, and nothing half-written kept.

The export (the shared lorem fixture repeated, ``bench/whatsapp_export.py``) is built on the
fly; it is large enough that the ingest service parses it in a worker process on a machine with
two cores. An ingest stopped mid-way, by Ctrl-C or by SIGKILL, must leave no exhibit, no
conversation, no message and no custody entry behind (house rule 8); a complete ingest stores
exactly the messages written.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from bench.whatsapp_export import copies_for_bytes, messages_per_copy, write_export
from sqlalchemy import func, select

from tests.slow.helpers import Held, held, senders
from vigil.config import Settings
from vigil.db.tables.conversations import ConversationRow, Ingest, MessageRow
from vigil.db.tables.evidence import Blob
from vigil.services.cases import create_case
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.pipe import live_workers, wanted
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace, init_workspace, open_workspace

pytestmark = pytest.mark.slow

SIZE = 300 * 1000 * 1000
CASE = "OP-BIG"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, lorem: bytes) -> Iterator[tuple[Path, int]]:
    """The big export and its message count (deleted after the module's tests)."""
    path = tmp_path_factory.mktemp("big") / "WhatsApp Chat with Lorem.txt"
    messages = write_export(path, copies_for_bytes(SIZE))
    assert messages % messages_per_copy(lorem) == 0
    assert SIZE - len(lorem) < path.stat().st_size <= SIZE
    yield path, messages
    path.unlink()


def _workspace(settings: Settings) -> Workspace:
    ws, _, _ = init_workspace(settings)
    create_case(ws, CASE, "Big file", None, "UTC")
    return ws


def _nothing_kept(ws: Workspace, before: Held) -> None:
    """No trace of the stopped ingest in the database; the store holds no registered blob."""
    assert held(ws) == before
    rep = verify_workspace(ws)
    assert rep.ok, rep.problems
    for name in ws.store.iter_blob_names():  # a copy stored before the crash is never evidence
        assert any(name in w and "not registered" in w for w in rep.warnings)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def test_interrupted_ingest_keeps_nothing_then_a_full_ingest_stores_exact_counts(
    settings: Settings, export: tuple[Path, int], lorem: bytes
) -> None:
    path, messages = export
    ws = _workspace(settings)
    before = held(ws)
    read = 0

    def interrupt_half_way(n: int) -> None:
        nonlocal read
        read += n
        if read > path.stat().st_size // 2:
            raise KeyboardInterrupt  # what Ctrl-C raises mid-ingest

    with pytest.raises(KeyboardInterrupt):
        ingest_file(ws, CASE, path, progress=interrupt_half_way)
    assert read > path.stat().st_size // 2, "the interrupt should land mid-parse"
    assert live_workers() == []
    _nothing_kept(ws, before)

    summary = ingest_file(ws, CASE, path)

    assert summary.messages == messages
    assert summary.participants == len(senders(lorem))
    assert [c.messages for c in summary.conversations] == [messages]
    assert live_workers() == []
    after = held(ws)
    assert after == replace(
        before,
        exhibits=1,
        blobs=1,
        ingests=1,
        conversations=1,
        participants=len(senders(lorem)),
        messages=messages,
        custody=after.custody,
    )
    assert after.custody > before.custody
    with ws.sessions() as s:
        assert s.execute(select(Blob.sha256)).scalar_one() == _sha256(path)
        assert s.execute(select(Ingest.messages)).scalar_one() == messages
        assert s.execute(select(ConversationRow.message_count)).scalar_one() == messages
        span = s.execute(select(func.min(MessageRow.seq), func.max(MessageRow.seq))).one()
        assert tuple(span) == (1, messages)

    again = ingest_file(ws, CASE, path)  # the same bytes again change nothing

    assert again.already_ingested and again.messages == messages
    assert held(ws) == after


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except (FileNotFoundError, ProcessLookupError):
        return set()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ingest_killed_mid_way_keeps_nothing(settings: Settings, export: tuple[Path, int]) -> None:
    path, _ = export
    ws = _workspace(settings)
    before = held(ws)
    env = {**os.environ, "VIGIL_HOME": str(settings.resolved_home), "VIGIL_USER": settings.user}
    env.pop("VIGIL_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigil.cli.main", "ingest", str(path), "--case", CASE],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Rows reach the SQLite write-ahead log as the uncommitted transaction outgrows the page
    # cache: a third of the export's size in the log means the parse is well under way.
    wal = settings.resolved_home / "vigil.db-wal"
    workers: set[int] = set()
    deadline = time.monotonic() + 600  # a guard against a hang, not a timing assertion
    while proc.poll() is None and time.monotonic() < deadline:
        workers |= _children(proc.pid)
        if wal.exists() and wal.stat().st_size > path.stat().st_size // 3:
            break
        time.sleep(0.02)
    workers |= _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, f"the ingest ended before the kill: {err!r}"
    if wanted(path.stat().st_size, None):
        assert workers, "a file this size is parsed in a worker process"

    # the parse worker finds its socket closed and exits on its own
    deadline = time.monotonic() + 60
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(w) for w in workers), "the ingest worker outlived its parent"

    _nothing_kept(open_workspace(settings), before)
