"""``vigil child``, ``vigil offence`` and ``vigil outcome``: victims, offences, court outcomes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cases.taxonomy import taxonomy
from vigil.cli.common import console, print_json, workspace
from vigil.cli.records import as_json, show_fields
from vigil.services import casework
from vigil.services import casework_children as children
from vigil.services import casework_outcomes as outcomes

child_app = typer.Typer(
    help="Children (pseudonymous references) and safeguarding actions.", no_args_is_help=True
)
offence_app = typer.Typer(
    help="Offences from the taxonomy, with the platforms used.", no_args_is_help=True
)
outcome_app = typer.Typer(
    help="Outcomes: arrest, charge, conviction, sentence, NFA.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
DateOpt = Annotated[str | None, typer.Option("--on", help="Date, YYYY-MM-DD (default today).")]


@child_app.command("add")
def child_add(
    ref: Annotated[str, typer.Argument(help="Pseudonymous reference (never a name).")],
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    age: Annotated[int | None, typer.Option("--age", help="Age at the time.")] = None,
    suspect: Annotated[
        str | None, typer.Option("--suspect", help="Linked suspect reference.")
    ] = None,
) -> None:
    """Add a child to a case."""
    c = children.create_child(workspace(), case, ref, age, suspect)
    console.print(f"Added child {c.ref} to {c.case_ref}.")


@child_app.command("safeguard")
def child_safeguard(
    ref: Annotated[str, typer.Argument(help="Child reference.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="social_care_referral, strategy_meeting, ceop_referral or other."
        ),
    ],
    by: Annotated[str, typer.Option("--by", help="Recording officer.")],
    on: DateOpt = None,
    detail: Annotated[str | None, typer.Option("--detail", help="Details.")] = None,
) -> None:
    """Record a dated safeguarding action for a child."""
    ws = workspace()
    c = children.add_safeguarding(
        ws, ref, kind, casework.parse_day(on, ws.now().date()), by, detail
    )
    console.print(f"{c.ref}: {len(c.actions)} safeguarding actions, first on {c.safeguarded_on}.")


@child_app.command("list")
def child_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List children with the date each was first safeguarded."""
    found = children.list_children(workspace(), case)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("child", "case", "age", "suspect", "actions", "safeguarded")
    for c in found:
        table.add_row(
            c.ref,
            c.case_ref,
            str(c.age_at_time or ""),
            c.suspect or "",
            str(len(c.actions)),
            str(c.safeguarded_on or ""),
        )
    console.print(table)


@child_app.command("show")
def child_show(
    ref: Annotated[str, typer.Argument(help="Child reference.")], as_json_: JsonOpt = False
) -> None:
    """Show a child and their safeguarding actions."""
    c = children.show_child(workspace(), ref)
    if as_json_:
        print_json(as_json(c))
    else:
        show_fields(c)


@offence_app.command("add")
def offence_add(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    offence_type: Annotated[
        str, typer.Option("--type", help="Offence type; see `vigil offence types`.")
    ],
    legal_form: Annotated[
        str, typer.Option("--form", help="Legal form; see `vigil offence types`.")
    ],
    suspect: Annotated[str | None, typer.Option("--suspect", help="Suspect reference.")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Image category A, B or C (image offences).")
    ] = None,
    platform: Annotated[
        list[str] | None, typer.Option("--platform", help="Platform used (repeatable).")
    ] = None,
    principal: Annotated[
        bool, typer.Option("--principal", help="The suspect's principal offence.")
    ] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Committed from, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Committed to, YYYY-MM-DD.")] = None,
    child: Annotated[str | None, typer.Option("--child", help="Child reference.")] = None,
) -> None:
    """Record an offence."""
    o = outcomes.add_offence(
        workspace(), case, offence_type, legal_form, suspect_ref=suspect, image_category=category,
        platforms=platform or [], principal=principal,
        committed_from=casework.parse_day(from_) if from_ else None,
        committed_to=casework.parse_day(to) if to else None, child_ref=child,
    )  # fmt: skip
    console.print(
        f"Recorded offence {o.id}: {o.offence_type} / {o.legal_form} on {', '.join(o.platforms) or 'no platform'}."
    )


@offence_app.command("list")
def offence_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List offences."""
    found = outcomes.list_offences(workspace(), case)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("id", "case", "suspect", "type", "legal form", "cat.", "platforms")
    for o in found:
        table.add_row(
            str(o.id),
            o.case_ref,
            o.suspect or "",
            o.offence_type,
            o.legal_form,
            o.image_category or "",
            ", ".join(o.platforms),
        )
    console.print(table)


@offence_app.command("types")
def offence_types() -> None:
    """Print the offence taxonomy: types, their legal forms (statutes) and platforms known."""
    tax = taxonomy()
    for t in tax.offence_types.values():
        console.print(f"[bold]{t.id}[/bold]: {t.label}")
        for f in t.legal_forms:
            lf = tax.legal_forms[f]
            console.print(
                f"  {f}: {lf.label} ({lf.statute}){' [image offence: A/B/C]' if lf.image_offence else ''}"
            )
    console.print("Platforms: " + ", ".join(tax.platforms))


@outcome_app.command("add")
def outcome_add(
    suspect: Annotated[str, typer.Argument(help="Suspect reference.")],
    kind: Annotated[
        str, typer.Option("--kind", help="arrest, charge, conviction, sentence or nfa.")
    ],
    on: DateOpt = None,
    detail: Annotated[str | None, typer.Option("--detail", help="Charges, court, notes.")] = None,
    custodial_months: Annotated[
        int | None, typer.Option("--custodial-months", help="Sentence: custodial term in months.")
    ] = None,
    suspended: Annotated[
        bool, typer.Option("--suspended", help="Sentence: the custodial term is suspended.")
    ] = False,
    extended_licence_months: Annotated[
        int | None, typer.Option("--extended-licence-months", help="Sentence: extended licence.")
    ] = None,
    notification_months: Annotated[
        int | None, typer.Option("--notification-months", help="Sentence: notification period.")
    ] = None,
    notification_indefinite: Annotated[
        bool, typer.Option("--notification-indefinite", help="Sentence: notification indefinitely.")
    ] = False,
    order: Annotated[
        list[str] | None,
        typer.Option("--order", help="Sentence: prevention order SHPO or SRO (repeatable)."),
    ] = None,
) -> None:
    """Record an outcome for a suspect."""
    ws = workspace()
    sentence = None
    if kind == "sentence" or any(
        [
            custodial_months,
            suspended,
            extended_licence_months,
            notification_months,
            notification_indefinite,
            order,
        ]
    ):
        sentence = outcomes.Sentence(
            custodial_months,
            suspended,
            extended_licence_months,
            notification_months,
            notification_indefinite,
            order or [],
        )
    o = outcomes.record_outcome(
        ws, suspect, kind, casework.parse_day(on, ws.now().date()), detail=detail, sentence=sentence
    )
    console.print(f"Recorded {o.kind} for {o.suspect} on {o.occurred_on}.")


@outcome_app.command("list")
def outcome_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    suspect: Annotated[str | None, typer.Option("--suspect", help="Only this suspect.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List outcomes."""
    found = outcomes.list_outcomes(workspace(), case, suspect)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("date", "case", "suspect", "outcome", "custodial months", "suspended")
    for o in found:
        s = o.sentence
        table.add_row(
            str(o.occurred_on),
            o.case_ref,
            o.suspect,
            o.kind,
            str(s.custodial_months or "") if s else "",
            ("yes" if s.suspended else "no") if s else "",
        )
    console.print(table)
