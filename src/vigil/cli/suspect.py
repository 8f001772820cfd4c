"""``vigil suspect``: suspects, their platform identifiers and risk assessments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cases import risk
from vigil.cli.common import JsonOpt, as_json, console, print_json, show_fields, workspace
from vigil.errors import UserError
from vigil.services.casework import suspects
from vigil.services.times import parse_moment

app = typer.Typer(help="Suspects, platform identifiers and risk assessments.", no_args_is_help=True)

FormOpt = Annotated[
    Path | None, typer.Option("--form", help="A risk-form YAML to use instead of the packaged one.")
]


def _ids(values: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for v in values:
        parts = v.split(":", 2)
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise UserError(
                f"bad identifier {v!r}",
                hint="write PLATFORM:KIND:VALUE, e.g. snapchat:screen_name:abc",
            )
        out.append((parts[0].strip(), parts[1].strip(), parts[2].strip()))
    return out


@app.command("add")
def add(
    ref: Annotated[str, typer.Argument(help="Suspect reference.")],
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    label: Annotated[str, typer.Option("--label", help="Pseudonymous label used in reports.")],
    year_of_birth: Annotated[
        int | None, typer.Option("--year-of-birth", help="Year of birth.")
    ] = None,
    identifier: Annotated[
        list[str] | None,
        typer.Option(
            "--id", help="PLATFORM:KIND:VALUE; kind user_id|screen_name|email|phone|ip|device."
        ),
    ] = None,
    as_json_: JsonOpt = False,
) -> None:
    """Add a suspect to a case, with platform identifiers."""
    s = suspects.create_suspect(
        workspace(), case, ref, label, year_of_birth, _ids(identifier or [])
    )
    if as_json_:
        print_json(as_json(s))
    else:
        console.print(
            f"Added suspect {s.ref} to {s.case_ref} with {len(s.identifiers)} identifiers."
        )


@app.command("add-identifier")
def add_identifier(
    ref: Annotated[str, typer.Argument(help="Suspect reference.")],
    identifier: Annotated[str, typer.Argument(help="PLATFORM:KIND:VALUE.")],
    participant: Annotated[
        int | None,
        typer.Option("--participant", help="Id of the conversation participant it belongs to."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the link came from.")
    ] = None,
) -> None:
    """Link a platform identifier to a suspect."""
    [(platform, kind, value)] = _ids([identifier])
    suspects.add_identifier(
        workspace(), ref, platform, kind, value, participant_id=participant, source=source
    )
    console.print(f"Linked {platform}:{kind}:{value} to {ref}.")


@app.command("form")
def form(form_path: FormOpt = None) -> None:
    """Print the risk-assessment form: questions, answers allowed and weights, bands, rules."""
    f = risk.load_form(form_path)
    console.print(f"[bold]{f.title}[/bold] ({f.id} version {f.version})")
    for q in f.questions:
        answers = (
            "yes/no, weight " + str(q.weight)
            if q.type == "yes_no"
            else ", ".join(f"{k}={v}" for k, v in q.options.items())
        )
        console.print(f"  {q.id} [{q.section}]: {q.text} ({answers})")
    console.print("Bands: " + ", ".join(f"{b} from {s}" for b, s in f.bands))
    for r in f.rules:
        console.print(f"Rule {r.id}: at least {r.band_at_least} when {r.when_all}")


@app.command("assess")
def assess(
    ref: Annotated[str, typer.Argument(help="Suspect reference.")],
    answer: Annotated[
        list[str],
        typer.Option("--answer", help="QUESTION=ANSWER (repeatable); see `vigil suspect form`."),
    ],
    assessor: Annotated[str, typer.Option("--assessor", help="Who made the assessment.")],
    at: Annotated[str | None, typer.Option("--at", help="When, ISO 8601 (default now).")] = None,
    form_path: FormOpt = None,
    as_json_: JsonOpt = False,
) -> None:
    """Assess a suspect against the risk form; stores answers, score, band, reasons, assessor."""
    ws = workspace()
    f = risk.load_form(form_path)
    answers: dict[str, bool | str] = {}
    for a in answer:
        qid, sep, value = a.partition("=")
        if not sep:
            raise UserError(f"bad answer {a!r}", hint="write QUESTION=ANSWER")
        answers[qid.strip()] = risk.parse_answer(f.question(qid.strip()), value)
    result = suspects.assess_suspect(
        ws, ref, answers, assessor, parse_moment(ws, at) if at else None, form_path
    )
    if as_json_:
        print_json(as_json(result))
        return
    console.print(f"{ref}: band [bold]{result.band}[/bold] (score {result.score})")
    for reason in result.reasons:
        console.print(f"  {reason}")


@app.command("list")
def list_(
    case: Annotated[str | None, typer.Option("--case", help="Only this case.")] = None,
    as_json_: JsonOpt = False,
) -> None:
    """List suspects with their latest risk band."""
    found = suspects.list_suspects(workspace(), case)
    if as_json_:
        print_json(as_json(found))
        return
    table = Table("suspect", "case", "label", "identifiers", "band")
    for s in found:
        table.add_row(s.ref, s.case_ref, s.label, str(len(s.identifiers)), s.band or "")
    console.print(table)


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Suspect reference.")], as_json_: JsonOpt = False
) -> None:
    """Show a suspect with identifiers and assessments."""
    s = suspects.show_suspect(workspace(), ref)
    if as_json_:
        print_json(as_json(s))
    else:
        show_fields(s)


@app.command("find")
def find(
    value: Annotated[
        str, typer.Argument(help="Identifier value (screen name, email, phone, IP...).")
    ],
) -> None:
    """Find suspects holding an identifier."""
    for s in suspects.find_by_identifier(workspace(), value):
        console.print(f"{s.ref} ({s.case_ref}): {s.label}")
