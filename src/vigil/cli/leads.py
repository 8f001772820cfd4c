"""``vigil leads``: a Spark run's results imported into a case as leads, and listed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vigil.cli.common import LEAD_NOT_VERDICT, JsonOpt, as_json, console, print_json, workspace

app = typer.Typer(
    help="Leads from platform-scale runs (vigil scan --engine spark) in a case.",
    no_args_is_help=True,
)


@app.command("import")
def leads_import(
    results: Annotated[
        Path, typer.Argument(help="The results folder a Spark run wrote (with _vigil_run.json).")
    ],
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    only_flagged: Annotated[
        bool, typer.Option("--only-flagged", help="Import the flagged rows only.")
    ] = False,
    as_json_: JsonOpt = False,
) -> None:
    """Register a run's results as an exhibit and import its rows as leads, with the run's provenance."""
    from vigil.services.leads.importing import import_results

    r = import_results(workspace(), case, results, only_flagged=only_flagged)
    if as_json_:
        print_json({"note": LEAD_NOT_VERDICT, **as_json(r)})
        return
    console.print(LEAD_NOT_VERDICT)
    span = f" ({r.first_lead} to {r.last_lead})" if r.leads else ""
    console.print(
        f"Imported run {r.run_id} into case {r.case_ref} as {r.ref}: exhibit {r.exhibit_ref} "
        f"(SHA-256 {r.results_sha256}), {r.leads} lead(s){span} of {r.rows_read} row(s)"
        + (", flagged rows only." if r.only_flagged else ".")
    )


@app.command("list")
def leads_list(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    flagged: Annotated[bool, typer.Option("--flagged", help="Flagged leads only.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many leads.")] = 50,
    as_json_: JsonOpt = False,
) -> None:
    """List a case's lead imports (with their runs' provenance) and its leads, most urgent first.

    Each lead says whether the run checked it: "not checked: language xx" means the language
    has no patterns, so its score says nothing (not the same as clean)."""
    from vigil.services.leads.read import list_leads

    found = list_leads(workspace(), case, flagged_only=flagged, limit=limit)
    if as_json_:
        print_json({"note": LEAD_NOT_VERDICT, **as_json(found)})
        return
    console.print(LEAD_NOT_VERDICT)
    runs = Table("import", "exhibit", "run", "input", "input SHA-256", "versions", "leads", "by")
    for i in found.imports:
        runs.add_row(
            i.ref, i.exhibit_ref, i.run_id, i.input_path, (i.input_sha256 or "not hashed")[:16],
            f"{i.run_vigil_version}, Spark {i.spark_version}, taxonomy {i.taxonomy_version}",
            f"{i.leads}/{i.rows_read}", f"{i.imported_by} {i.imported_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    console.print(runs)
    table = Table(
        "lead", "item", "score", "flagged", "urgency", "categories", "flags", "checked", "note",
        "import",
    )  # fmt: skip
    for x in found.leads:
        table.add_row(
            x.ref, escape(x.item_id), f"{x.score:.3f}", "yes" if x.flagged else "no",
            str(x.urgency if x.urgency is not None else ""), ", ".join(x.categories),
            ", ".join(x.flags),
            f"[bold]{escape(x.check)}[/bold]" if x.checked is False else escape(x.check),
            escape(x.remarks), x.import_ref,
        )  # fmt: skip
    console.print(table)
