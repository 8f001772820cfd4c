"""``vigil persona``: online personas (undercover identities)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, as_json, console, print_json, show_fields, workspace
from vigil.errors import UserError
from vigil.services.casework.personas import (
    add_handle,
    add_officer,
    create_persona,
    list_personas,
    show_persona,
)


def _pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for v in values:
        a, sep, b = v.partition(":")
        if not sep or not a.strip() or not b.strip():
            raise UserError(f"bad {what} {v!r}", hint=f"write {what} as A:B")
        out.append((a.strip(), b.strip()))
    return out


app = typer.Typer(help="Online personas (undercover identities).", no_args_is_help=True)


@app.command("add")
def persona_add(
    ref: Annotated[str, typer.Argument(help="Persona reference, e.g. P-R01-001.")],
    name_used: Annotated[
        str, typer.Option("--name-used", help="The name the persona uses online.")
    ],
    claimed_age: Annotated[int, typer.Option("--claimed-age", help="The age the persona claims.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Unit code.")] = None,
    handle: Annotated[
        list[str] | None, typer.Option("--handle", help="PLATFORM:HANDLE (repeatable).")
    ] = None,
    officer: Annotated[
        list[str] | None,
        typer.Option(
            "--officer",
            help="OFFICER:ROLE, role controller|handler|operator|cover_officer (repeatable).",
        ),
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Add a persona with its platform handles and controlling officers."""
    p = create_persona(
        workspace(),
        ref,
        name_used,
        claimed_age,
        unit,
        _pairs(handle or [], "handle"),
        _pairs(officer or [], "officer"),
    )
    if as_json_:
        print_json(as_json(p))
    else:
        console.print(f"Added persona {p.ref} ({p.name_used}, claims {p.claimed_age}).")


@app.command("add-handle")
def persona_add_handle(
    ref: Annotated[str, typer.Argument(help="Persona reference.")],
    platform: Annotated[str, typer.Argument(help="Platform id, e.g. snapchat.")],
    handle: Annotated[str, typer.Argument(help="The handle used there.")],
) -> None:
    """Add a platform handle to a persona."""
    add_handle(workspace(), ref, platform, handle)
    console.print(f"Added {platform}:{handle} to {ref}.")


@app.command("add-officer")
def persona_add_officer(
    ref: Annotated[str, typer.Argument(help="Persona reference.")],
    officer: Annotated[str, typer.Argument(help="Officer name or collar number.")],
    role: Annotated[str, typer.Argument(help="controller, handler, operator or cover_officer.")],
) -> None:
    """Add a controlling or operating officer to a persona."""
    add_officer(workspace(), ref, officer, role)
    console.print(f"Added {officer} ({role}) to {ref}.")


@app.command("list")
def persona_list(as_json_: JsonOpt = False) -> None:
    """List personas with whether each has a live authorisation now."""
    found = list_personas(workspace())
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("persona", "name used", "age", "unit", "handles", "live authorisation")
    for p in found:
        live = [a.ref for a in p.authorisations if a.live_now]
        table.add_row(
            p.ref,
            p.name_used,
            str(p.claimed_age),
            p.unit or "",
            ", ".join(f"{a}:{b}" for a, b in p.handles),
            ", ".join(live) or "none",
        )
    console.print(table)


@app.command("show")
def persona_show(
    ref: Annotated[str, typer.Argument(help="Persona reference.")], as_json_: JsonOpt = False
) -> None:
    """Show a persona, its officers and its authorisations."""
    p = show_persona(workspace(), ref)
    if as_json_:
        print_json(as_json(p))
    else:
        show_fields(p)
