"""``vigil evidence``: register, list, show, read, verify and export exhibits."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, advance, byte_progress, console, err, print_json, workspace
from vigil.services.evidence.bundles import check_bundle, export_case
from vigil.services.evidence.exhibits import (
    exhibit_json,
    list_exhibits,
    open_content,
    register_file,
    show_exhibit,
)
from vigil.services.evidence.verify import export_checkpoint, verify_workspace

app = typer.Typer(help="Evidence: exhibits, the custody log, bundles.", no_args_is_help=True)

CaseOpt = Annotated[str, typer.Option("--case", help="Case reference.")]


@app.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="Files to register.")],
    case: CaseOpt,
    source: Annotated[
        str,
        typer.Option(
            "--source", help="Where the files came from (device, person, platform return)."
        ),
    ],
    acquired_by: Annotated[
        str,
        typer.Option(
            "--acquired-by",
            help="Name of the acquiring officer (their initials start the exhibit reference).",
        ),
    ],
    acquired_at: Annotated[
        str | None,
        typer.Option(
            "--acquired-at",
            help="When acquired, ISO 8601; without an offset the case time zone is assumed. Default: now.",
        ),
    ] = None,
    persona: Annotated[
        str | None,
        typer.Option(
            "--persona",
            help="Undercover persona that captured the files: the acquisition time is checked against the persona's authorisations; a capture outside cover is stored and listed for the supervisor (vigil authorisation gaps).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register files as exhibits: hash (SHA-256, SHA-1, MD5), store read-only, log custody."""
    ws = workspace()
    out = []
    for f in files:
        size = f.stat().st_size if f.is_file() else 0
        with byte_progress(f"hashing {f.name}", size) as bar:
            r = register_file(
                ws,
                case,
                f,
                source=source,
                acquired_by=acquired_by,
                acquired_at=acquired_at,
                progress=advance(bar),
                persona=persona,
            )
        ex = r.exhibit
        cover = None if r.cover is None else {"checked": 1, "outside_cover": r.cover.uncovered}
        out.append(
            exhibit_json(ex)
            | {"new_exhibit": r.new_exhibit, "new_blob": r.new_blob, "cover": cover}
        )
        note = None if r.cover is None else r.cover.note(case)
        if note:
            err.print(f"[yellow]warning:[/yellow] {ex.ref}: {note}", soft_wrap=True)
        if not as_json:
            if r.new_exhibit:
                console.print(f"{ex.ref}  {f.name}  {ex.size} bytes  sha256 {ex.sha256}")
            else:
                console.print(
                    f"{ex.ref}  {f.name}: same bytes as exhibit {ex.ref}; "
                    f"acquisition {len(ex.acquisitions)} recorded, stored once"
                )
            a = ex.acquisitions[-1]
            if a.tz_assumed:
                console.print(f"  acquired-at {a.acquired_at_text!r} taken as {a.tz_assumed} time")
    if as_json:
        print_json(out)


@app.command("list")
def list_(case: CaseOpt, as_json: JsonOpt = False) -> None:
    """List a case's exhibits."""
    found = list_exhibits(workspace(), case)
    if as_json:
        print_json([exhibit_json(e) for e in found])
        return
    table = Table("ref", "name", "type", "bytes", "sha256", "acquisitions", "derived from")
    for e in found:
        table.add_row(
            e.ref,
            e.original_name,
            e.mime_type,
            str(e.size),
            e.sha256[:16] + "…",
            str(len(e.acquisitions)),
            e.parent_ref or "",
        )
    console.print(table)


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Exhibit reference, e.g. JS/1.")],
    case: CaseOpt,
    as_json: JsonOpt = False,
) -> None:
    """Show an exhibit's hashes, acquisitions and custody entries (no content is read)."""
    info, entries = show_exhibit(workspace(), case, ref)
    data = exhibit_json(info) | {"custody": entries}
    if as_json:
        print_json(data)
        return
    for k in (
        "case",
        "ref",
        "original_name",
        "mime_type",
        "size",
        "sha256",
        "sha1",
        "md5",
        "registered_at",
        "tool_version",
        "parent_ref",
        "derived_path",
    ):
        console.print(f"[bold]{k}[/bold]: {data[k]}")
    for a in data["acquisitions"]:
        console.print(
            f"acquired {a['acquired_at']} by {a['acquired_by']} from {a['source']!r} "
            f"({a['original_name']}), registered by {a['registered_by']}"
        )
    table = Table("seq", "when (UTC)", "who", "action", "purpose")
    for e in entries:
        table.add_row(str(e["seq"]), e["recorded_at"], e["actor"], e["action"], e["purpose"] or "")
    console.print(table)


