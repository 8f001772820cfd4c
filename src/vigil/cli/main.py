"""The ``vigil`` entry point: sub-command families and error-to-exit-code mapping."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from vigil import tool_version
from vigil.cli import admin, case, evidence
from vigil.cli import ingest as ingest_cli
from vigil.cli import model as model_cli
from vigil.cli import triage as triage_cli
from vigil.cli.common import err
from vigil.config import load_settings
from vigil.errors import VigilError

app = typer.Typer(
    help="Vigil: investigation workbench for online child-protection units. "
    "Its output is a lead for a trained person, never a verdict.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(admin.app, name="admin")
app.add_typer(case.app, name="case")
app.add_typer(evidence.app, name="evidence")
app.add_typer(model_cli.app, name="model")
app.command("ingest")(ingest_cli.ingest)
app.command("triage")(triage_cli.triage)
app.command("explain")(triage_cli.explain)

EXIT_INTERNAL = 70


def _version(value: bool) -> None:
    if value:
        typer.echo(tool_version())
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Vigil command line."""


def run(argv: list[str] | None = None) -> None:
    """Run the CLI, turning Vigil's typed errors into one line and a documented exit code."""
    try:
        app(args=argv, prog_name="vigil")
    except VigilError as exc:
        err.print(f"[red]error:[/red] {exc.message}", markup=True, soft_wrap=True)
        if exc.hint:
            err.print(f"  what to do: {exc.hint}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing half-written was kept")
        sys.exit(130)
    except Exception as exc:  # an internal fault, not a user mistake
        if load_settings().debug:
            raise
        err.print(f"internal error: {type(exc).__name__}: {exc}", soft_wrap=True)
        err.print("  what to do: re-run with VIGIL_DEBUG=1 for the traceback and report it")
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    run()
