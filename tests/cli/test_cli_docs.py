"""docs/cli.md's command reference is exactly what the live CLI says about itself.

``scripts/cli_reference.py`` prints the reference from the commands' own help (Typer, and
argparse for ``vigil scan``); ``scripts/refresh_cli_docs.py`` writes it under "## Commands".
The script runs here, against the code as it is now, so a changed help text, option or command
fails this test until the page is refreshed.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "cli.md"
REFERENCE = REPO / "scripts" / "cli_reference.py"
HEADING = "## Commands\n"
"""Where the generated part starts; refresh_cli_docs.py writes it, then a blank line."""


def _live_reference() -> str:
    r = subprocess.run(
        [sys.executable, str(REFERENCE)], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert r.returncode == 0, f"{REFERENCE.name} failed:\n{r.stderr}"
    return r.stdout


def test_commands_section_equals_the_live_cli_reference() -> None:
    live = _live_reference()
    assert "### `vigil scan`" in live and "| argument / option | meaning |" in live

    doc = DOC.read_text(encoding="utf-8")
    assert doc.count(HEADING) == 1, f"docs/cli.md needs exactly one {HEADING.strip()!r} heading"
    documented = doc.split(HEADING, 1)[1]
    expected = "\n" + live  # the blank line after the heading, then the reference

    if documented != expected:
        diff = "".join(
            difflib.unified_diff(
                documented.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "docs/cli.md (## Commands)",
                "scripts/cli_reference.py (live)",
            )
        )
        raise AssertionError(
            "docs/cli.md is out of date with the CLI; run "
            "`.venv/bin/python scripts/refresh_cli_docs.py` and review the change:\n" + diff
        )
