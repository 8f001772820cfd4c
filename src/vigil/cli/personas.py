"""``vigil persona`` and ``vigil authorisation``: undercover personas and their RIPA authorisations."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import console, print_json, workspace
from vigil.cli.records import as_json, show_fields
from vigil.errors import UserError
from vigil.services import casework
from vigil.services import casework_personas as personas

persona_app = typer.Typer(help="Online personas (undercover identities).", no_args_is_help=True)
auth_app = typer.Typer(
    help="Authorisations (CHIS, relevant source, directed surveillance): grant, review, renew, cancel.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
WhenOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When, ISO 8601; without an offset the default time zone is assumed (default now).",
    ),
]


def _pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for v in values:
        a, sep, b = v.partition(":")
        if not sep or not a.strip() or not b.strip():
            raise UserError(f"bad {what} {v!r}", hint=f"write {what} as A:B")
        out.append((a.strip(), b.strip()))
    return out


@persona_app.command("add")
def persona_add(
    ref: Annotated[str, typer.Argument(help="Persona reference, e.g. P-R01-001.")],
    name_used: Annotated[
        str, typer.Option("--name-used", help="The name the persona uses online.")
    ],
    claimed_age: Annotated[int, typer.Option("--claimed-age", help="The age the persona claims.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Unit code.")] = None,
    handle: Annotated[
        list[str] | None, typer.Option("--handle", help="PLATFORM:HANDLE (repeatable).")
    ] = None,
    officer: Annotated[
        list[str] | None,
        typer.Option(
            "--officer",
            help="OFFICER:ROLE, role controller|handler|operator|cover_officer (repeatable).",
        ),
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Add a persona with its platform handles and controlling officers."""
    p = personas.create_persona(
        workspace(),
        ref,
        name_used,
        claimed_age,
        unit,
        _pairs(handle or [], "handle"),
        _pairs(officer or [], "officer"),
    )
    if as_json_:
        print_json(as_json(p))
    else:
        console.print(f"Added persona {p.ref} ({p.name_used}, claims {p.claimed_age}).")


@persona_app.command("add-handle")
def persona_add_handle(
    ref: Annotated[str, typer.Argument(help="Persona reference.")],
    platform: Annotated[str, typer.Argument(help="Platform id, e.g. snapchat.")],
    handle: Annotated[str, typer.Argument(help="The handle used there.")],
) -> None:
    """Add a platform handle to a persona."""
    personas.add_handle(workspace(), ref, platform, handle)
    console.print(f"Added {platform}:{handle} to {ref}.")


@persona_app.command("add-officer")
def persona_add_officer(
    ref: Annotated[str, typer.Argument(help="Persona reference.")],
    officer: Annotated[str, typer.Argument(help="Officer name or collar number.")],
    role: Annotated[str, typer.Argument(help="controller, handler, operator or cover_officer.")],
) -> None:
    """Add a controlling or operating officer to a persona."""
    personas.add_officer(workspace(), ref, officer, role)
    console.print(f"Added {officer} ({role}) to {ref}.")


@persona_app.command("list")
def persona_list(as_json_: JsonOpt = False) -> None:
    """List personas with whether each has a live authorisation now."""
    found = personas.list_personas(workspace())
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("persona", "name used", "age", "unit", "handles", "live authorisation")
    for p in found:
        live = [a.ref for a in p.authorisations if a.live_now]
        table.add_row(
            p.ref,
            p.name_used,
            str(p.claimed_age),
            p.unit or "",
            ", ".join(f"{a}:{b}" for a, b in p.handles),
            ", ".join(live) or "none",
        )
    console.print(table)


@persona_app.command("show")
def persona_show(
    ref: Annotated[str, typer.Argument(help="Persona reference.")], as_json_: JsonOpt = False
) -> None:
    """Show a persona, its officers and its authorisations."""
    p = personas.show_persona(workspace(), ref)
    if as_json_:
        print_json(as_json(p))
    else:
        show_fields(p)


@auth_app.command("grant")
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
    a = personas.grant_authorisation(
        ws, ref, persona, kind, officer, rank, casework.parse_moment(ws, granted),
        urgent_oral=urgent_oral, operation_ref=operation, review_every_days=review_days,
    )  # fmt: skip
    if as_json_:
        print_json(as_json(a))
    else:
        console.print(
            f"Granted {a.ref} ({a.kind}) for {a.persona} until {a.expires_at:%Y-%m-%d %H:%M} UTC."
        )


@auth_app.command("review")
def auth_review(
    ref: Annotated[str, typer.Argument(help="Authorisation reference.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Reviewing officer.")],
    at: WhenOpt = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Review notes.")] = None,
) -> None:
    """Record a review of a live authorisation."""
    ws = workspace()
    a = personas.review_authorisation(ws, ref, reviewer, casework.parse_moment(ws, at), notes)
    console.print(f"Reviewed {a.ref}; next review due {a.next_review_due:%Y-%m-%d}.")


@auth_app.command("renew")
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
    jc = casework.parse_moment(ws, judicial_approved_at) if judicial_approved_at else None
    a = personas.renew_authorisation(
        ws,
        ref,
        officer,
        rank,
        casework.parse_moment(ws, at),
        judicial_approved_at=jc,
        judicial_commissioner=commissioner,
    )
    console.print(f"Renewed {a.ref} until {a.expires_at:%Y-%m-%d %H:%M} UTC.")


@auth_app.command("cancel")
def auth_cancel(
    ref: Annotated[str, typer.Argument(help="Authorisation reference.")],
    by: Annotated[str, typer.Option("--by", help="Cancelling officer.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled.")],
    at: WhenOpt = None,
) -> None:
    """Cancel an authorisation (kept on record)."""
    ws = workspace()
    a = personas.cancel_authorisation(ws, ref, by, casework.parse_moment(ws, at), reason)
    console.print(f"Cancelled {a.ref} at {a.cancelled_at:%Y-%m-%d %H:%M} UTC.")


@auth_app.command("list")
def auth_list(
    persona: Annotated[str | None, typer.Option("--persona", help="Only this persona.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List authorisations with their status now."""
    found = personas.list_authorisations(workspace(), persona)
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


@auth_app.command("warnings")
def auth_warnings(
    within: Annotated[
        int | None,
        typer.Option("--within", help="Days ahead to warn (default from the rules file)."),
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Reviews overdue or due soon, and expiries due soon, for live authorisations."""
    found = personas.authorisation_warnings(workspace(), within)
    if as_json_:
        print_json(as_json(found))
        return
    if not found:
        console.print("No reviews or expiries due.")
    for w in found:
        console.print(w.message)


@auth_app.command("check")
def auth_check(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    persona: Annotated[str, typer.Option("--persona", help="Persona reference.")],
    at: Annotated[str, typer.Option("--at", help="Capture time, ISO 8601.")],
) -> None:
    """Check that a persona's capture in a case at a time is covered by a live authorisation."""
    ws = workspace()
    with ws.sessions() as session:
        ref = casework.live_authorisation(session, case, persona, casework.parse_moment(ws, at))
    console.print(f"Covered by {ref}.")
