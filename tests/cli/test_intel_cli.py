"""``vigil intel`` end to end on two ingested cases: some commands through the real executable,
the rest through the same entry point in the test's process (tests/clirun.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from defusedxml import ElementTree
from tests.clirun import child, in_process
from tests.services.intel_fixtures import PHONE, SNAP, chat_a, chat_b


def run(home: Path, user: str, *args: str, alone: bool = False) -> subprocess.CompletedProcess[str]:
    """``vigil args`` as ``user``: in this process (tests/clirun.py), or with ``alone`` through
    the real executable in a process of its own (an ingest, the extraction and the export)."""
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": user, "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    return child(args, env) if alone else in_process(args, env)


def test_intel_commands_on_ingested_cases(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    a, b = chat_a(tmp_path / "a.json"), chat_b(tmp_path / "b.json")
    assert run(home, "officer.a", "admin", "init").returncode == 0
    for user, ref, title, unit, f in [
        ("officer.a", "OP-NORTH", "North secret title", "North unit", a),
        ("officer.b", "OP-SOUTH", "South secret title", "South unit", b),
    ]:
        r = run(home, user, "case", "create", ref, "--title", title, "--unit", unit)
        assert r.returncode == 0, r.stderr
        r = run(home, user, "ingest", str(f), "--case", ref, alone=ref == "OP-NORTH")
        assert r.returncode == 0, r.stderr

    r = run(home, "officer.a", "intel", "extract", "--case", "OP-NORTH", "--json", alone=True)
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    assert stats["by_kind"]["phone"] == 2 and stats["by_kind"]["crypto"] == 1

    purpose = ["--purpose", "plan enquiries"]
    north = run(home, "officer.a", "intel", "hits", "--case", "OP-NORTH", *purpose, "--json")
    south = run(home, "officer.b", "intel", "hits", "--case", "OP-SOUTH", *purpose)
    assert north.returncode == 0 and south.returncode == 0, north.stderr + south.stderr
    hits = json.loads(north.stdout)["hits"]
    assert {(h["kind"], h["value"]) for h in hits} == {("phone", PHONE), ("account", SNAP)}
    assert all(h["holders"] == [{"unit": "South unit", "officer": "officer.b"}] for h in hits)
    assert "North unit" in south.stdout and "officer.a" in south.stdout and PHONE in south.stdout
    for secret in ("OP-SOUTH", "South secret title", "bravo-only-line"):
        assert secret not in north.stdout
    for secret in ("OP-NORTH", "North secret title", "alpha-only-line"):
        assert secret not in south.stdout

    r = run(home, "officer.a", "intel", "graph", "--case", "OP-NORTH", "--json")
    assert r.returncode == 0, r.stderr
    graph = json.loads(r.stdout)
    assert graph["top_accounts"][0]["label"] == "Telegram: user501"

    out = tmp_path / "north.anx"
    r = run(home, "officer.a", "intel", "export", "--case", "OP-NORTH", "--format", "anx",
            "--out", str(out), "--purpose", "chart for briefing", alone=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert ElementTree.fromstring(out.read_bytes()).tag == "Chart"
    log = json.loads(
        run(home, "officer.a", "evidence", "log", "--case", "OP-NORTH", "--json").stdout
    )
    assert [e["action"] for e in log if e["object_type"] == "intel_export"] == ["export"]
    assert any(e["object_type"] == "cross_case_hits" for e in log)

    missing = run(home, "officer.a", "intel", "graph", "--case", "OP-NONE")
    assert missing.returncode == 3 and "OP-NONE" in missing.stderr
    bad = run(home, "officer.a", "intel", "export", "--case", "OP-NORTH", "--format", "pdf",
              "--out", str(tmp_path / "x.pdf"))  # fmt: skip
    assert bad.returncode == 3 and "ftm" in bad.stderr
