"""``vigil outcome``: outcomes, from arrest to sentence."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import DateOpt, JsonOpt, as_json, console, print_json, workspace
from vigil.services.casework.outcomes import Sentence, list_outcomes, record_outcome
from vigil.services.times import parse_day

app = typer.Typer(help="Outcomes: arrest, charge, conviction, sentence, NFA.", no_args_is_help=True)


@app.command("add")
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
        sentence = Sentence(
            custodial_months,
            suspended,
            extended_licence_months,
            notification_months,
            notification_indefinite,
            order or [],
        )
    o = record_outcome(
        ws, suspect, kind, parse_day(on, ws.now().date()), detail=detail, sentence=sentence
    )
    console.print(f"Recorded {o.kind} for {o.suspect} on {o.occurred_on}.")


@app.command("list")
def outcome_list(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    suspect: Annotated[str | None, typer.Option("--suspect", help="Only this suspect.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List outcomes."""
    found = list_outcomes(workspace(), case, suspect)
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
