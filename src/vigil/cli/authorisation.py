"""``vigil authorisation``: authorisations for online personas: grant, review, renew, cancel, check."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, as_json, console, print_json, workspace
from vigil.services.casework.authorisations import (
    authorisation_warnings,
    cancel_authorisation,
    grant_authorisation,
    list_authorisations,
    live_authorisation,
    renew_authorisation,
    review_authorisation,
)
from vigil.services.times import parse_moment

WhenOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When, ISO 8601; without an offset the default time zone is assumed (default now).",
    ),
]


app = typer.Typer(
    help="Authorisations (CHIS, relevant source, directed surveillance): grant, review, renew, cancel.",
    no_args_is_help=True,
)


@app.command("grant")
def auth_grant(
    ref: Annotated[str, typer.Argument(help="Authorisation reference.")],
    persona: Annotated[str, typer.Option("--persona", help="Persona reference.")],
    kind: Annotated[
        str, typer.Option("--kind", help="chis, relevant_source or directed_surveillance.")
    ],
    officer: Annotated[str, typer.Option("--officer", help="Authorising officer.")],
    rank: Annotated[
        str, typer.Option("--rank", help="Authorising officer's rank, e.g. superintendent.")
    ],
    granted: Annotated[
        str | None, typer.Option("--granted", help="When granted, ISO 8601 (default now).")
    ] = None,
    urgent_oral: Annotated[
        bool, typer.Option("--urgent-oral", help="Urgent oral authorisation (72 hours).")
    ] = False,
    operation: Annotated[
        str | None, typer.Option("--operation", help="Limit it to one operation (and its case).")
    ] = None,
    review_days: Annotated[
        int | None, typer.Option("--review-days", help="Review interval in days.")
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Record a granted authorisation; its expiry follows the rules for its type."""
    ws = workspace()
    a = grant_authorisation(
        ws, ref, persona, kind, officer, rank, parse_moment(ws, granted),
        urgent_oral=urgent_oral, operation_ref=operation, review_every_days=review_days,
    )  # fmt: skip
    if as_json_:
        print_json(as_json(a))
    else:
        console.print(
            f"Granted {a.ref} ({a.kind}) for {a.persona} until {a.expires_at:%Y-%m-%d %H:%M} UTC."
        )


@app.command("review")
def auth_review(
    ref: Annotated[str, typer.Argument(help="Authorisation reference.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Reviewing officer.")],
    at: WhenOpt = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Review notes.")] = None,
) -> None:
    """Record a review of a live authorisation."""
    ws = workspace()
    a = review_authorisation(ws, ref, reviewer, parse_moment(ws, at), notes)
    console.print(f"Reviewed {a.ref}; next review due {a.next_review_due:%Y-%m-%d}.")


@app.command("renew")
def auth_renew(
    ref: Annotated[str, typer.Argument(help="Authorisation reference.")],
    officer: Annotated[str, typer.Option("--officer", help="Renewing officer.")],
    rank: Annotated[str, typer.Option("--rank", help="Renewing officer's rank.")],
    at: WhenOpt = None,
    judicial_approved_at: Annotated[
        str | None,
        typer.Option(
            "--judicial-approved-at", help="When a Judicial Commissioner approved, ISO 8601."
        ),
    ] = None,
    commissioner: Annotated[
        str | None, typer.Option("--commissioner", help="The approving Judicial Commissioner.")
    ] = None,
) -> None:
    """Renew before expiry (a relevant source past 12 months needs a Chief Constable and prior judicial approval)."""
    ws = workspace()
    jc = parse_moment(ws, judicial_approved_at) if judicial_approved_at else None
    a = renew_authorisation(
        ws,
        ref,
        officer,
        rank,
        parse_moment(ws, at),
        judicial_approved_at=jc,
        judicial_commissioner=commissioner,
    )
    console.print(f"Renewed {a.ref} until {a.expires_at:%Y-%m-%d %H:%M} UTC.")


@app.command("cancel")
def auth_cancel(
    ref: Annotated[str, typer.Argument(help="Authorisation reference.")],
    by: Annotated[str, typer.Option("--by", help="Cancelling officer.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled.")],
    at: WhenOpt = None,
) -> None:
    """Cancel an authorisation (kept on record)."""
    ws = workspace()
    a = cancel_authorisation(ws, ref, by, parse_moment(ws, at), reason)
    console.print(f"Cancelled {a.ref} at {a.cancelled_at:%Y-%m-%d %H:%M} UTC.")


@app.command("list")
def auth_list(
    persona: Annotated[str | None, typer.Option("--persona", help="Only this persona.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List authorisations with their status now."""
    found = list_authorisations(workspace(), persona)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table(
        "authorisation", "persona", "type", "granted", "expires", "next review", "live", "status"
    )
    for a in found:
        table.add_row(
            a.ref, a.persona, a.kind, f"{a.granted_at:%Y-%m-%d}", f"{a.expires_at:%Y-%m-%d}",
            f"{a.next_review_due:%Y-%m-%d}", "yes" if a.live_now else "no", a.status,
        )  # fmt: skip
    console.print(table)


@app.command("warnings")
def auth_warnings(
    within: Annotated[
        int | None,
        typer.Option("--within", help="Days ahead to warn (default from the rules file)."),
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Reviews overdue or due soon, and expiries due soon, for live authorisations."""
    found = authorisation_warnings(workspace(), within)
    if as_json_:
        print_json(as_json(found))
        return
    if not found:
        console.print("No reviews or expiries due.")
    for w in found:
        console.print(w.message)


@app.command("check")
def auth_check(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    persona: Annotated[str, typer.Option("--persona", help="Persona reference.")],
    at: Annotated[str, typer.Option("--at", help="Capture time, ISO 8601.")],
) -> None:
    """Check that a persona's capture in a case at a time is covered by a live authorisation."""
    ws = workspace()
    with ws.sessions() as session:
        ref = live_authorisation(session, case, persona, parse_moment(ws, at))
    console.print(f"Covered by {ref}.")


@app.command("gaps")
def auth_gaps(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    as_json_: JsonOpt = False,
) -> None:
    """Evidence captured under a persona outside its authorisations at the time: each run of
    messages (or capture) with the reason, for the supervisor. Nothing was refused: the
    evidence is stored; this is the list to act on."""
    from vigil.services.casework.cover import list_gaps

    found = list_gaps(workspace(), case)
    if as_json_:
        print_json(as_json(found))
        return
    if not found:
        console.print(f"No evidence in {case} falls outside its personas' authorisations.")
        return
    table = Table("exhibit", "conversation", "persona", "messages", "from", "to", "reason")
    for g in found:
        seqs = "" if g.first_seq is None else f" (#{g.first_seq}–#{g.last_seq})"
        table.add_row(
            g.exhibit_ref,
            (g.conversation or "capture") + seqs,
            g.persona_ref,
            str(g.messages),
            _when(g.first_at),
            _when(g.last_at),
            g.reason,
        )
    console.print(table)


def _when(t: object) -> str:
    from datetime import datetime

    return t.strftime("%Y-%m-%d %H:%M UTC") if isinstance(t, datetime) else "no time"
