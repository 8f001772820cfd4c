"""Capture-session fixtures: a persona with an authorisation live now, and the synthetic chat
site (tests/capture/site/) served on 127.0.0.1 by http.server in a thread."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from vigil.services.casework.authorisations import grant_authorisation
from vigil.services.casework.personas import create_persona
from vigil.services.casework.units import create_unit
from vigil.services.workspace import Workspace

SITE = Path(__file__).resolve().parent / "site"
CASE = "OP-TEST"


@pytest.fixture()
def persona(ws: Workspace) -> str:
    """Persona P-1 with authorisation A-1 granted a day ago (live now), and P-2 with none."""
    create_unit(ws, "R01", "Region one", "region")
    create_persona(ws, "P-1", "Kalomi", 13, "R01", handles=[("chatsite", "kalomi_13")])
    create_persona(ws, "P-2", "Remi", 12, "R01")
    grant_authorisation(
        ws, "A-1", "P-1", "relevant_source", "Supt X", "superintendent",
        ws.now() - timedelta(days=1),
    )  # fmt: skip
    return "P-1"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test output stays clean
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The synthetic chat site's base URL, served on loopback for the module's tests."""
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
