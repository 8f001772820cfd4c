"""``vigil disclosure`` end to end: items listed, a status set by the disclosure officer and
refused to an investigator, a schedule written, served, and the revisions listed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.disclosure.conftest import CASE, OFFICER
from vigil.cli.main import app
from vigil.services.workspace import Workspace


def _run(ws: Workspace, user: str, *args: str) -> tuple[int, str]:
    env = {"VIGIL_HOME": str(ws.settings.home), "VIGIL_USER": user, "COLUMNS": "220",
           "VIGIL_DATABASE_URL": ""}  # fmt: skip
    r = CliRunner().invoke(app, list(args), env=env)
    out = r.output + (str(r.exception) if r.exception else "")
    return r.exit_code, " ".join(out.split())  # the console may wrap lines: words only


def test_the_disclosure_commands(case_ws: Workspace, tmp_path: Path) -> None:
    code, out = _run(case_ws, OFFICER, "disclosure", "items", "--case", CASE, "--json")
    assert code == 0, out
    keys = [i["key"] for i in json.loads(out)["items"]]
    ex = next(k for k in keys if k.startswith("exhibit:"))
    code, out = _run(case_ws, "invest.igator", "disclosure", "status", ex, "--case", CASE,
                     "--status", "unused", "--description", "A log")  # fmt: skip
    assert code != 0 and "may not disclose" in out
    code, out = _run(case_ws, OFFICER, "disclosure", "status", ex, "--case", CASE, "--status",
                     "unused", "--description", "Incident log from the force system",
                     "--undermines")  # fmt: skip
    assert code == 0 and "unused non-sensitive" in out and "custody log" in out, out
    code, out = _run(case_ws, OFFICER, "disclosure", "items", "--case", CASE, "--unscheduled")
    assert code == 0 and f"{len(keys) - 1} item(s)" in out
    dest = tmp_path / "mg6c.csv"
    code, out = _run(case_ws, OFFICER, "disclosure", "schedule", "--case", CASE, "--kind",
                     "mg6c", "--out", str(dest))  # fmt: skip
    assert code == 0 and "new revision 1" in out, out
    rows = list(csv.reader(dest.read_text("utf-8-sig").splitlines()))
    assert rows[6][:3] == ["1", ex, "Incident log from the force system"]
    code, out = _run(case_ws, OFFICER, "disclosure", "served", "--case", CASE, "--revision", "1",
                     "--to", "CPS Area North")  # fmt: skip
    assert code == 0 and "served on" in out, out
    code, out = _run(case_ws, OFFICER, "disclosure", "status", ex, "--case", CASE,
                     "--description", "Incident log, revised words")  # fmt: skip
    assert code == 0, out
    code, out = _run(case_ws, "invest.igator", "disclosure", "revisions", "--case", CASE)
    assert code == 0 and "revised schedule needed (1 changed)" in out, out
    code, out = _run(case_ws, OFFICER, "disclosure", "schedule", "--case", CASE, "--kind",
                     "mg6e", "--format", "pdf", "--out", str(tmp_path / "mg6e.pdf"))  # fmt: skip
    assert code == 0 and (tmp_path / "mg6e.pdf").read_bytes()[:5] == b"%PDF-"
    code, out = _run(case_ws, OFFICER, "disclosure", "status", "parcel:1", "--case", CASE,
                     "--status", "used", "--description", "x")  # fmt: skip
    assert code != 0 and "bad item reference" in out
