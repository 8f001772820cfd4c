"""``vigil search``: full-text search of the messages of every case you may read (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from vigil.cli.common import LEAD_NOT_VERDICT, as_json, console, print_json, workspace


def _marked(text: str, marks: list[tuple[int, int]]) -> str:
    """Rich markup of ``text`` with the matched spans in reverse video."""
    out, pos = [], 0
    for a, b in marks:
        out += [escape(text[pos:a]), f"[reverse]{escape(text[a:b])}[/reverse]"]
        pos = b
    return "".join([*out, escape(text[pos:])])


def _line(m: Any) -> str:
    when = m.sent_at.strftime("%Y-%m-%d %H:%M") if m.sent_at is not None else "no time"
    cut_a, cut_b = ("… " if m.clipped_before else ""), (" …" if m.clipped_after else "")
    text = cut_a + _marked(m.text, m.marks) + cut_b
    head = f"#{m.seq} {when} {escape(m.sender or '—')}:"
    return f"  [bold]{head}[/bold] {text}" if m.is_hit else f"  [dim]{head} {text}[/dim]"


def search(
    query: Annotated[
        str | None,
        typer.Argument(help='Words, a "quoted phrase" or a prefix* (every term must be there).'),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Why you are searching (kept in the audit log).")
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option(
            "--case", help="Only this case (repeat for more; default: every case you are on)."
        ),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Only conversations of this platform.")
    ] = None,
    participant: Annotated[
        str | None,
        typer.Option(
            "--participant", help="Only messages sent by this platform id or display name."
        ),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Messages from this date or time on (UTC).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Messages up to this date (inclusive) or time (UTC).")
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Only messages with a finding of this category."),
    ] = None,
    page: Annotated[int, typer.Option("--page", help="Page of hits to show.")] = 1,
    per_page: Annotated[int, typer.Option("--per-page", help="Hits a page (1-100).")] = 20,
    context: Annotated[
        int, typer.Option("--context", help="Messages shown before and after each hit (0-5).")
    ] = 2,
    oldest: Annotated[bool, typer.Option("--oldest", help="Oldest hits first.")] = False,
    update_index: Annotated[
        bool,
        typer.Option(
            "--update-index",
            help="Only bring the search index of your cases up to date (no query).",
        ),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the messages of your cases (as the scanner reads them: "meet" finds "m33t"); each search is kept in the audit log with its purpose."""
    from vigil.services import search as svc

    ws = workspace()
    if update_index:
        state = svc.update_index(ws)
        if json_out:
            print_json(as_json(state))
        else:
            console.print(f"indexed {state.indexed:,} message(s) in {state.seconds:.1f} s")
        return
    if query is None:
        raise typer.BadParameter("give a QUERY (or --update-index)", param_hint="QUERY")
    q = svc.SearchQuery(
        query, tuple(case or ()), platform, participant,
        svc.parse_bound(date_from), svc.parse_bound(date_to, end=True), category,
        page, per_page, context, "oldest" if oldest else "newest",
    )  # fmt: skip
    p = svc.search(ws, q, purpose, budget=None)
    if json_out:
        print_json(as_json(p))
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    total = f"more than {p.total:,}" if p.more else f"{p.total:,}"
    console.print(
        f"{total} hit(s) for {escape(' '.join(p.terms))} in {p.cases_searched} case(s); "
        f"page {p.page}{' (more follow)' if p.has_next else ''}. "
        "Kept in the audit log with your purpose."
    )
    if not p.index.complete:
        console.print(f"[bold]{p.index.pending_messages:,} message(s) not indexed yet[/bold]")
    for h in p.hits:
        console.print(
            f"\n[bold]{escape(h.case_ref)}[/bold] conversation {h.conversation_id} "
            f"({escape(h.platform)}{', ' + escape(h.title) if h.title else ''})"
        )
        for m in [*h.before, h.message, *h.after]:
            console.print(_line(m), soft_wrap=True)
