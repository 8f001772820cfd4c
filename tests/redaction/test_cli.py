"""``vigil redaction`` and ``vigil report transcript --redacted`` end to end: the same service
calls, the same refusals."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.redaction.conftest import CASE, World
from vigil.cli.main import app
from vigil.errors import AccessDenied


def vigil(w: World, user: str, *args: str) -> Any:
    env = {"VIGIL_HOME": str(w.admin.settings.home), "VIGIL_USER": user, "COLUMNS": "200",
           "VIGIL_DATABASE_URL": ""}  # fmt: skip
    return CliRunner().invoke(app, list(args), env=env)


def test_cli_add_list_bundle_withdraw(world: World, tmp_path: Path) -> None:
    r = vigil(world, "inv.one", "redaction", "phrase", "Hollybrook", "--case", CASE,
              "--reason", "victim")  # fmt: skip
    assert isinstance(r.exception, AccessDenied)
    r = vigil(world, "do.officer", "redaction", "phrase", "Hollybrook", "--case", CASE,
              "--reason", "victim", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    rid = json.loads(r.output)["id"]
    r = vigil(world, "do.officer", "redaction", "box", world.photo_ref, "1", "2", "10", "10",
              "--case", CASE, "--reason", "other", "--note", "school badge")  # fmt: skip
    assert r.exit_code == 0 and "exhibit " + world.photo_ref in r.output, r.output
    r = vigil(world, "inv.one", "redaction", "list", "--case", CASE, "--json")
    listed = json.loads(r.output)
    assert [(x["reason_label"], x["note"], x["phrase"]) for x in listed] == [
        ("victim identity", None, None),  # readers do not see the phrase
        ("other", "school badge", None),
    ]
    out = tmp_path / "defence.zip"
    r = vigil(world, "do.officer", "redaction", "bundle", "--case", CASE, "--out", str(out),
              "--purpose", "disclosure to the defence")  # fmt: skip
    assert r.exit_code == 0 and "2 redaction(s)" in r.output, r.output
    with zipfile.ZipFile(out) as zf:
        assert len(json.loads(zf.read("manifest.json"))["redactions"]) == 2
    pdf = tmp_path / "t.html"
    r = vigil(world, "do.officer", "report", "transcript", str(world.conv), "--case", CASE,
              "--exhibit-ref", "DO/1", "--out", str(pdf), "--purpose", "defence copy",
              "--redacted")  # fmt: skip
    assert r.exit_code == 0 and "not an exhibit" in r.output, r.output
    html = pdf.read_text("utf-8")
    assert "Hollybrook" not in html and "[REDACTED: victim identity]" in html
    assert "jamie_k13" not in html  # persona identities: defence by default
    r = vigil(world, "do.officer", "redaction", "withdraw", str(rid), "--case", CASE,
              "--why", "agreed with the CPS")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = vigil(world, "do.officer", "redaction", "list", "--case", CASE, "--standing", "--json")
    assert [x["kind"] for x in json.loads(r.output)] == ["box"]
