"""``vigil case``: create, list and show cases."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import console, print_json, workspace
from vigil.services import cases

app = typer.Typer(help="Cases: the unit of need-to-know.", no_args_is_help=True)


def _json(c: cases.CaseInfo) -> dict[str, object]:
    return {
        "ref": c.ref,
        "title": c.title,
        "unit": c.unit,
        "default_tz": c.default_tz,
        "created_at": c.created_at.isoformat(),
        "created_by": c.created_by,
        "exhibits": c.exhibits,
        "conversations": c.conversations,
    }


@app.command("create")
def create(
    ref: Annotated[str, typer.Argument(help="Case reference, e.g. OP-ALDER.")],
    title: Annotated[str, typer.Option("--title", help="Short description of the case.")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Owning unit (force or region).")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Default time zone for the case's evidence (IANA name)."),
    ] = None,
) -> None:
    """Create a case."""
    c = cases.create_case(workspace(), ref, title, unit, tz)
    console.print(f"Created case {c.ref}: {c.title} (time zone {c.default_tz}).")


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List cases."""
    found = cases.list_cases(workspace())
    if as_json:
        print_json([_json(c) for c in found])
        return
    table = Table("case", "title", "unit", "exhibits", "conversations", "created")
    for c in found:
        table.add_row(
            c.ref,
            c.title,
            c.unit or "",
            str(c.exhibits),
            str(c.conversations),
            c.created_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Case reference.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a case."""
    c = cases.show_case(workspace(), ref)
    if as_json:
        print_json(_json(c))
        return
    for k, v in _json(c).items():
        console.print(f"[bold]{k}[/bold]: {v}")
