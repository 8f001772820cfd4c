"""The ``vigil`` executable. ``vigil scan`` starts without loading the other commands (the
database layer and the web app cost about a second per run, which batch scoring of small files
would pay every time); everything else goes to :mod:`vigil.cli.main`."""

from __future__ import annotations

import sys


def run() -> None:
    args = sys.argv[1:]
    if args[:1] == ["scan"] and not {"--help", "-h"} & set(args):
        import typer

        from vigil.cli.guard import guarded
        from vigil.cli.scan import scan

        alone = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        alone.command()(scan)
        guarded(lambda: alone(args=args[1:], prog_name="vigil scan"))
        return
    from vigil.cli.main import run as run_all

    run_all()


if __name__ == "__main__":
    run()
