"""``vigil referral``: referrals to and from partners, and CyberTipline imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, as_json, console, print_json, workspace
from vigil.services.casework.referrals import (
    create_referral,
    import_cybertip,
    list_referrals,
)
from vigil.services.times import parse_day

app = typer.Typer(help="Referrals to and from partners; CyberTipline import.", no_args_is_help=True)


@app.command("add")
def referral_add(
    ref: Annotated[str, typer.Argument(help="Referral reference.")],
    direction: Annotated[
        str, typer.Option("--direction", help="out (to a partner) or in (from one).")
    ],
    partner_kind: Annotated[
        str,
        typer.Option(
            "--partner-kind", help="nca, ceop, force, industry, ncmec, social_care, other."
        ),
    ],
    partner: Annotated[str, typer.Option("--partner", help="Partner name.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date, YYYY-MM-DD (default today).")
    ] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case reference.")] = None,
    external_ref: Annotated[
        str | None, typer.Option("--external-ref", help="The partner's reference.")
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What was referred.")] = None,
) -> None:
    """Record a referral sent or received."""
    ws = workspace()
    r = create_referral(
        ws, ref, direction, partner_kind, partner, parse_day(on, ws.now().date()),
        case_ref=case, external_ref=external_ref, summary=summary,
    )  # fmt: skip
    console.print(f"Recorded referral {r.ref} ({r.direction}, {r.partner_name}).")


@app.command("import-cybertip")
def referral_import(
    path: Annotated[Path, typer.Argument(help="CyberTipline-shaped JSON report.")],
    case: Annotated[
        str | None,
        typer.Option("--case", help="Add to this case (default: a new case CT-<reportId>)."),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit the new case belongs to.")
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Import an NCMEC CyberTipline report: exhibit, case, referral with file hashes, suspects with identifiers."""
    r = import_cybertip(workspace(), path, case_ref=case, unit_code=unit)
    if as_json_:
        print_json(as_json(r))
        return
    console.print(
        f"Imported CyberTipline report {r.referral.external_ref} into case {r.case_ref} (exhibit {r.exhibit_ref}): "
        f"{len(r.referral.files)} file hashes, {len(r.suspects)} reported users, {r.identifiers} identifiers."
    )


@app.command("list")
def referral_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    direction: Annotated[str | None, typer.Option("--direction", help="in or out.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List referrals."""
    found = list_referrals(workspace(), case, direction)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("referral", "date", "direction", "partner", "case", "external ref", "files")
    for r in found:
        table.add_row(
            r.ref,
            str(r.occurred_on),
            r.direction,
            r.partner_name,
            r.case_ref or "",
            r.external_ref or "",
            str(len(r.files)),
        )
    console.print(table)