@app.command("open")
def open_(
    ref: Annotated[str, typer.Argument(help="Exhibit reference.")],
    case: CaseOpt,
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose", help="Why you are reading the content (recorded in the custody log)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write a working copy here instead of standard output."),
    ] = None,
) -> None:
    """Read an exhibit's content (a working copy); the access is logged with its purpose."""
    ws = workspace()
    with open_content(ws, case, ref, purpose) as fh:
        if out is None:
            shutil.copyfileobj(fh, sys.stdout.buffer)
        else:
            with out.open("wb") as dst:
                shutil.copyfileobj(fh, dst)
            err.print(f"Wrote a working copy of {ref} to {out}; the original is unchanged.")


@app.command("log")
def log(case: CaseOpt, as_json: JsonOpt = False) -> None:
    """Show a case's custody and audit log."""
    from vigil.evidence import custody
    from vigil.services.cases import get_case

    ws = workspace()
    with ws.sessions() as s:
        get_case(s, case)
        entries = custody.all_entries(s, case)
    if as_json:
        print_json(entries)
        return
    table = Table("seq", "when (UTC)", "who", "action", "object", "purpose")
    for e in entries:
        table.add_row(
            str(e["seq"]),
            e["recorded_at"],
            e["actor"],
            e["action"],
            f"{e['object_type']} {e['object_id']}",
            e["purpose"] or "",
        )
    console.print(table)


@app.command("verify")
def verify_() -> None:
    """Re-hash every stored blob, walk the custody chain and check it against its signed checkpoints; exit 1 naming anything altered."""
    ws = workspace()
    with byte_progress("verifying", None) as bar:
        rep = verify_workspace(ws, progress=advance(bar))
    for w in rep.warnings + (rep.chain.warnings if rep.chain else []):
        err.print(f"[yellow]warning:[/yellow] {w}")
    for p in rep.problems:
        console.print(f"[red]ALTERED:[/red] {p}")
    if rep.chain:
        for cp in rep.chain.problems:
            console.print(f"[red]CUSTODY LOG {cp.kind.upper()}:[/red] {cp.message}")
    records = rep.records
    if records is not None:
        for d in records.discrepancies:
            console.print(f"[red]{d.kind}:[/red] {d.message}")
        for u in records.untied:
            err.print(f"[yellow]warning:[/yellow] {u}: their rows are not tied to the log")
    n_entries = rep.chain.entries if rep.chain else 0
    if rep.ok:
        tied = (
            f" {records.exhibits} exhibits, {records.acquisitions} acquisitions and "
            f"{records.conversations} conversations ({records.messages:,} messages) match "
            "the entries that recorded them."
            if records is not None
            else ""
        )
        console.print(
            f"OK: {rep.blobs_checked} blobs ({rep.bytes_checked} bytes) re-hashed, "
            f"{n_entries} custody entries chained, {rep.checkpoints} signed checkpoints held."
            + tied
        )
        return
    console.print("Verification FAILED: see the lines above.")
    raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint(
    out: Annotated[Path, typer.Option("--out", help="File to write (JSON).")],
    tsa_url: Annotated[
        str | None,
        typer.Option(
            "--tsa-url",
            help="Also have this RFC 3161 time-stamping authority stamp the checkpoint "
            "(the only network call Vigil makes).",
        ),
    ] = None,
) -> None:
    """Write the newest signed checkpoint of the custody log and its public key, to lodge outside the workspace."""
    r = export_checkpoint(workspace(), out, tsa_url=tsa_url)
    console.print(
        f"Wrote the signed checkpoint of custody entry {r.seq} ({r.entry_hash[:16]}…) to {r.path}. "
        "Keep it outside this workspace (e-mail it, or put it on the case file)."
    )
    if r.stamp is not None:
        console.print(
            f"Time-stamped by {tsa_url} at {r.stamp.gen_time.isoformat()} (serial "
            f"{r.stamp.serial_number}); check the token with `openssl ts -verify` "
            "(docs/evidence.md)."
        )


@app.command("export")
def export(
    case: CaseOpt,
    out: Annotated[Path, typer.Option("--out", help="Bundle file to write (zip).")],
    purpose: Annotated[
        str, typer.Option("--purpose", help="Why the bundle is made (recorded in the custody log).")
    ] = "evidence bundle export",
) -> None:
    """Write a case's exhibits, manifest and custody log as a bundle anyone can re-check."""
    r = export_case(workspace(), case, out, purpose)
    console.print(f"Wrote {r.path}: {r.exhibits} exhibits, {r.entries} custody entries.")
    console.print(f"Check it with `vigil evidence verify-bundle {r.path}` or by hand (README.txt).")


@app.command("verify-bundle")
def verify_bundle(bundle: Annotated[Path, typer.Argument(help="Bundle zip to check.")]) -> None:
    """Check a bundle without any database; exit 1 naming anything altered."""
    rep = check_bundle(bundle)
    for p in rep.problems:
        console.print(f"[red]ALTERED:[/red] {p}")
    if rep.ok:
        console.print(
            f"OK: {rep.exhibits} exhibits match the manifest; {rep.entries} custody "
            "entries match their hashes and the chain."
        )
        return
    console.print("Bundle verification FAILED: see the lines above.")
    raise typer.Exit(1)
