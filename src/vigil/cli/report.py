"""``vigil report``: the statistics report and the platform intelligence report.

Output formats other than ``text`` are the renderers registered through the
``vigil_report_renderers`` hook (built-ins and plugins).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.choices import listing
from vigil.cli.common import console, err, workspace
from vigil.errors import UserError
from vigil.reports import RENDERERS
from vigil.reports.platforms import PlatformReport
from vigil.reports.stats import StatsReport
from vigil.services import reports as service
from vigil.services.times import parse_day
from vigil.services.workspace import Workspace

app = typer.Typer(
    help="Reports computed from the records: statistics, platform intelligence.",
    no_args_is_help=True,
)

TEXT = "text"
"""The terminal table, printed by this module; every other format is a registered renderer."""
FromOpt = Annotated[str, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day of the period (inclusive), YYYY-MM-DD.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"{TEXT}, "
        + listing(RENDERERS.values)
        + " (default: from --out's extension, else text).",
    ),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file (PDF needs it).")]
PurposeOpt = Annotated[
    str | None,
    typer.Option(
        "--purpose",
        help="Why the report is written out (needed with --out; goes in the audit log, as a "
        "download's purpose does on the web).",
    ),
]


def formats() -> tuple[str, ...]:
    """``text`` and every registered report renderer (built-ins and plugins)."""
    return (TEXT, *RENDERERS)


def _from_suffix(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix == ".htm":
        return "html"
    for r in RENDERERS.values():
        if r.extension.lower() == suffix:
            return r.name
    return suffix.lstrip(".")


def _format(fmt: str | None, out: Path | None) -> str:
    if fmt is None:
        fmt = _from_suffix(out) if out is not None and out.suffix else TEXT
    if fmt != TEXT:
        if fmt not in RENDERERS:
            raise UserError(f"unknown format {fmt!r}", hint="one of: " + ", ".join(formats()))
        if RENDERERS[fmt].binary and out is None:
            raise UserError(f"{fmt.upper()} output needs --out FILE")
    return fmt


@dataclass(frozen=True, slots=True)
class _Export:
    """What the audit entry of a written report needs."""

    ws: Workspace
    key: str
    purpose: str
    unit: str | None = None


def _emit(
    report: StatsReport | PlatformReport,
    fmt: str,
    out: Path | None,
    export: _Export | None = None,
) -> None:
    """Print or write ``report``; a written file is recorded with its purpose
    (:func:`vigil.services.reports.record_export`) before it is renamed into place."""
    if fmt == TEXT:
        if isinstance(report, StatsReport):
            _print_stats(report)
        else:
            _print_platforms(report)
        return
    # renderers may pull in WeasyPrint: they load it only when they render
    data = RENDERERS[fmt].render(report)
    if out is None:
        assert isinstance(data, str)
        sys.stdout.write(data)
        return
    body = data if isinstance(data, bytes) else data.encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(body)
    if export is not None:
        e = export
        try:
            service.record_export(e.ws, e.ws.actor, e.key, fmt, len(body), e.purpose, e.unit)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
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
    purpose: PurposeOpt = None,
) -> None:
    """Arrests, children safeguarded and custodial years, by unit, offence type and platform, with a five-year trend."""
    ws = workspace()
    start, end = parse_day(from_), parse_day(to)
    if out is not None:
        service.export_purpose(purpose or "")  # refused before any work
    report = service.stats_report(ws, start, end, unit)
    key = service.report_key("stats", start, end, unit)
    _emit(report, _format(fmt, out), out, _Export(ws, key, purpose or "", unit))


@app.command("platforms")
def platforms(
    from_: FromOpt,
    to: ToOpt,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    purpose: PurposeOpt = None,
) -> None:
    """Per platform: cases, offence types, indicator categories, migrations, categories newly appearing."""
    ws = workspace()
    start, end = parse_day(from_), parse_day(to)
    if out is not None:
        service.export_purpose(purpose or "")
    report = service.platform_report(ws, start, end)
    key = service.report_key("platforms", start, end)
    _emit(report, _format(fmt, out), out, _Export(ws, key, purpose or ""))


@app.command("transcript")
def transcript(
    conversation: Annotated[int, typer.Argument(help="Conversation number (as on the case page).")],
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    exhibit_ref: Annotated[
        str, typer.Option("--exhibit-ref", help="The transcript's exhibit label, e.g. JS/12.")
    ],
    out: Annotated[Path, typer.Option("--out", help="File to write (.pdf or .html).")],
    purpose: Annotated[
        str, typer.Option("--purpose", help="Why the transcript is made (kept in the audit log).")
    ],
    messages: Annotated[
        str | None, typer.Option("--messages", help="Message ranges, e.g. 1-20,35,40-45.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Messages with this review tag (repeatable).")
    ] = None,
    bookmarked: Annotated[
        bool, typer.Option("--bookmarked", help="Messages bookmarked in review.")
    ] = False,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="Messages with findings of this category (repeatable)."),
    ] = None,
    redacted: Annotated[
        bool, typer.Option("--redacted", help="Apply the case's redactions (docs/redaction.md).")
    ] = False,
    audience: Annotated[
        str, typer.Option("--audience", help="With --redacted: defence (default) or cps.")
    ] = "defence",
    personas: Annotated[
        bool | None,
        typer.Option(
            "--personas/--no-personas",
            help="With --redacted: redact persona identities (default: yes for the defence, "
            "no for the CPS).",
        ),
    ] = None,
) -> None:
    """A paginated transcript exhibit of a conversation (or the selected messages): label,
    source exhibit and SHA-256, time zone, each message with number, time, sender, text and
    attachments; review decisions and notes on an annex. The file is registered as an exhibit
    derived from the source."""
    from vigil.reports.transcript import parse_ranges
    from vigil.services.transcript import Selection, produce

    fmt = "html" if out.suffix.lower() in (".html", ".htm") else "pdf"
    sel = Selection(
        ranges=tuple(parse_ranges(messages)) if messages else (),
        tags=tuple(tag or ()),
        bookmarked=bookmarked,
        categories=tuple(category or ()),
    )
    p = produce(
        workspace(), case, conversation, exhibit_ref, sel, out, purpose, fmt,
        audience if redacted else None, personas if redacted else None,
    )  # fmt: skip
    t = p.transcript
    console.print(
        f"Wrote transcript {t.label} ({len(t.lines)} of {t.total_messages} messages, "
        f"{len(t.annex)} annex entries) to {out}"
    )
    if p.exhibit_ref:
        console.print(f"  registered as exhibit {p.exhibit_ref}, sha256 {p.sha256}")
    else:
        console.print(f"  sha256 {p.sha256}, recorded in the custody log (not an exhibit)")
