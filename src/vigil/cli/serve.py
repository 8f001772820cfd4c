"""``vigil serve``: the web workbench on this machine."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from vigil.cli.common import LEAD_NOT_VERDICT, console, err, workspace


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (loopback unless you mean otherwise)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web workbench (sign-in with password and TOTP; need-to-know by case)."""
    import uvicorn

    from vigil.web.app import create_app

    ws = workspace()
    if not _loopback(host):
        err.print(
            f"warning: listening on {host}, beyond this machine; put it behind TLS "
            "(cookies are marked Secure only under https)"
        )
    app = create_app(workspace=ws)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Vigil workbench on http://{shown}:{port}/  (Ctrl-C to stop)")
    console.print(f"[dim]{LEAD_NOT_VERDICT}[/dim]")
    uvicorn.run(
        app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False
    )
