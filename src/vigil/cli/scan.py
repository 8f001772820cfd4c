"""``vigil scan``: score conversations from a CSV, JSON-lines or Parquet file, no workspace."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from vigil.cli.common import LEAD_NOT_VERDICT, err, print_json
from vigil.config import load_settings
from vigil.services.scan import DEFAULT_BATCH
from vigil.services.scan import scan as scan_service


def scan(
    src: Annotated[
        Path,
        typer.Option(
            "--in",
            help="Input: CSV, JSON lines or Parquet with columns id,segment (one conversation "
            "a record, one message a line) or conversation,sender,time,text (one message a record).",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Output (.csv, .jsonl or .parquet): id,score,flagged,categories,flags,urgency,"
            "language,checked,note. Bad records are listed in OUT.errors.csv beside it.",
        ),
    ],
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Model folder from `vigil model train` (default: VIGIL_MODEL_DIR, else the "
            "shipped model when there is one).",
        ),
    ] = None,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Score with the indicators alone.")
    ] = False,
    weights: Annotated[
        Path | None,
        typer.Option("--weights", help="Indicator weights JSON to use instead of the model's."),
    ] = None,
    model_only: Annotated[
        bool,
        typer.Option("--model-only", help="Score with the learned model alone (for evaluation)."),
    ] = False,
    batch: Annotated[
        int,
        typer.Option(
            "--batch", min=1, help=f"Conversations scored per call (default {DEFAULT_BATCH:,})."
        ),
    ] = DEFAULT_BATCH,
    out_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Output format: csv, jsonl or parquet (default: from --out's extension).",
        ),
    ] = None,
    in_format: Annotated[
        str | None,
        typer.Option(
            "--in-format",
            help="Input format: csv, jsonl or parquet (default: from --in's extension).",
        ),
    ] = None,
    grouped: Annotated[
        bool,
        typer.Option(
            "--grouped",
            help="Row layout: each conversation's rows are together, so it is scored as soon "
            "as the next begins (constant memory) instead of after the whole input is read.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Score conversations from a file into a file (batch scoring for platforms and evaluation)."""
    r = scan_service(
        load_settings(),
        src,
        out,
        model=model,
        no_model=no_model,
        weights=weights,
        model_only=model_only,
        batch=batch,
        in_format=in_format,
        out_format=out_format,
        grouped=grouped,
    )
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, **asdict(r)})
    rate = r.conversations / r.seconds if r.seconds else 0.0
    model_text = "none (indicators alone)" if r.model == "none" else r.model
    err.print(LEAD_NOT_VERDICT, soft_wrap=True)
    err.print(
        f"scanned {r.conversations} conversation(s), {r.messages} message(s) from {r.input} "
        f"({r.in_format}, {r.layout} layout) in {r.seconds:.1f} s ({rate:,.0f}/s); "
        f"{r.flagged} flagged; model: {model_text}; wrote {r.output}",
        soft_wrap=True,
        markup=False,
    )
    if r.bad_records:
        err.print(
            f"{r.bad_records} bad record(s) skipped, listed in {r.errors_file}:",
            soft_wrap=True,
            markup=False,
        )
        for b in r.first_bad:
            who = f" (id {b.id})" if b.id else ""
            err.print(f"  {r.input}, {b.location}{who}: {b.reason}", soft_wrap=True, markup=False)
        if r.bad_records > len(r.first_bad):
            err.print(f"  … and {r.bad_records - len(r.first_bad)} more", markup=False)
