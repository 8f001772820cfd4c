"""``vigil admin``: workspace set-up, identity, backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vigil import tool_version
from vigil.cli.common import JsonOpt, advance, as_json, byte_progress, console, err, print_json
from vigil.cli.common import workspace as open_ws
from vigil.config import load_settings
from vigil.services.workspace import init_workspace

_KIND = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
app = typer.Typer(
    help="Workspace administration: create or upgrade a workspace, identity, backup and restore.",
    no_args_is_help=True,
)


def _blobs(n: int, size: int) -> str:
    return f"{n} blob{'' if n == 1 else 's'} ({size:,} bytes)"


@app.command("init")
def init() -> None:
    """Create the workspace in VIGIL_HOME (or upgrade its schema) and register you as its administrator."""
    ws, before, after = init_workspace()
    where = (ws.settings.database_url and "the configured database") or str(
        ws.settings.resolved_home
    )
    if before == after:
        console.print(f"Workspace at {where} is up to date (schema {after}).")
    elif before is None:
        console.print(f"Created workspace at {where} (schema {after}).")
    else:
        console.print(f"Upgraded workspace at {where}: schema {before} → {after}.")
    console.print(f"Evidence store: {ws.store.root}")


@app.command("whoami")
def whoami() -> None:
    """Show the local identity every action is attributed to (set VIGIL_USER to change it)."""
    s = load_settings()
    console.print(f"{s.user}  ({tool_version()}, workspace {s.resolved_home})")


@app.command("backup")
def backup(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Archive to write, a new file: .tar, or .tar.gz / .tgz to compress it.",
        ),
    ],
    json_out: JsonOpt = False,
) -> None:
    """Write a consistent snapshot of the database, evidence store and signed checkpoints to one file, verified before it is kept (administrators; the private signing key is not included: back it up separately)."""
    from vigil.services.backup import backup as run

    ws = open_ws()
    with byte_progress("backing up", None) as bar:
        r = run(ws, out, progress=advance(bar))
    if json_out:
        print_json(as_json(r))
        return
    console.print(
        f"Wrote {r.path} ({r.size:,} bytes, sha256 {r.sha256}): the {_KIND[r.database]} "
        f"database at custody entry {r.head_seq} and {_blobs(r.blobs, r.blob_bytes)}, checked "
        "after writing."
    )
    console.print(
        "The checkpoint signing key is not in the backup: keep a copy of "
        f"{ws.settings.signing_key_path} apart from it (docs/backup.md)."
    )


@app.command("restore")
def restore(
    archive: Annotated[Path, typer.Argument(help="Backup archive made by `vigil admin backup`.")],
    json_out: JsonOpt = False,
) -> None:
    """Restore a backup into an empty workspace (VIGIL_HOME, and an empty VIGIL_DATABASE_URL for PostgreSQL), verified before it is accepted; a workspace in use is never written to."""
    from vigil.services.backup import restore as run

    with byte_progress("restoring", None) as bar:
        r = run(load_settings(), archive, progress=advance(bar))
    for w in r.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}")
    if json_out:
        print_json(as_json(r))
        return
    upgraded = f", schema upgraded from {r.upgraded_from}" if r.upgraded_from else ""
    console.print(
        f"Restored {r.archive} (made {r.backup_created_at}) into {r.target}: custody entries "
        f"to {r.head_seq}, {_blobs(r.blobs, r.blob_bytes)}{upgraded}. Verified: "
        f"{r.checkpoints} signed checkpoints held."
    )
