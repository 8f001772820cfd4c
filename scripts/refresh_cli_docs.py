"""Rewrite the command tables of docs/cli.md from the live CLI (keeps the hand-written head)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def main() -> None:
    head = DOC.read_text(encoding="utf-8").split("## Commands\n")[0]
    ref = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("cli_reference.py"))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    DOC.write_text(head + "## Commands\n\n" + ref, encoding="utf-8")


if __name__ == "__main__":
    main()
