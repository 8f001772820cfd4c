"""``vigil observation``: observations of platforms."""

from __future__ import annotations

from typing import Annotated

import typer

from vigil.cli.common import console, workspace
from vigil.services.casework.referrals import (
    add_observation,
)
from vigil.services.times import parse_moment

app = typer.Typer(
    help="Platform observations: indicator categories seen and moves between platforms.",
    no_args_is_help=True,
)


@app.command("add")
def observation_add(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    kind: Annotated[str, typer.Option("--kind", help="indicator or migration.")],
    platform: Annotated[
        str, typer.Option("--platform", help="Platform it was seen on (or moved from).")
    ],
    category: Annotated[
        str | None, typer.Option("--category", help="Indicator category (indicator).")
    ] = None,
    to_platform: Annotated[
        str | None, typer.Option("--to-platform", help="Platform moved to (migration).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="When seen, ISO 8601 (default now).")
    ] = None,
) -> None:
    """Record an indicator category seen on a platform, or a move between platforms."""
    ws = workspace()
    o = add_observation(
        ws,
        case,
        kind,
        platform,
        parse_moment(ws, at),
        category=category,
        to_platform=to_platform,
    )
    console.print(f"Recorded {o.kind} on {o.platform} in {o.case_ref}.")
