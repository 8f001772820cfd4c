"""``vigil`` starts without NumPy and the learned-model stack.

Only ``vigil scan``, ``vigil triage``/``explain`` (scoring) and ``vigil model`` need
:mod:`vigil.analysis.learn` and NumPy; they import them inside their command functions. Every
other command (``vigil --help``, ``vigil evidence ...``, ``vigil case ...``) must not pay for
them at start-up. Each check runs in a fresh interpreter, since this test process has long
since loaded NumPy through other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "vigil.analysis.learn", "vigil.analysis.learn.bundle")
"""Modules a start-up of ``vigil`` (other than the scoring commands) must leave unloaded."""

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded(body: str, home: Path) -> list[str]:
    """Which of :data:`HEAVY` a fresh interpreter has loaded after running ``body``."""
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "lazy.tester", "COLUMNS": "120"}
    env.pop("VIGIL_DATABASE_URL", None)
    r = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body, heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    loaded: list[str] = json.loads(r.stdout.strip().splitlines()[-1])
    return loaded


def test_the_probe_sees_a_loaded_module(tmp_path: Path) -> None:
    # the control: were the probe broken, the checks below would pass whatever was imported
    assert _loaded("import numpy", tmp_path) == ["numpy"]


def test_importing_the_cli_does_not_load_numpy(tmp_path: Path) -> None:
    assert _loaded("import vigil.cli.main", tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [["--help"], ["evidence", "--help"], ["case", "--help"], ["triage", "--help"]],
    ids=" ".join,
)
def test_help_does_not_load_numpy(tmp_path: Path, args: list[str]) -> None:
    body = (
        "from vigil.cli.main import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='vigil', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert _loaded(body, tmp_path) == []
