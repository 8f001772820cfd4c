"""``vigil child``: children (pseudonymous references) and safeguarding actions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import DateOpt, JsonOpt, as_json, console, print_json, show_fields, workspace
from vigil.services.casework.children import (
    add_safeguarding,
    create_child,
    list_children,
    show_child,
)
from vigil.services.times import parse_day

app = typer.Typer(
    help="Children (pseudonymous references) and safeguarding actions.", no_args_is_help=True
)


@app.command("add")
def child_add(
    ref: Annotated[str, typer.Argument(help="Pseudonymous reference (never a name).")],
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    age: Annotated[int | None, typer.Option("--age", help="Age at the time.")] = None,
    suspect: Annotated[
        str | None, typer.Option("--suspect", help="Linked suspect reference.")
    ] = None,
) -> None:
    """Add a child to a case."""
    c = create_child(workspace(), case, ref, age, suspect)
    console.print(f"Added child {c.ref} to {c.case_ref}.")


@app.command("safeguard")
def child_safeguard(
    ref: Annotated[str, typer.Argument(help="Child reference.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="social_care_referral, strategy_meeting, ceop_referral or other."
        ),
    ],
    by: Annotated[str, typer.Option("--by", help="Recording officer.")],
    on: DateOpt = None,
    detail: Annotated[str | None, typer.Option("--detail", help="Details.")] = None,
) -> None:
    """Record a dated safeguarding action for a child."""
    ws = workspace()
    c = add_safeguarding(ws, ref, kind, parse_day(on, ws.now().date()), by, detail)
    console.print(f"{c.ref}: {len(c.actions)} safeguarding actions, first on {c.safeguarded_on}.")


@app.command("list")
def child_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List children with the date each was first safeguarded."""
    found = list_children(workspace(), case)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("child", "case", "age", "suspect", "actions", "safeguarded")
    for c in found:
        table.add_row(
            c.ref,
            c.case_ref,
            str(c.age_at_time or ""),
            c.suspect or "",
            str(len(c.actions)),
            str(c.safeguarded_on or ""),
        )
    console.print(table)


@app.command("show")
def child_show(
    ref: Annotated[str, typer.Argument(help="Child reference.")], as_json_: JsonOpt = False
) -> None:
    """Show a child and their safeguarding actions."""
    c = show_child(workspace(), ref)
    if as_json_:
        print_json(as_json(c))
    else:
        show_fields(c)
