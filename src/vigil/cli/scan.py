"""``vigil scan``: score conversations from a CSV, JSON-lines or Parquet file, no workspace.

Its options are parsed with the standard library's ``argparse``, not Typer like the other
commands: batch scoring is run once per file by platforms and the evaluation harness, and
Typer's start-up (about a tenth of a second) was a fifth of a typical run. ``vigil scan`` is
still listed by ``vigil --help`` (:mod:`vigil.cli.main` passes its arguments here).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from vigil import LEAD_NOT_VERDICT
from vigil.config import load_settings
from vigil.services.scan.run import DEFAULT_BATCH, ScanReport
from vigil.services.scan.run import scan as scan_service

SUMMARY = (
    "Score conversations from a file into a file (batch scoring for platforms and evaluation)."
)


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1")
    return value


def parser() -> argparse.ArgumentParser:
    """The options of ``vigil scan``."""
    p = argparse.ArgumentParser(
        prog="vigil scan", description=f"{SUMMARY}\n\n{LEAD_NOT_VERDICT}", allow_abbrev=False
    )
    p.add_argument(
        "--in",
        dest="src",
        type=Path,
        required=True,
        metavar="PATH",
        help="Input: CSV, JSON lines or Parquet with columns id,segment (one conversation a "
        "record, one message a line) or conversation,sender,time,text (one message a record).",
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="PATH",
        help="Output (.csv, .jsonl or .parquet): id,score,flagged,categories,flags,urgency,"
        "language,checked,note. Bad records are listed in OUT.errors.csv beside it.",
    )
    p.add_argument(
        "--model",
        type=Path,
        metavar="DIR",
        help="Model folder from `vigil model train` (default: VIGIL_MODEL_DIR, else the "
        "shipped model when there is one).",
    )
    p.add_argument("--no-model", action="store_true", help="Score with the indicators alone.")
    p.add_argument(
        "--weights",
        type=Path,
        metavar="FILE",
        help="Indicator weights JSON to use instead of the model's.",
    )
    p.add_argument(
        "--model-only",
        action="store_true",
        help="Score with the learned model alone (for evaluation).",
    )
    p.add_argument(
        "--batch",
        type=_positive,
        default=DEFAULT_BATCH,
        metavar="N",
        help=f"Conversations scored per call (default {DEFAULT_BATCH:,}).",
    )
    p.add_argument(
        "--format",
        dest="out_format",
        metavar="csv|jsonl|parquet",
        help="Output format: csv, jsonl or parquet (default: from --out's extension).",
    )
    p.add_argument(
        "--in-format",
        metavar="csv|jsonl|parquet",
        help="Input format: csv, jsonl or parquet (default: from --in's extension).",
    )
    p.add_argument(
        "--grouped",
        action="store_true",
        help="Row layout: each conversation's rows are together, so it is scored as soon as the "
        "next begins (constant memory) instead of after the whole input is read.",
    )
    p.add_argument(
        "--errors",
        type=Path,
        metavar="PATH",
        help="Where bad records are listed (default OUT.errors.csv; with --engine spark, the "
        "Parquet folder OUT.errors.parquet).",
    )
    p.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local (default): this process. spark: PySpark, the same scores over Parquet or "
        "JSON-lines tables of any size, results written as a Parquet folder (docs/scale.md).",
    )
    p.add_argument(
        "--master",
        metavar="URL",
        help="With --engine spark: the Spark master (default local[*]; spark://HOST:7077, "
        "yarn, k8s://... as spark-submit takes it).",
    )
    p.add_argument(
        "--partitions",
        type=_positive,
        metavar="N",
        help="With --engine spark: spread the input over N partitions (default: as read; the "
        "row layout: the default parallelism).",
    )
    p.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="With --engine spark: a Spark setting for the session (repeatable), as "
        "spark-submit --conf takes it.",
    )
    p.add_argument(
        "--no-input-hash",
        action="store_true",
        help="With --engine spark: do not hash the input for the run's provenance record.",
    )
    p.add_argument("--json", dest="as_json", action="store_true", help="Print the summary as JSON.")
    return p


def _spark(a: argparse.Namespace) -> None:
    """``vigil scan --engine spark``: :func:`vigil.scale.spark.run` (PySpark loaded here)."""
    from vigil.errors import UserError

    if a.out_format not in (None, "parquet"):
        raise UserError("--engine spark writes Parquet", hint="leave out --format")
    if a.grouped:
        raise UserError("--grouped is for the local engine", hint="Spark gathers rows itself")
    from vigil.scale import spark as vs

    spec = vs.scoring_spec(
        load_settings(), a.model, no_model=a.no_model, weights=a.weights, model_only=a.model_only
    )
    conf = {}
    for item in a.spark_conf:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UserError(f"--spark-conf {item!r}: give KEY=VALUE")
        conf[key.strip()] = value
    session = vs.session(a.master or "local[*]", conf=conf)
    r = vs.run(
        session,
        str(a.src),
        str(a.out),
        errors_path=a.errors,
        spec=spec,
        in_format=a.in_format,
        batch=a.batch,
        partitions=a.partitions,
        hash_input=not a.no_input_hash,
    )
    if a.as_json:
        print(json.dumps(asdict(r), indent=2, ensure_ascii=False, sort_keys=True, default=str))
    rate = r.messages / r.seconds if r.seconds else 0.0
    lines = [
        LEAD_NOT_VERDICT,
        f"spark run {r.run_id} on {r.master}: scanned {r.conversations} conversation(s), "
        f"{r.messages} message(s) from {r.input} ({r.input_format}, {r.layout} layout) in "
        f"{r.seconds:.1f} s ({rate:,.0f} messages/s); {r.flagged} flagged; model: {r.model}; "
        f"wrote {r.output}",
    ]
    if r.bad_records:
        lines.append(f"{r.bad_records} bad record(s) skipped, listed in {r.errors}:")
        for b in r.first_bad:
            who = f" (id {b['id']})" if b.get("id") else ""
            lines.append(f"  {b.get('file') or r.input}, {b['location']}{who}: {b['reason']}")
    for line in lines:
        print(line, file=sys.stderr)


def main(argv: Sequence[str]) -> None:
    """Run ``vigil scan`` with ``argv`` (the arguments after ``scan``)."""
    a = parser().parse_args(list(argv))
    if a.engine == "spark":
        _spark(a)
        return
    if a.master or a.partitions or a.no_input_hash or a.spark_conf:
        from vigil.errors import UserError

        raise UserError(
            "--master, --partitions, --spark-conf and --no-input-hash need --engine spark"
        )
    r = scan_service(
        load_settings(),
        a.src,
        a.out,
        model=a.model,
        no_model=a.no_model,
        weights=a.weights,
        model_only=a.model_only,
        batch=a.batch,
        in_format=a.in_format,
        out_format=a.out_format,
        grouped=a.grouped,
        errors=a.errors,
    )
    if a.as_json:
        doc = {"note": LEAD_NOT_VERDICT, **asdict(r)}
        print(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True, default=str))
    for line in summary(r):
        print(line, file=sys.stderr)


def summary(r: ScanReport) -> list[str]:
    """The lines printed on stderr after a scan."""
    rate = r.conversations / r.seconds if r.seconds else 0.0
    model_text = "none (indicators alone)" if r.model == "none" else r.model
    lines = [
        LEAD_NOT_VERDICT,
        f"scanned {r.conversations} conversation(s), {r.messages} message(s) from {r.input} "
        f"({r.in_format}, {r.layout} layout) in {r.seconds:.1f} s ({rate:,.0f}/s); "
        f"{r.flagged} flagged; model: {model_text}; wrote {r.output}",
    ]
    if r.bad_records:
        lines.append(f"{r.bad_records} bad record(s) skipped, listed in {r.errors_file}:")
        for b in r.first_bad:
            who = f" (id {b.id})" if b.id else ""
            lines.append(f"  {r.input}, {b.location}{who}: {b.reason}")
        if r.bad_records > len(r.first_bad):
            lines.append(f"  … and {r.bad_records - len(r.first_bad)} more")
    return lines
