"""``vigil demo``: build the fictional demo network into the workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from vigil.cli.common import console
from vigil.config import load_settings
from vigil.demo import DEFAULT_SEED, build_demo_network
from vigil.services.times import parse_day
from vigil.services.workspace import init_workspace


def demo(
    seed: Annotated[
        int, typer.Option("--seed", help="Seed; the same seed builds the same records.")
    ] = DEFAULT_SEED,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date the personas still deployed are current at, YYYY-MM-DD (default today).",
        ),
    ] = None,
) -> None:
    """Build a fictional national network (Apr 2019 - Mar 2024) that reproduces the published figures."""
    ws, _, _ = init_workspace(load_settings())
    net = build_demo_network(ws, seed=seed, as_of=parse_day(as_of) if as_of else None)
    console.print(f"Built the demo network (seed {net.seed}, personas current at {net.as_of}):")
    for name, n in net.counts.items():
        console.print(f"  {name.replace('_', ' ')}: {n:,}")
    console.print(f"  personas with a live authorisation: {len(net.live_personas)}")
    console.print(f"  synthetic conversations: {net.conversations}")
    console.print(
        "Try: vigil report stats --from 2022-10-01 --to 2023-09-30   "
        "(and --from 2021-04-01 --to 2022-03-31)"
    )
