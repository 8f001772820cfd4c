"""``vigil media``: scan media on a case, hash sets, matches, review, grading and a supervisor's
resolution of disagreements, thumbnails, and the signal types (hash algorithms) with which any file can be hashed and compared.

Nothing here prints image content. The services (and Pillow, pdqhash, faiss, vpdq behind them)
are imported inside each command so that other ``vigil`` commands do not pay for loading them.
Signal types and hash-list formats are those registered through the ``vigil_signal_types`` and
``vigil_hashlist_formats`` hooks (built-ins and plugins).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.choices import listing
from vigil.cli.common import LEAD_NOT_VERDICT, console, err, print_json, workspace
from vigil.media.hashsets import IMPORTERS
from vigil.plugins import HASHLIST_FORMATS, SIGNAL_TYPES

app = typer.Typer(
    help="Media triage without exposure: hashing, hash-set matching, two-person grading, "
    "blurred thumbnails.",
    no_args_is_help=True,
)
hashset_app = typer.Typer(help="Import, list and export hash sets.", no_args_is_help=True)
app.add_typer(hashset_app, name="hashset")

CaseOpt = Annotated[str, typer.Option("--case", help="Case reference.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ItemArg = Annotated[int, typer.Argument(help="Media item id (from `vigil media review`).")]


def _summary(rep: object) -> None:
    from vigil.services.media.scan import ScanReport

    assert isinstance(rep, ScanReport)
    console.print(
        f"Case {rep.case_ref}: {rep.items} media item(s) ({rep.images} image(s), "
        f"{rep.videos} video(s); {rep.new_items} new, {rep.undecodable} undecodable)."
    )
    table = Table("result", "items")
    table.add_row("matched by exact hash", str(rep.exact))
    table.add_row("matched by PDQ", str(rep.pdq))
    table.add_row("matched by vPDQ", str(rep.vpdq))
    table.add_row("cannot be scored (quality < 50)", str(rep.cannot_be_scored))
    table.add_row("new items for review", str(rep.for_review))
    table.add_row("possible AI-generation marker", str(rep.with_markers))
    console.print(table)
    for s in rep.skipped:
        err.print(f"skipped: {s}")


@app.command("scan")
def scan(
    case: CaseOpt,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (walked) of media to register.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the files came from (recorded).")
    ] = None,
    acquired_by: Annotated[
        str | None, typer.Option("--acquired-by", help="Who acquired them (default: you).")
    ] = None,
    from_attachments: Annotated[
        bool,
        typer.Option("--from-attachments", help="Also scan the case's image/video exhibits."),
    ] = False,
    dihedral: Annotated[
        bool, typer.Option("--dihedral", help="Also hash the 8 rotations/flips of each image.")
    ] = False,
    seconds_per_hash: Annotated[
        float, typer.Option("--seconds-per-hash", help="vPDQ sampling interval (0 = every frame).")
    ] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Register media as exhibits, hash them (MD5/SHA-1/SHA-256, PDQ, vPDQ), find markers, match."""

    from vigil.services.media import scan as media_scan

    rep = media_scan.scan(
        workspace(),
        case,
        paths or [],
        from_attachments=from_attachments,
        source=source,
        acquired_by=acquired_by,
        dihedral=dihedral,
        seconds_per_hash=seconds_per_hash,
    )
    if as_json:
        print_json(asdict(rep))
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    _summary(rep)


@app.command("match")
def match(case: CaseOpt, as_json: JsonOpt = False) -> None:
    """Match every media item of a case again against all imported hash sets."""

    from vigil.services.media import scan as media_scan

    rep = media_scan.rematch(workspace(), case)
    if as_json:
        print_json(asdict(rep))
        return
    _summary(rep)


@app.command("matches")
def matches(case: CaseOpt, as_json: JsonOpt = False) -> None:
    """List matches (distance, quality, list, category) and hashes that cannot be scored."""

    from vigil.services.media import scan as media_scan

    rows = media_scan.matches(workspace(), case)
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, "matches": [asdict(r) for r in rows]})
        return
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    table = Table(
        "item", "exhibit", "result", "method", "list", "entry", "distance", "quality", "category"
    )
    for r in rows:
        table.add_row(
            str(r.item_id),
            r.exhibit_ref,
            r.status,
            f"{r.method}/{r.algorithm}",
            r.list_name or "",
            r.listed_media_id or "",
            "" if r.distance is None else str(r.distance),
            "" if r.quality is None else str(r.quality),
            r.category or "",
        )
    console.print(table)


