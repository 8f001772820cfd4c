"""`vigil ingest --persona` stores a chat dated before the persona's authorisation and
`vigil authorisation gaps` lists the messages outside cover; the case page shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.seed import csrf_of, make_user, sign_in
from vigil.cli.main import app
from vigil.config import load_settings
from vigil.services.workspace import open_workspace
from vigil.web.app import create_app


def test_gaps_from_the_command_line_and_on_the_case_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("VIGIL_USER", "cli.officer")
    monkeypatch.setenv("COLUMNS", "220")
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    runner = CliRunner()

    def vigil(*args: str) -> str:
        r = runner.invoke(app, list(args))
        assert r.exit_code == 0, (args, r.output, r.exception)
        return r.output

    vigil("admin", "init")
    vigil("case", "create", "OP-CLI", "--title", "CLI case", "--tz", "UTC")
    vigil("unit", "add", "R1", "--name", "Region 1", "--kind", "region")
    vigil("persona", "add", "P-1", "--name-used", "Kalo", "--claimed-age", "13", "--unit", "R1")
    vigil("authorisation", "grant", "A-1", "--persona", "P-1", "--kind", "directed_surveillance",
          "--officer", "Supt X", "--rank", "superintendent", "--granted", "2025-01-10T09:00")  # fmt: skip
    assert "No evidence in OP-CLI" in vigil("authorisation", "gaps", "--case", "OP-CLI")
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "[03/05/2023, 10:00:00] Kai: hello there\n[03/05/2023, 10:01:00] Sam: hi\n"
        "[15/01/2025, 10:00:00] Kai: how was your day\n",
        encoding="utf-8",
    )
    out = vigil("ingest", str(chat), "--case", "OP-CLI", "--persona", "P-1")
    flat = " ".join(out.split())  # the console may wrap lines anywhere
    assert "2 of 3 message(s)" in flat and "vigil authorisation gaps" in flat
    assert "No evidence" not in vigil("authorisation", "gaps", "--case", "OP-CLI")  # a table
    (gap,) = json.loads(vigil("authorisation", "gaps", "--case", "OP-CLI", "--json"))
    assert gap["messages"] == 2 and gap["persona_ref"] == "P-1"
    assert (gap["first_seq"], gap["last_seq"]) == (1, 2)
    assert "A-1 was granted at 2025-01-10 09:00 UTC" in gap["reason"]

    ws = open_workspace(load_settings())
    password, secret = make_user(ws, "sup", "supervisor", ["OP-CLI"])
    client = sign_in(TestClient(create_app(workspace=ws)), "sup", password, secret)
    page = client.get("/cases/OP-CLI").text
    assert "Evidence outside authorisation cover" in page and 'id="cover-gaps"' in page
    assert "messages 1–2" in page
    r = client.post("/cases/OP-CLI/purpose", data={"purpose": "supervisor review of cover",
                                                   "csrf_token": csrf_of(page)})  # fmt: skip
    assert r.status_code in (200, 303)
    conv = client.get("/cases/OP-CLI/conversations/1").text
    assert 'id="outside-cover"' in conv and "2 message(s) of this conversation" in conv
