"""``vigil admin``: workspace set-up and identity."""

from __future__ import annotations

import typer

from vigil import tool_version
from vigil.cli.common import console
from vigil.config import load_settings
from vigil.services.workspace import init_workspace

app = typer.Typer(
    help="Workspace administration: create or upgrade a workspace, identity.", no_args_is_help=True
)


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
