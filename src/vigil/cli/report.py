"""``vigil report``: the statistics report and the platform intelligence report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import console, err, workspace
from vigil.errors import UserError
from vigil.reports.platforms import PlatformReport
from vigil.reports.stats import StatsReport
from vigil.services import casework
from vigil.services import reports as service

app = typer.Typer(
    help="Reports computed from the records: statistics, platform intelligence.",
    no_args_is_help=True,
)

FORMATS = ("text", "html", "pdf", "csv", "json")
FromOpt = Annotated[str, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day of the period (inclusive), YYYY-MM-DD.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="text, html, pdf, csv or json (default: from --out's extension, else text).",
    ),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file (PDF needs it).")]


def _format(fmt: str | None, out: Path | None) -> str:
    if fmt is None:
        fmt = out.suffix.lstrip(".").lower() if out is not None and out.suffix else "text"
        fmt = {"htm": "html"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}", hint="one of: " + ", ".join(FORMATS))
    if fmt == "pdf" and out is None:
        raise UserError("PDF output needs --out FILE")
    return fmt


def _emit(report: StatsReport | PlatformReport, fmt: str, out: Path | None) -> None:
    # renderers pull in matplotlib and WeasyPrint: import them only when a report is made
    from vigil.reports import render_csv, render_html, render_json, render_pdf

    if fmt == "text":
        if isinstance(report, StatsReport):
            _print_stats(report)
        else:
            _print_platforms(report)
        return
    data: bytes | str
    if fmt == "pdf":
        data = render_pdf.render(report)
    else:
        data = {"html": render_html, "csv": render_csv, "json": render_json}[fmt].render(report)
    if out is None:
        assert isinstance(data, str)
        sys.stdout.write(data)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    tmp.replace(out)
    err.print(f"Wrote {fmt.upper()} report to {out}")


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:+.1f}%"


def _print_stats(r: StatsReport) -> None:
    f = r.figures
    console.print(
        f"[bold]Statistics {r.period.label}[/bold] ({r.period.start} to {r.period.end}) · {r.scope}"
    )
    console.print(f"  Arrests: {f.arrests:,}")
    console.print(f"  Children safeguarded: {f.children_safeguarded:,}")
    console.print(
        f"  Years of custodial sentences: {f.custodial_years:,} ({f.custodial_months:,} months)"
    )
    table = Table(
        "12 months", "arrests", "growth", "children", "growth", "custodial years", "growth"
    )
    for t in r.trend:
        table.add_row(
            t.period.label + (" (partial)" if t.partial else ""),
            f"{t.figures.arrests:,}", _pct(t.growth["arrests"]),
            f"{t.figures.children_safeguarded:,}", _pct(t.growth["children_safeguarded"]),
            f"{t.figures.custodial_years:,}", _pct(t.growth["custodial_years"]),
        )  # fmt: skip
    console.print(table)
    console.print("Definitions:")
    for d in r.definitions:
        console.print(f"  [bold]{d.label}[/bold]: {d.text}")


def _print_platforms(r: PlatformReport) -> None:
    console.print(f"[bold]Platforms {r.period.label}[/bold] · sources: {', '.join(r.sources)}")
    table = Table("platform", "cases", "offence types", "top categories", "new")
    for s in r.platforms:
        cats = ", ".join(list(s.categories)[:4])
        table.add_row(
            s.label,
            str(s.cases),
            ", ".join(f"{k} {n}" for k, n in s.offence_types.items()),
            cats,
            ", ".join(s.new_categories),
        )
    console.print(table)
    for a, b, n in r.migrations[:10]:
        console.print(f"  migration {a} -> {b}: {n} cases")


@app.command("stats")
def stats(
    from_: FromOpt,
    to: ToOpt,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only this unit and the units below it.")
    ] = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Arrests, children safeguarded and custodial years, by unit, offence type and platform, with a five-year trend."""
    ws = workspace()
    report = service.stats_report(ws, casework.parse_day(from_), casework.parse_day(to), unit)
    _emit(report, _format(fmt, out), out)


@app.command("platforms")
def platforms(from_: FromOpt, to: ToOpt, fmt: FormatOpt = None, out: OutOpt = None) -> None:
    """Per platform: cases, offence types, indicator categories, migrations, categories newly appearing."""
    ws = workspace()
    report = service.platform_report(ws, casework.parse_day(from_), casework.parse_day(to))
    _emit(report, _format(fmt, out), out)
