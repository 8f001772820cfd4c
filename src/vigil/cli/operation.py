"""``vigil operation``: operations run by units, linked to cases."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, as_json, console, print_json, workspace
from vigil.services.casework.operations import close_operation, create_operation, list_operations
from vigil.services.times import parse_day

app = typer.Typer(help="Operations run by units, linked to cases.", no_args_is_help=True)


@app.command("add")
def operation_add(
    ref: Annotated[str, typer.Argument(help="Operation reference.")],
    name: Annotated[str, typer.Option("--name", help="Operation name.")],
    unit: Annotated[str, typer.Option("--unit", help="Code of the unit running it.")],
    case: Annotated[
        str | None, typer.Option("--case", help="The case holding its material.")
    ] = None,
    opened: Annotated[
        str | None, typer.Option("--opened", help="Opening date, YYYY-MM-DD (default today).")
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Open an operation."""
    ws = workspace()
    op = create_operation(ws, ref, name, unit, case, parse_day(opened, ws.now().date()))
    if as_json_:
        print_json(as_json(op))
    else:
        console.print(f"Opened operation {op.ref} ({op.name}) for unit {op.unit}.")


@app.command("close")
def operation_close(
    ref: Annotated[str, typer.Argument(help="Operation reference.")],
    closed: Annotated[
        str | None, typer.Option("--closed", help="Closing date, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Close an operation."""
    ws = workspace()
    op = close_operation(ws, ref, parse_day(closed, ws.now().date()))
    console.print(f"Closed operation {op.ref} on {op.closed_on}.")


@app.command("list")
def operation_list(
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only this unit and the units below it.")
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List operations."""
    ops = list_operations(workspace(), unit)
    if as_json_:
        print_json(as_json(ops))
        return
    table = Table("operation", "name", "unit", "case", "opened", "closed")
    for o in ops:
        table.add_row(
            o.ref, o.name, o.unit, o.case_ref or "", str(o.opened_on), str(o.closed_on or "")
        )
    console.print(table)