@app.command("review")
def review(
    case: CaseOpt,
    include_agreed: Annotated[
        bool, typer.Option("--all", help="Also show items already graded alike by two people.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List unmatched media awaiting grading (ids, hashes, markers, grades; never images)."""

    from vigil.services.media import review as media_review

    rows = media_review.review(workspace(), case, include_agreed=include_agreed)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(
        "item", "exhibit", "kind", "look-up", "sha256", "PDQ quality", "markers", "grades", "state"
    )
    for r in rows:
        grades = ", ".join(f"{u}: {g}" for u, g in r.grades.items())
        state = f"[bold red]{r.state}[/bold red]" if r.disagreement else r.state
        table.add_row(
            str(r.item_id),
            r.exhibit_ref,
            r.kind,
            r.status,
            r.sha256[:16] + "…",
            "" if r.pdq_quality is None else str(r.pdq_quality),
            "; ".join(r.markers),
            grades,
            state,
        )
    console.print(table)


@app.command("grade")
def grade(
    item: ItemArg,
    value: Annotated[str, typer.Option("--grade", help="A, B, C or not_indecent.")],
) -> None:
    """Record your grade of an item; a second, different person must also grade it."""

    from vigil.services.media import review as media_review

    r = media_review.grade(workspace(), item, value)
    if r is None:
        console.print(f"Grade recorded for media item {item}.")
        return
    console.print(f"Grade recorded for media item {item} ({r.exhibit_ref}): {r.state}.")
    if r.disagreement:
        err.print("The graders disagree: refer the item to a supervisor.")


@app.command("resolve")
def resolve(
    item: ItemArg,
    value: Annotated[
        str, typer.Option("--grade", help="The grade that stands: A, B, C or not_indecent.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why you decided so (kept with the resolution).")
    ],
) -> None:
    """As a supervisor who did not grade it, resolve the graders' disagreement on an item."""

    from vigil.services.media import resolution

    r = resolution.resolve(workspace(), item, value, reason)
    console.print(
        f"Media item {item} ({r.exhibit_ref}) resolved: grade {r.resolved_grade} stands; "
        "it can now be exported."
    )


@app.command("thumbnail")
def thumbnail(
    item: ItemArg,
    out: Annotated[Path, typer.Option("--out", help="Where to write the JPEG thumbnail.")],
    unblur: Annotated[
        bool, typer.Option("--unblur", help="Unblurred (needs --reason; logged as exposure).")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why you need to see it unblurred.")
    ] = None,
) -> None:
    """Write a blurred thumbnail; unblurred only with --unblur and a reason (logged as exposure)."""
    from vigil.errors import UserError

    if unblur and not (reason and reason.strip()):
        raise UserError("--unblur needs --reason", hint="the view is logged as exposure")
    if reason and not unblur:
        raise UserError("--reason is only for --unblur")
    from vigil.services.media import review as media_review

    th = media_review.thumbnail(workspace(), item, unblur_reason=reason if unblur else None)
    out.write_bytes(th.data)
    kind = "blurred" if th.blurred else "UNBLURRED (logged as exposure)"
    console.print(f"Wrote {kind} thumbnail {th.width}x{th.height} to {out}.")


@hashset_app.command("import")
def hashset_import(
    file: Annotated[Path, typer.Argument(help="The hash-list file.")],
    name: Annotated[str, typer.Option("--name", help="Name of the list (reuse it for updates).")],
    fmt: Annotated[str, typer.Option("--format", help=listing(IMPORTERS.keys) + ".")],
    source: Annotated[
        str | None, typer.Option("--source", help="Who supplied it (default: file name).")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="List version (default: from the file).")
    ] = None,
    pdq_threshold: Annotated[
        int, typer.Option("--pdq-threshold", help="PDQ distance at or below which it matches.")
    ] = 31,
    scheme: Annotated[
        str, typer.Option("--scheme", help="Category scheme of bare category codes.")
    ] = "projectvic-us",
) -> None:
    """Import a hash set (VICS 1.3/2.0 JSON, NCMEC-style, CSV or plain MD5/SHA-1 list)."""

    HASHLIST_FORMATS.require(fmt)

    from vigil.services.media import lists as media_lists

    info, issues = media_lists.import_list(
        workspace(),
        file,
        name=name,
        fmt=fmt,
        source=source,
        version=version,
        pdq_threshold=pdq_threshold,
        scheme=scheme,
    )
    console.print(
        f"Imported list {info.id} {info.name!r} ({info.format}, version {info.version or '-'}): "
        f"{info.entries} entries, {info.deleted} deletion(s), {info.issues} issue(s)."
    )
    for i in issues:
        err.print(f"issue: {i}")


@hashset_app.command("list")
def hashset_list(as_json: JsonOpt = False) -> None:
    """List imported hash sets with source, version, import date and deletions."""

    from vigil.services.media import lists as media_lists

    rows = media_lists.list_lists(workspace())
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(
        "id",
        "name",
        "source",
        "version",
        "format",
        "imported",
        "by",
        "entries",
        "deleted",
        "PDQ threshold",
    )
    for r in rows:
        table.add_row(
            str(r.id),
            r.name,
            r.source,
            r.version or "",
            r.format,
            r.imported_at.strftime("%Y-%m-%d %H:%M"),
            r.imported_by,
            str(r.entries),
            str(r.deleted),
            str(r.pdq_threshold),
        )
    console.print(table)


@hashset_app.command("export")
def hashset_export(
    case: CaseOpt,
    out: Annotated[Path, typer.Option("--out", help="Where to write the VICS JSON.")],
    version: Annotated[
        str, typer.Option("--vics-version", help="VICS version: 2.0 or 1.3.")
    ] = "2.0",
    scheme: Annotated[
        str, typer.Option("--scheme", help="Category scheme written (numeric).")
    ] = "projectvic-us",
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Who it is for (recorded).")
    ] = None,
) -> None:
    """Export the case's hashes graded alike by two people as VICS JSON (logged as a disclosure)."""

    from vigil.services.media import review as media_review

    doc, n, left_out = media_review.export_graded(
        workspace(), case, version=version, scheme=scheme, recipient=recipient
    )
    out.write_bytes(doc)
    console.print(f"Wrote {n} graded item(s) to {out} (VICS {version}).")
    if left_out:
        err.print(f"{left_out} item(s) left out: grading incomplete or disputed.")


SignalOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--signal",
        help="Signal type (repeatable; default: every type for the kind of file): "
        + listing(SIGNAL_TYPES.keys)
        + ".",
    ),
]


