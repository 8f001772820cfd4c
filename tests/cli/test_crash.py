"""A registration killed with SIGKILL mid-way leaves the workspace consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from vigil.config import Settings
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.evidence.hashing import hash_stream
from vigil.services.evidence.exhibits import register_file
from vigil.services.evidence.verify import verify_workspace
from vigil.services.workspace import init_workspace, open_workspace

SIZE = 200 * 1024 * 1024


def _big_file(path: Path) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as fh:
        for i in range(SIZE // len(block)):
            fh.write(block[:8] + i.to_bytes(8, "big") + block[16:])


def test_sigkill_during_registration_leaves_no_exhibit_and_no_partial_blob(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    s = Settings(home=home, user="crash.tester")
    ws, _, _ = init_workspace(s)
    from vigil.services.cases import create_case

    create_case(ws, "OP-CRASH", "crash", None, "UTC")
    big = tmp_path / "big.bin"
    _big_file(big)
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "crash.tester"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vigil.cli.main",
            "evidence",
            "add",
            str(big),
            "--case",
            "OP-CRASH",
            "--source",
            "s",
            "--acquired-by",
            "Jane Smith",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    tmpdir = home / "evidence" / "tmp"
    deadline = time.monotonic() + 60
    partial = 0
    while time.monotonic() < deadline:
        files = list(tmpdir.iterdir()) if tmpdir.is_dir() else []
        sizes = [f.stat().st_size for f in files if f.exists()]
        if sizes and max(sizes) > 20 * 1024 * 1024:
            partial = max(sizes)
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert 0 < partial < SIZE, "the kill should land mid-copy"

    ws = open_workspace(s)
    with ws.sessions() as session:
        assert session.execute(select(func.count()).select_from(Exhibit)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Blob)).scalar_one() == 0
    assert list(ws.store.iter_blob_names()) == []  # nothing partial is visible
    rep = verify_workspace(ws)
    assert rep.ok

    # the stale in-flight copy is cleared by init, and registration then succeeds
    init_workspace(s)
    assert list(tmpdir.iterdir()) == []
    r = register_file(ws, "OP-CRASH", big, source="s", acquired_by="Jane Smith")
    with big.open("rb") as fh:
        assert r.exhibit.sha256 == hash_stream(fh).sha256
    assert verify_workspace(ws).ok
