"""``vigil offence``: offences recorded against suspects."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cases.taxonomy import taxonomy
from vigil.cli.common import JsonOpt, as_json, console, print_json, workspace
from vigil.services.casework.offences import add_offence, list_offences
from vigil.services.times import parse_day

app = typer.Typer(help="Offences from the taxonomy, with the platforms used.", no_args_is_help=True)


@app.command("add")
def offence_add(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    offence_type: Annotated[
        str, typer.Option("--type", help="Offence type; see `vigil offence types`.")
    ],
    legal_form: Annotated[
        str, typer.Option("--form", help="Legal form; see `vigil offence types`.")
    ],
    suspect: Annotated[str | None, typer.Option("--suspect", help="Suspect reference.")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Image category A, B or C (image offences).")
    ] = None,
    platform: Annotated[
        list[str] | None, typer.Option("--platform", help="Platform used (repeatable).")
    ] = None,
    principal: Annotated[
        bool, typer.Option("--principal", help="The suspect's principal offence.")
    ] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Committed from, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Committed to, YYYY-MM-DD.")] = None,
    child: Annotated[str | None, typer.Option("--child", help="Child reference.")] = None,
) -> None:
    """Record an offence."""
    o = add_offence(
        workspace(), case, offence_type, legal_form, suspect_ref=suspect, image_category=category,
        platforms=platform or [], principal=principal,
        committed_from=parse_day(from_) if from_ else None,
        committed_to=parse_day(to) if to else None, child_ref=child,
    )  # fmt: skip
    console.print(
        f"Recorded offence {o.id}: {o.offence_type} / {o.legal_form} on {', '.join(o.platforms) or 'no platform'}."
    )


@app.command("list")
def offence_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List offences."""
    found = list_offences(workspace(), case)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("id", "case", "suspect", "type", "legal form", "cat.", "platforms")
    for o in found:
        table.add_row(
            str(o.id),
            o.case_ref,
            o.suspect or "",
            o.offence_type,
            o.legal_form,
            o.image_category or "",
            ", ".join(o.platforms),
        )
    console.print(table)


@app.command("types")
def offence_types() -> None:
    """Print the offence taxonomy: types, their legal forms (statutes) and platforms known."""
    tax = taxonomy()
    for t in tax.offence_types.values():
        console.print(f"[bold]{t.id}[/bold]: {t.label}")
        for f in t.legal_forms:
            lf = tax.legal_forms[f]
            console.print(
                f"  {f}: {lf.label} ({lf.statute}){' [image offence: A/B/C]' if lf.image_offence else ''}"
            )
    console.print("Platforms: " + ", ".join(tax.platforms))