@app.command("signals")
def signals(as_json: JsonOpt = False) -> None:
    """List the signal types (hash algorithms): content, match threshold, plugin."""
    if as_json:
        print_json(
            [
                {
                    "name": name,
                    "description": kind.description,
                    "content": list(kind.content),
                    "threshold": kind.threshold,
                    "min_quality": kind.min_quality,
                    "plugin": SIGNAL_TYPES.provider(name),
                }
                for name, kind in SIGNAL_TYPES.items()
            ]
        )
        return
    table = Table("signal type", "content", "matches at distance", "min quality", "plugin", "about")
    for name, kind in SIGNAL_TYPES.items():
        table.add_row(
            name,
            ", ".join(kind.content),
            f"<= {kind.threshold}",
            "" if kind.min_quality is None else str(kind.min_quality),
            SIGNAL_TYPES.provider(name),
            kind.description,
        )
    console.print(table)


@app.command("hash")
def hash_files(
    files: Annotated[list[Path], typer.Argument(help="Files to hash (read, never stored).")],
    signal: SignalOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash files with registered signal types (nothing is registered, stored or logged)."""
    from vigil.media.hashers.registry import hash_files as run

    rows = run(files, signal or ())
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table("file", "signal type", "hash", "quality", "note")
    for r in rows:
        value = r.value if len(r.value) <= 80 else r.value[:77] + "…"
        quality = "" if r.quality is None else str(r.quality)
        table.add_row(r.file, r.signal_type, value, quality, r.note)
    console.print(table)


@app.command("compare")
def compare(
    first: Annotated[str, typer.Argument(help="A hash (or @FILE holding one, e.g. vPDQ text).")],
    second: Annotated[str, typer.Argument(help="The hash to compare it with (or @FILE).")],
    signal: Annotated[str, typer.Option("--signal", help="Signal type of both hashes.")],
    threshold: Annotated[
        int | None,
        typer.Option("--threshold", help="Largest distance that matches (default: the type's)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare two hashes of one signal type: distance, threshold and whether they match."""
    from vigil.media.hashers.registry import compare as run

    c = run(signal, first, second, threshold=threshold)
    if as_json:
        print_json({"note": LEAD_NOT_VERDICT, "signal_type": signal, **asdict(c)})
        return
    verdict = "match" if c.match else "no match"
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    console.print(f"{signal}: distance {c.distance}, threshold {c.threshold}: {verdict}.")
