"""``vigil unit``: units: forces, regions and the national view."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, as_json, console, print_json, workspace
from vigil.services.casework.units import assign_case, create_unit, list_units

app = typer.Typer(help="Units: forces, regions and the national view.", no_args_is_help=True)


@app.command("add")
def unit_add(
    code: Annotated[str, typer.Argument(help="Unit code, e.g. R01 or R01-F2.")],
    name: Annotated[str, typer.Option("--name", help="Unit name.")],
    kind: Annotated[str, typer.Option("--kind", help="national, region, force or team.")] = "force",
    parent: Annotated[str | None, typer.Option("--parent", help="Code of the parent unit.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Add a unit under an optional parent."""
    u = create_unit(workspace(), code, name, kind, parent)
    if as_json_:
        print_json(as_json(u))
    else:
        console.print(f"Added unit {u.path}: {u.name}")


@app.command("list")
def unit_list(as_json_: JsonOpt = False) -> None:
    """List units as a tree path, with the number of cases each holds directly."""
    units = list_units(workspace())
    if as_json_:
        print_json(as_json(units))
        return
    table = Table("path", "name", "kind", "cases")
    for u in units:
        table.add_row(u.path, u.name, u.kind, str(u.cases))
    console.print(table)


@app.command("assign-case")
def unit_assign(
    case: Annotated[str, typer.Argument(help="Case reference.")],
    unit: Annotated[str, typer.Argument(help="Unit code.")],
) -> None:
    """Record that a case belongs to a unit."""
    assign_case(workspace(), case, unit)
    console.print(f"Case {case} belongs to unit {unit}.")
