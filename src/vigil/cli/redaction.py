"""``vigil redaction``: redactions of messages and media for disclosure (docs/redaction.md).

The same service calls as the web's redaction editor: only a member of the case whose role
may ``disclose`` (the disclosure officer) adds or withdraws a redaction or writes a redacted
bundle, and every act is a custody entry. The evidence never changes; a redaction is a layer
over it, and the unredacted material stays available to the court on order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vigil.cli.common import LEAD_NOT_VERDICT, JsonOpt, as_json, console, print_json, workspace
from vigil.redaction.reasons import REASONS

app = typer.Typer(
    help="Redact messages and images for disclosure (spans, phrases, image boxes; with "
    "reasons), withdraw redactions, list them, and write a redacted bundle.",
    no_args_is_help=True,
)

CaseOpt = Annotated[str, typer.Option("--case", help="The case reference.")]
ReasonOpt = Annotated[
    str, typer.Option("--reason", help="Reason code: " + ", ".join(REASONS) + ".")
]
NoteOpt = Annotated[
    str | None,
    typer.Option("--note", help="The reason in words (needed for 'other'; never the text)."),
]


def _said(r: object) -> None:
    from vigil.services.redaction.records import RedactionInfo

    assert isinstance(r, RedactionInfo)
    console.print(
        f"redaction {r.id} ({r.case_ref}): {escape(r.where)} — {r.reason_label}"
        f"{' (' + escape(r.note) + ')' if r.note else ''}; recorded in the custody log"
    )


def _out(r: object, json_out: bool) -> None:
    if json_out:
        print_json(as_json(r))
    else:
        _said(r)


@app.command("span")
def span_cmd(
    conversation: Annotated[int, typer.Argument(help="Conversation id.")],
    message: Annotated[int, typer.Argument(help="The message's number (seq).")],
    start: Annotated[int, typer.Argument(help="First character to redact (from 0).")],
    end: Annotated[int, typer.Argument(help="One past the last character to redact.")],
    case: CaseOpt,
    reason: ReasonOpt,
    note: NoteOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Redact characters START to END of one message."""
    from vigil.services.redaction.records import add_span

    r = add_span(workspace(), case, conversation, message, start, end, reason, note)
    _out(r, json_out)


@app.command("phrase")
def phrase_cmd(
    phrase: Annotated[str, typer.Argument(help="The words to redact wherever they occur.")],
    case: CaseOpt,
    reason: ReasonOpt,
    conversation: Annotated[
        int | None,
        typer.Option("--conversation", help="Only in this conversation (default: the case)."),
    ] = None,
    part_words: Annotated[
        bool,
        typer.Option("--inside-words", help="Also inside longer words (default: whole words)."),
    ] = False,
    note: NoteOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Redact every occurrence of a phrase (any case) in a conversation or the whole case:
    messages, names, titles and file names."""
    from vigil.services.redaction.records import add_phrase

    r = add_phrase(workspace(), case, phrase, reason, note, conversation, not part_words)
    _out(r, json_out)


@app.command("box")
def box_cmd(
    exhibit: Annotated[str, typer.Argument(help="The image exhibit's reference.")],
    x: Annotated[int, typer.Argument(help="Left edge, pixels.")],
    y: Annotated[int, typer.Argument(help="Top edge, pixels.")],
    width: Annotated[int, typer.Argument(help="Width, pixels.")],
    height: Annotated[int, typer.Argument(help="Height, pixels.")],
    case: CaseOpt,
    reason: ReasonOpt,
    note: NoteOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Redact a rectangle of an image exhibit (as displayed): filled black in redacted output."""
    from vigil.redaction.images import Box
    from vigil.services.redaction.records import add_box

    r = add_box(workspace(), case, exhibit, Box(x, y, width, height), reason, note)
    _out(r, json_out)


@app.command("withdraw")
def withdraw_cmd(
    redaction: Annotated[int, typer.Argument(help="The redaction's number.")],
    case: CaseOpt,
    why: Annotated[str, typer.Option("--why", help="Why it is withdrawn.")],
) -> None:
    """Withdraw a redaction (it stays on record, marked withdrawn)."""
    from vigil.services.redaction.records import withdraw

    r = withdraw(workspace(), case, redaction, why)
    console.print(f"redaction {r.id} withdrawn; recorded in the custody log")


@app.command("list")
def list_cmd(
    case: CaseOpt,
    conversation: Annotated[
        int | None, typer.Option("--conversation", help="Only those touching this conversation.")
    ] = None,
    standing: Annotated[bool, typer.Option("--standing", help="Leave out withdrawn ones.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """A case's redactions: where, why, who, when, and whether withdrawn."""
    from vigil.services.redaction.records import list_redactions

    rows = list_redactions(workspace(), case, conv_id=conversation, include_withdrawn=not standing)
    if json_out:
        print_json(as_json(rows))
        return
    table = Table("id", "kind", "where", "reason", "by", "when", "withdrawn")
    for r in rows:
        table.add_row(
            str(r.id), r.kind, escape(r.where),
            escape(r.reason_label + (f" ({r.note})" if r.note else "")), escape(r.by),
            r.at.strftime("%Y-%m-%d %H:%M UTC"),
            escape(f"{r.withdrawn_by}: {r.withdrawn_reason}") if r.withdrawn_at else "",
        )  # fmt: skip
    console.print(table)


@app.command("bundle")
def bundle_cmd(
    case: CaseOpt,
    out: Annotated[Path, typer.Option("--out", help="The zip file to write.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why (kept in the custody log).")],
    audience: Annotated[
        str, typer.Option("--audience", help="defence (persona identities redacted) or cps.")
    ] = "defence",
    personas: Annotated[
        bool | None,
        typer.Option(
            "--personas/--no-personas",
            help="Redact persona identities (default: yes for the defence, no for the CPS).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the redacted bundle: redacted transcripts, conversation exports and images, and
    a manifest of every redaction; no copy of any original."""
    from vigil.services.redaction.bundle import export_redacted

    b = export_redacted(workspace(), case, out, purpose, audience, personas)
    if json_out:
        print_json({**as_json(b), "path": str(b.path)})
        return
    console.print(
        f"wrote the redacted bundle for the {b.audience} to {b.path}: {b.outputs} file(s), "
        f"{b.redactions} redaction(s), {b.withheld} exhibit(s) withheld"
    )
    console.print(f"[dim]sha256 {b.sha256}; recorded in the custody log. {LEAD_NOT_VERDICT}[/dim]")
