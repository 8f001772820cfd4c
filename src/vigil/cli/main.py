"""The ``vigil`` entry point: sub-command families and error-to-exit-code mapping."""

from __future__ import annotations

from typing import Annotated

import typer

from vigil import tool_version
from vigil.cli import admin, case, evidence
from vigil.cli import authorisation as authorisation_cli
from vigil.cli import capture as capture_cli
from vigil.cli import child as child_cli
from vigil.cli import demo as demo_cli
from vigil.cli import disclosure as disclosure_cli
from vigil.cli import ingest as ingest_cli
from vigil.cli import intel as intel_cli
from vigil.cli import leads as leads_cli
from vigil.cli import media as media_cli
from vigil.cli import model as model_cli
from vigil.cli import observation as observation_cli
from vigil.cli import offence as offence_cli
from vigil.cli import operation as operation_cli
from vigil.cli import outcome as outcome_cli
from vigil.cli import persona as persona_cli
from vigil.cli import redaction as redaction_cli
from vigil.cli import referral as referral_cli
from vigil.cli import report as report_cli
from vigil.cli import review as review_cli
from vigil.cli import scan as scan_cli
from vigil.cli import search as search_cli
from vigil.cli import serve as serve_cli
from vigil.cli import statement as statement_cli
from vigil.cli import suspect as suspect_cli
from vigil.cli import triage as triage_cli
from vigil.cli import unit as unit_cli
from vigil.cli import user as user_cli
from vigil.cli.guard import EXIT_INTERNAL, guarded

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


@app.command(
    "scan",
    help=scan_cli.SUMMARY + " Options: vigil scan --help.",
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def scan(ctx: typer.Context) -> None:
    scan_cli.main(ctx.args)  # its own argparse options (see vigil.cli.scan)


app.add_typer(user_cli.app, name="user")
app.command("serve")(serve_cli.serve)
app.add_typer(unit_cli.app, name="unit")
app.add_typer(operation_cli.app, name="operation")
app.add_typer(persona_cli.app, name="persona")
app.add_typer(authorisation_cli.app, name="authorisation")
app.add_typer(suspect_cli.app, name="suspect")
app.add_typer(child_cli.app, name="child")
app.add_typer(offence_cli.app, name="offence")
app.add_typer(outcome_cli.app, name="outcome")
app.add_typer(referral_cli.app, name="referral")
app.add_typer(observation_cli.app, name="observation")
app.add_typer(report_cli.app, name="report")
app.add_typer(intel_cli.app, name="intel")
app.add_typer(media_cli.app, name="media")
app.command("demo")(demo_cli.demo)
app.command("search")(search_cli.search)
app.add_typer(review_cli.app, name="review")
app.add_typer(capture_cli.app, name="capture")
app.add_typer(statement_cli.app, name="statement")
app.add_typer(leads_cli.app, name="leads")
app.add_typer(disclosure_cli.app, name="disclosure")
app.add_typer(redaction_cli.app, name="redaction")


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


__all__ = ["EXIT_INTERNAL", "app", "run"]


def run(argv: list[str] | None = None) -> None:
    """Run the CLI, turning Vigil's typed errors into one line and a documented exit code."""
    guarded(lambda: app(args=argv, prog_name="vigil"))


if __name__ == "__main__":
    run()
