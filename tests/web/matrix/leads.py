"""Access matrix: leads from platform-scale runs (issue 21 item 2). The page and its JSON twin
need read on a case one is on; importing a run (page form and API) needs membership and a
role that writes. Each import call gets a run of its own (a fresh run id: the same run is
imported once per case), written the way the Spark engine writes it by the helper of
tests/leads; a refused call must write nothing and is refused before the folder is read."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tests.leads.test_leads import result_rows, results_folder
from vigil.services.access import as_user
from vigil.services.leads.importing import import_results
from vigil.services.workspace import Workspace

C = "/cases/{case_ref}/leads"
A = "/api/v1" + C

ROUTES: dict[tuple[str, str], str] = {
    ("GET", C): "case:read",
    ("POST", C + "/imports"): "case:write",
    ("GET", A): "case:read",
    ("POST", A + "/imports"): "case:write",
}


def _run(n: int) -> str:
    """A fresh results folder (run id ``matrix-<n>``) of three rows."""
    folder = Path(tempfile.mkdtemp(prefix="vigil-leads-")) / "scores.parquet"
    return str(results_folder(folder, result_rows(3), run_id=f"matrix-{n}"))


FORMS: dict[str, Any] = {C + "/imports": lambda world, n: {"path": _run(n)}}
BODIES: dict[str, Any] = {A + "/imports": lambda world, n: {"path": _run(n)}}


def seed_leads(ws: Workspace, case_ref: str) -> None:
    """A run of twelve rows imported into ``case_ref`` by the investigator on it (for pages
    that must show leads, e.g. the accessibility check)."""
    folder = Path(tempfile.mkdtemp(prefix="vigil-leads-")) / "scores.parquet"
    results_folder(folder, result_rows(12), run_id="seeded")
    import_results(as_user(ws, "investigator-in"), case_ref, folder)
