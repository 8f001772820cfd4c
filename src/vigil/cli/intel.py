"""``vigil intel``: identifiers, cross-case hits, the link graph and graph exports.

The services (and followthemoney, networkx, phonenumbers behind them) are imported inside
each command so that other ``vigil`` commands do not pay for loading them. Export formats are
those registered through the ``vigil_intel_exporters`` hook (built-ins and plugins).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.choices import listing
from vigil.cli.common import LEAD_NOT_VERDICT, console, print_json, workspace
from vigil.intel.exports import FORMATS

app = typer.Typer(
    help="Intelligence: identifiers found in a case, cross-case hits, link graph and exports "
    "for i2, Maltego and followthemoney.",
    no_args_is_help=True,
)

CaseOpt = Annotated[str, typer.Option("--case", help="Case reference.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("extract")
def extract(
    case: CaseOpt,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="Country (ISO 3166, e.g. GB) for phone numbers written without a country "
            "code; default: as last time, else the country of the case's time zone, else GB.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find phones, e-mails, handles, wallets, ... in a case's messages, participants and file names."""
    from vigil.services.intel.identifiers import extract_case

    st = extract_case(workspace(), case, region=region)
    if as_json:
        print_json(asdict(st))
        return
    console.print(
        f"Case {st.case_ref}: {st.identifiers} identifiers in {st.messages} messages, "
        f"{st.participants} participants and {st.attachments} attachments "
        f"(region {st.region}; {st.replaced} earlier rows replaced)."
    )
    table = Table("kind", "found")
    for kind, n in st.by_kind.items():
        table.add_row(kind, str(n))
    console.print(table)


@app.command("hits")
def hits(
    case: CaseOpt,
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose", help="Why you are checking other cases (recorded in the custody log)."
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """List identifiers also seen in other cases, naming only the unit and officer to contact."""
    from vigil.services.intel import hits as intel_hits

    rep = intel_hits.hits(workspace(), case, purpose=purpose)
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, **asdict(rep)})
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    if not rep.hits:
        console.print(
            f"No identifier of case {rep.case_ref} ({rep.checked} checked) appears in another case."
        )
        return
    for h in rep.hits:
        console.print(f"• {h.notice}", soft_wrap=True)
        console.print(f"    seen {h.seen_here} time(s) in this case: {', '.join(h.where)}")


@app.command("graph")
def graph(
    case: CaseOpt,
    top: Annotated[
        int, typer.Option("--top", help="How many components and accounts to show.", min=1)
    ] = 10,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Why you are looking (recorded in the custody log)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Summarise the case's link graph: connected components and the most connected accounts."""
    from vigil.services.intel import graph as intel_graph

    s = intel_graph.graph_summary(workspace(), case, top=top, purpose=purpose)
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, **asdict(s)})
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    types = ", ".join(f"{n} {t}" for t, n in sorted(s.types.items()))
    console.print(
        f"{s.nodes} nodes ({types}), {s.edges} links, {s.component_count} connected component(s)."
    )
    comps = Table("component", "size", "types", "most connected accounts")
    for i, c in enumerate(s.components, 1):
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(c.types.items()))
        comps.add_row(str(i), str(c.size), kinds, "; ".join(c.accounts))
    console.print(comps)
    accounts = Table("account", "links", "identifiers", "conversations", "other accounts")
    for r in s.top_accounts:
        accounts.add_row(
            r.label, str(r.degree), str(r.identifiers), str(r.conversations), str(r.accounts)
        )
    console.print(accounts)


@app.command("export")
def export(
    case: CaseOpt,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="One of: "
            + listing(FORMATS.values, lambda f: f"{f.name} ({f.description})", "; ")
            + ".",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="File to write (replaced atomically).")],
    purpose: Annotated[
        str,
        typer.Option("--purpose", help="Why the export is made (recorded in the custody log)."),
    ] = "intelligence export for charting",
    with_messages: Annotated[
        bool,
        typer.Option(
            "--with-messages",
            help="followthemoney only: also export the text of each message that carries an "
            "identifier.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Export the case's link graph for i2 Analyst's Notebook, Maltego, OpenAleph or graph tools."""
    from vigil.services.intel import graph as intel_graph

    r = intel_graph.export_case(
        workspace(), case, fmt, out, purpose=purpose, with_messages=with_messages
    )
    if as_json:
        print_json(asdict(r))
        return
    console.print(
        f"Wrote {r.path} ({FORMATS[r.format].description}): {r.entities} entities, "
        f"{r.links} links, sha256 {r.sha256}."
    )
