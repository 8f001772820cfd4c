"""``vigil review``: review decisions on conversations and messages, and their export as
labelled data for ``vigil model train`` (docs/review.md).

The same service calls as the web's forms: the acting user (``VIGIL_USER``) must be on the
case with a role that may write to decide (read to list or export), every decision is one
custody entry, and a purpose is given with each command. Decisions are a trained person's;
Vigil's scores are leads, never verdicts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vigil.cli.common import LEAD_NOT_VERDICT, JsonOpt, as_json, console, print_json, workspace
from vigil.services.review.model import Change

app = typer.Typer(
    help="Review decisions (unreviewed, reviewed, not relevant, escalate), notes, tags and "
    "bookmarks on conversations and messages; export them as labelled data for retraining.",
    no_args_is_help=True,
)

CaseOpt = Annotated[str, typer.Option("--case", help="The case reference.")]
ConvArg = Annotated[int, typer.Argument(help="Conversation id (from `vigil triage`).")]
MessageOpt = Annotated[
    int | None,
    typer.Option("--message", help="One message's number (default: the whole conversation)."),
]
PurposeOpt = Annotated[
    str, typer.Option("--purpose", help="Why (kept with every decision in the custody log).")
]
RemoveOpt = Annotated[bool, typer.Option("--remove", help="Take it off instead.")]


def _decide(case: str, conv: int, purpose: str, change: Change) -> None:
    from vigil.services.review.decide import decide

    r = decide(workspace(), case, conv, change, purpose=purpose)
    where = f"message #{r.seq} of conversation {conv}" if r.seq else f"conversation {conv}"
    if not r.decisions:
        console.print(f"nothing changed on {where} (it already stands)")
    for d in r.decisions:
        console.print(f"{escape(d.words)}: {where} ({case})")
    m = r.marks
    tags = f"; tags: {', '.join(m.tags)}" if m.tags else ""
    console.print(
        f"[dim]now: {m.state_label}{' · bookmarked' if m.bookmarked else ''}{escape(tags)}; "
        f"recorded in the custody log[/dim]"
    )


@app.command("set")
def set_cmd(
    conv: ConvArg,
    state: Annotated[str, typer.Argument(help="unreviewed, reviewed, 'not relevant' or escalate.")],
    case: CaseOpt,
    purpose: PurposeOpt,
    message: MessageOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="A note kept with it.")] = None,
) -> None:
    """Set the review state of a conversation (or of one message), with an optional note."""
    _decide(case, conv, purpose, Change(seq=message, state=state, note=note))


@app.command("note")
def note_cmd(
    conv: ConvArg,
    text: Annotated[str, typer.Argument(help="The note (never edited: add another to correct).")],
    case: CaseOpt,
    purpose: PurposeOpt,
    message: MessageOpt = None,
) -> None:
    """Add a note to a conversation or one message."""
    _decide(case, conv, purpose, Change(seq=message, note=text))


@app.command("tag")
def tag_cmd(
    conv: ConvArg,
    tag: Annotated[str, typer.Argument(help="A short label, e.g. 'meeting plan'.")],
    case: CaseOpt,
    purpose: PurposeOpt,
    message: MessageOpt = None,
    remove: RemoveOpt = False,
) -> None:
    """Tag a conversation or one message (or take a tag off)."""
    if remove:
        _decide(case, conv, purpose, Change(seq=message, tags_remove=(tag,)))
    else:
        _decide(case, conv, purpose, Change(seq=message, tags_add=(tag,)))


@app.command("bookmark")
def bookmark_cmd(
    conv: ConvArg,
    case: CaseOpt,
    purpose: PurposeOpt,
    message: MessageOpt = None,
    remove: RemoveOpt = False,
) -> None:
    """Bookmark a conversation or one message (or remove the bookmark)."""
    _decide(case, conv, purpose, Change(seq=message, bookmark=not remove))


def _t(d: object) -> str:
    return d.strftime("%Y-%m-%d %H:%M UTC") if hasattr(d, "strftime") else "—"


@app.command("list")
def list_cmd(
    case: CaseOpt,
    purpose: PurposeOpt,
    conversation: Annotated[
        int | None,
        typer.Option("--conversation", help="Show this conversation's whole decision history."),
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="Only conversations in this state.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """A case's conversations with their review state, or one conversation's history."""
    from vigil.services.review.read import case_review, conversation_review

    ws = workspace()
    if conversation is not None:
        rv = conversation_review(ws, case, conversation, purpose=purpose)
        if json_out:
            print_json(as_json(rv))
            return
        console.print(f"conversation {conversation}: [bold]{rv.marks.state_label}[/bold]")
        for d in rv.history:
            where = f"message #{d.seq}" if d.seq is not None else "whole conversation"
            text = f": “{escape(d.value)}”" if d.kind == "note" else ""
            console.print(f"  {_t(d.at)} · {escape(d.by)} · {escape(d.words)} · {where}{text}")
        return
    rows = case_review(ws, case, state=state, purpose=purpose)
    if json_out:
        print_json({"note": LEAD_NOT_VERDICT, "conversations": as_json(rows)})
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT} Review states are reviewers' decisions.[/dim]")
    table = Table("conv", "platform", "title", "state", "by", "when", "tags", "notes", "messages")
    for r in rows:
        table.add_row(
            str(r.conversation_id), r.platform, escape(r.title or ""),
            r.state.replace("_", " ") + (" ★" if r.bookmarked else ""), escape(r.state_by or ""),
            _t(r.state_at), escape(", ".join(r.tags)), str(r.notes), str(r.messages_marked),
        )  # fmt: skip
    console.print(table)


@app.command("export")
def export_cmd(
    case: Annotated[list[str], typer.Option("--case", help="A case (repeat for more).")],
    out: Annotated[Path, typer.Option("--out", help="New CSV file (segment,label).")],
    purpose: PurposeOpt,
    reviewed_as_negative: Annotated[
        bool,
        typer.Option(
            "--reviewed-as-negative",
            help="Also export 'reviewed' conversations, labelled 0 (default: left out).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Write the cases' decided conversations as labelled data for `vigil model train --data`:
    escalate 1, not relevant 0; unreviewed never."""
    from vigil.services.review.export import export_decisions

    res = export_decisions(
        workspace(), case, out, purpose=purpose,
        reviewed_as="negative" if reviewed_as_negative else "skip",
    )  # fmt: skip
    if json_out:
        print_json({**as_json(res), "out": str(res.out)})
        return
    left = ", ".join(f"{n} {why}" for why, n in sorted(res.left_out.items())) or "none"
    console.print(
        f"wrote {res.conversations} conversation(s) to {res.out} ({res.positives} escalate, "
        f"{res.negatives} not relevant{' or reviewed' if reviewed_as_negative else ''}); "
        f"left out: {left}"
    )
    console.print(f"[dim]sha256 {res.sha256}; the file holds case material (mode 0600)[/dim]")
