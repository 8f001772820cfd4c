"""``vigil unit`` and ``vigil operation``: units (rolling up to a national view) and operations."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer
from rich.table import Table

from vigil.cli.common import console, print_json, workspace
from vigil.services import casework

unit_app = typer.Typer(help="Units: forces, regions and the national view.", no_args_is_help=True)
operation_app = typer.Typer(help="Operations run by units, linked to cases.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def as_json(obj: Any) -> Any:
    """Dataclasses (and lists of them) as plain data for :func:`print_json`."""
    if isinstance(obj, list):
        return [as_json(o) for o in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return obj


def show_fields(obj: Any) -> None:
    for k, v in dataclasses.asdict(obj).items():
        console.print(f"[bold]{k}[/bold]: {v}")


@unit_app.command("add")
def unit_add(
    code: Annotated[str, typer.Argument(help="Unit code, e.g. R01 or R01-F2.")],
    name: Annotated[str, typer.Option("--name", help="Unit name.")],
    kind: Annotated[str, typer.Option("--kind", help="national, region, force or team.")] = "force",
    parent: Annotated[str | None, typer.Option("--parent", help="Code of the parent unit.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Add a unit under an optional parent."""
    u = casework.create_unit(workspace(), code, name, kind, parent)
    if as_json_:
        print_json(as_json(u))
    else:
        console.print(f"Added unit {u.path}: {u.name}")


@unit_app.command("list")
def unit_list(as_json_: JsonOpt = False) -> None:
    """List units as a tree path, with the number of cases each holds directly."""
    units = casework.list_units(workspace())
    if as_json_:
        print_json(as_json(units))
        return
    table = Table("path", "name", "kind", "cases")
    for u in units:
        table.add_row(u.path, u.name, u.kind, str(u.cases))
    console.print(table)


@unit_app.command("assign-case")
def unit_assign(
    case: Annotated[str, typer.Argument(help="Case reference.")],
    unit: Annotated[str, typer.Argument(help="Unit code.")],
) -> None:
    """Record that a case belongs to a unit."""
    casework.assign_case(workspace(), case, unit)
    console.print(f"Case {case} belongs to unit {unit}.")


@operation_app.command("add")
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
    op = casework.create_operation(
        ws, ref, name, unit, case, casework.parse_day(opened, ws.now().date())
    )
    if as_json_:
        print_json(as_json(op))
    else:
        console.print(f"Opened operation {op.ref} ({op.name}) for unit {op.unit}.")


@operation_app.command("close")
def operation_close(
    ref: Annotated[str, typer.Argument(help="Operation reference.")],
    closed: Annotated[
        str | None, typer.Option("--closed", help="Closing date, YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Close an operation."""
    ws = workspace()
    op = casework.close_operation(ws, ref, casework.parse_day(closed, ws.now().date()))
    console.print(f"Closed operation {op.ref} on {op.closed_on}.")


@operation_app.command("list")
def operation_list(
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only this unit and the units below it.")
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List operations."""
    ops = casework.list_operations(workspace(), unit)
    if as_json_:
        print_json(as_json(ops))
        return
    table = Table("operation", "name", "unit", "case", "opened", "closed")
    for o in ops:
        table.add_row(
            o.ref, o.name, o.unit, o.case_ref or "", str(o.opened_on), str(o.closed_on or "")
        )
    console.print(table)
