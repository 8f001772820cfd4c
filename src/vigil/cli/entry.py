"""The ``vigil`` executable. ``vigil scan`` starts without loading the other commands or Typer
(the database layer, the web app and Typer cost more than the scoring of a small file, which
batch scoring would pay every run); everything else goes to :mod:`vigil.cli.main`."""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def run() -> None:
    args = sys.argv[1:]
    if args[:1] == ["scan"]:
        from vigil.cli.guard import guarded
        from vigil.cli.scan import main

        guarded(lambda: main(args[1:]))
        _quick_exit()
        return
    from vigil.cli.main import run as run_all

    run_all()


def _quick_exit() -> NoReturn:
    """End a successful ``vigil scan`` without tearing the interpreter down.

    Its output is written, closed and renamed into place by then; what is left is freeing
    memory the operating system takes back anyway (the taxonomy, the compiled patterns, the
    word cache), which took a twentieth of a run on the evaluation data. The standard
    streams are flushed first.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    run()
