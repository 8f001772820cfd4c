"""``vigil disclosure``: CPIA disclosure of a case's material (docs/disclosure.md).

The disclosure officer (role ``disclosure_officer``, a member of the case) sets each item's
status and schedule description, generates the MG6C, MG6D and MG6E as PDF, CSV, XLSX or ODS,
and records when a revision was served. The same service calls as the web's disclosure page:
other roles may list items and revisions of a case they read, never change them, and every
act is in the custody log. Relevance and the disclosure test are human judgements; Vigil's
output is a lead, never a verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vigil.cli.common import LEAD_NOT_VERDICT, JsonOpt, as_json, console, print_json, workspace

app = typer.Typer(
    help="Disclosure (CPIA 1996): item statuses and descriptions, MG6C/MG6D/MG6E schedules "
    "with revisions, and their service.",
    no_args_is_help=True,
)

CaseOpt = Annotated[str, typer.Option("--case", help="The case reference.")]
STATUS_HELP = "used, unused (non-sensitive), sensitive (unused sensitive) or not-relevant."


@app.command("status")
def status_cmd(
    item: Annotated[
        str,
        typer.Argument(
            help="The item: kind:reference, e.g. exhibit:SE/1, conversation:12, "
            "capture:OP-1/CS1#3, capture-note:OP-1/CS1#2, review-note:7 "
            "(see `vigil disclosure items`)."
        ),
    ],
    case: CaseOpt,
    status: Annotated[str | None, typer.Option("--status", help=STATUS_HELP)] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", help="The schedule's words for it (needed the first time)."),
    ] = None,
    undermines: Annotated[
        bool | None,
        typer.Option(
            "--undermines/--no-undermines",
            help="Might undermine the prosecution case or assist the defence (MG6E).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Set an item's disclosure status, description and MG6E flag (disclosure officer only)."""
    from vigil.services.disclosure.decide import Decision, decide, status_words

    d = decide(workspace(), case, Decision(item, status, description, undermines))
    if json_out:
        print_json(as_json(d))
        return
    i = d.item
    flag = " · might undermine / assist (MG6E)" if i.undermines else ""
    if d.changed:
        console.print(f"{escape(i.key)}: [bold]{status_words(i.status)}[/bold]{flag} ({case})")
        console.print(f"  “{escape(i.description)}”")
        console.print("[dim]recorded in the custody log[/dim]")
    else:
        console.print(f"nothing changed on {escape(i.key)} (it already stands)")


@app.command("items")
def items_cmd(
    case: CaseOpt,
    unscheduled: Annotated[
        bool, typer.Option("--unscheduled", help="Only items with no status yet.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Every item of a case (exhibits, conversations, captures, notes) with its status."""
    from vigil.services.disclosure.decide import status_words
    from vigil.services.disclosure.schedules import overview

    ov = overview(workspace(), case)
    items = ov.unscheduled if unscheduled else ov.items
    if json_out:
        print_json({"case": ov.case_ref, "items": as_json(items)})
        return
    table = Table("item", "status", "MG6E", "description (or what Vigil knows of it)", "location")
    for i in items:
        words = escape(i.description) if i.description else f"[dim]{escape(i.summary)}[/dim]"
        table.add_row(escape(i.key), status_words(i.status), "yes" if i.undermines else "",
                      words, escape(i.location))  # fmt: skip
    console.print(table)
    console.print(f"{len(items)} item(s); {len(ov.unscheduled)} unscheduled in {ov.case_ref}")


@app.command("schedule")
def schedule_cmd(
    case: CaseOpt,
    kind: Annotated[str, typer.Option("--kind", help="mg6c, mg6d or mg6e.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="pdf, csv, xlsx or ods (default: --out's).")
    ] = None,
    redacted_for: Annotated[
        str | None,
        typer.Option(
            "--redacted-for",
            help="defence or cps: a copy with the case's redactions applied "
            "(persona identities hidden for the defence; docs/redaction.md).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a schedule: a new revision if anything changed since the kind's latest one."""
    from vigil.services.disclosure.schedules import write_schedule

    w = write_schedule(workspace(), case, kind, fmt or out.suffix, out, redacted_for)
    if json_out:
        print_json({**as_json(w), "out": str(out)})
        return
    r = w.revision
    console.print(
        f"{'new' if w.new else 'unchanged'} revision {r.number}: {r.title}, {r.rows} row(s); "
        f"wrote {out} ({w.fmt}, {w.size:,} bytes)"
    )
    console.print(f"[dim]sha256 {w.sha256}; content sha256 {r.content_sha256}[/dim]")


@app.command("served")
def served_cmd(
    case: CaseOpt,
    revision: Annotated[int, typer.Option("--revision", help="The revision number.")],
    to: Annotated[str, typer.Option("--to", help="To whom, e.g. 'CPS Area North'.")],
    on: Annotated[
        str | None, typer.Option("--on", help="Date served, YYYY-MM-DD (default today).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Record that a schedule revision was served (disclosure officer only)."""
    from vigil.services.disclosure.schedules import mark_served
    from vigil.services.times import parse_day

    r = mark_served(workspace(), case, revision, to, parse_day(on) if on else None)
    if json_out:
        print_json(as_json(r))
        return
    console.print(f"revision {r.number} ({r.title}) served on {r.served_on} to {escape(to)}")


@app.command("revisions")
def revisions_cmd(case: CaseOpt, json_out: JsonOpt = False) -> None:
    """Each schedule's state (revised schedule needed?) and every revision."""
    from vigil.services.disclosure.schedules import overview

    ov = overview(workspace(), case)
    if json_out:
        print_json({"case": ov.case_ref, "kinds": as_json(ov.kinds),
                    "revisions": as_json(ov.revisions)})  # fmt: skip
        return
    for k in ov.kinds:
        if k.revision_needed:
            state = f"[bold]revised schedule needed[/bold] ({k.changes.summary()})"
        elif k.latest is None:
            state = "not generated yet"
        elif not k.up_to_date:
            state = "latest revision out of date (not served yet)"
        else:
            state = "up to date"
        console.print(f"{k.title}: {k.rows_now} row(s) now; {state}")
    table = Table("revision", "kind", "rows", "generated", "by", "served", "to")
    for r in ov.revisions:
        table.add_row(str(r.number), r.kind.upper(), str(r.rows),
                      r.generated_at.strftime("%Y-%m-%d %H:%M UTC"), escape(r.generated_by),
                      str(r.served_on or ""), escape(r.served_to or ""))  # fmt: skip
    console.print(table)
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
