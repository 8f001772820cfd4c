"""``vigil triage`` and ``vigil explain``: ranked conversations and the reasons behind a score."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from vigil.analysis.wording import default_wording, humanise
from vigil.cli.common import LEAD_NOT_VERDICT, console, print_json, workspace

# vigil.services.triage.run is imported inside the commands: it loads the learned-model stack
# (vigil.analysis.learn, NumPy), which every other ``vigil`` command should start without.

URGENCY = {3: "ACT NOW", 2: "high", 1: "elevated", 0: ""}


def _t(d: Any) -> str:
    return d.strftime("%Y-%m-%d %H:%M") if d is not None else "no time"


def triage(
    case: Annotated[
        str | None, typer.Option("--case", help="Only this case (default: every case).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many conversations to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rank conversations by urgency, then risk, with their top findings (analyses what is new or stale)."""
    from vigil.services.triage.run import triage as triage_service

    rows = triage_service(workspace(), case, limit)
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, "conversations": [asdict(r) for r in rows]})
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    table = Table(
        "conv", "case", "platform", "title", "msgs", "urgency", "risk", "flags", "top findings"
    )
    words = default_wording()
    for r in rows:
        flags = ", ".join(f.get("label") or f["id"] for f in r.flags)
        top = "\n".join(
            f"#{f.seq} {_t(f.sent_at)} {f.sender}: “{f.quote}” ({words.label(f.category)})"
            for f in r.top
        )
        table.add_row(
            str(r.conversation_id),
            r.case_ref,
            r.platform,
            r.title or "",
            str(r.messages),
            URGENCY.get(r.urgency, str(r.urgency)),
            f"{r.risk:.2f}" + (" FLAGGED" if r.flagged else "") + (f"\n{r.note}" if r.note else ""),
            flags,
            top,
        )
    console.print(table)


def explain(
    conversation: Annotated[int, typer.Argument(help="Conversation id (from `vigil triage`).")],
    technical: Annotated[
        bool,
        typer.Option(
            "--technical",
            help="Also list every pattern match with its pattern id and technical note.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a conversation's stage timeline, urgency flags, score components and every finding."""
    from vigil.services.triage.run import explain as explain_service

    e = explain_service(workspace(), conversation)
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, **asdict(e)})
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    console.print(
        f"[bold]Conversation {e.conversation_id}[/bold] ({e.case_ref}, {e.platform}, {e.title or 'untitled'})"
    )
    console.print(
        f"risk {e.risk:.2f}, urgency {URGENCY.get(e.urgency) or 'none'}; taxonomy {e.taxonomy_version}"
    )
    ind = "none" if e.indicator_score is None else f"{e.indicator_score:.2f}"
    mod = "off" if e.model_score is None else f"{e.model_score:.2f}"
    console.print(
        f"  {'FLAGGED' if e.flagged else 'not flagged'}; indicators alone {ind}; learned model {mod}"
    )
    if e.note:
        console.print(f"  [bold]{e.note}[/bold]: no indicator patterns exist for this language")
    if e.contributions:
        console.print("[bold]What each kind of finding added[/bold] (log-odds, fitted weights)")
        for name, value in sorted(e.contributions.items(), key=lambda kv: -abs(kv[1])):
            console.print(f"  {value:+.2f}  {e.labels.get(name, name)}")
    for name, comp in e.components.items():
        why = comp["explanation"] if technical else e.component_words.get(name, "")
        console.print(f"  {humanise(name)}: {comp['value']:.2f} — {why}", markup=False)
    for pid, side in e.sides.items():
        console.print(
            f"  participant {pid}: {side['side']} side ({side['source']}): {'; '.join(side['reasons'])}",
            markup=False,
        )
    if e.flags:
        console.print("[bold]Urgency flags[/bold]")
        for f in e.flags:
            console.print(f"  {f['label']} — messages {', '.join(map(str, f['seqs']))}")
    console.print("[bold]Stage timeline[/bold] (first occurrence)")
    for st in e.timeline:
        stage = st["stage"] if technical else humanise(st["stage"])
        console.print(
            f"  {stage}: message #{st['seq']} at {st['sent_at'] or 'no time'} “{st['quote']}”",
            markup=False,
        )
    table = Table("msg", "time (UTC)", "sender", "category", "quote", "added", "why")
    for line in e.lines:
        table.add_row(
            str(line.seq),
            _t(line.sent_at),
            escape(line.sender or ""),
            escape("\n".join(line.labels)),
            escape(line.quote),
            f"{line.added:+.2f}",
            escape(" ".join(line.descriptions)),
        )
    console.print(table)
    if e.uncounted:
        console.print(
            f"{e.uncounted} further match(es) not counted: said by the side the cue does not apply to."
        )
    if technical:
        _technical(e)


def _technical(e: Any) -> None:
    """Every pattern match with its id and the pattern's technical note."""
    console.print("[bold]Technical detail[/bold]: one row per pattern match")
    table = Table("msg", "span", "pattern", "quote", "added", "notes")
    for f in e.findings:
        table.add_row(
            str(f.seq),
            f"{f.span_start}-{f.span_end}",
            escape(f.rule_id),
            escape(f.quote),
            f"{f.added:+.2f}",
            escape(f.notes or f.reason),
        )
    console.print(table)
