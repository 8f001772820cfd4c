"""Every case-work command family works from the command line (in-process, one workspace)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.errors import VigilError

Run = Callable[..., str]
SAMPLE = Path(__file__).parent / "fixtures" / "cybertip_sample.json"


@pytest.fixture()
def vigil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("VIGIL_USER", "cli.officer")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> str:
        r = runner.invoke(app, list(args))
        if ok:
            assert r.exit_code == 0, (args, r.output, r.exception)
            return r.output
        assert isinstance(r.exception, VigilError), r.output  # main.run maps it to an exit code
        return r.exception.message

    run("admin", "init")
    run("case", "create", "OP-CLI", "--title", "CLI case")
    return run


def test_records_from_the_command_line(vigil: Run, tmp_path: Path) -> None:
    vigil("unit", "add", "NAT", "--name", "National", "--kind", "national")
    vigil("unit", "add", "R1", "--name", "Region 1", "--kind", "region", "--parent", "NAT")
    vigil("unit", "assign-case", "OP-CLI", "R1")
    assert "NAT > R1" in vigil("unit", "list")
    vigil(
        "operation",
        "add",
        "OP-A",
        "--name",
        "Operation A",
        "--unit",
        "R1",
        "--case",
        "OP-CLI",
        "--opened",
        "2023-01-01",
    )
    vigil("persona", "add", "P-1", "--name-used", "Kalo", "--claimed-age", "13", "--unit", "R1",
          "--handle", "snapchat:kalo_13", "--officer", "DS C-1:controller")  # fmt: skip
    vigil("persona", "add-handle", "P-1", "discord", "kalo#13")
    vigil("persona", "add-officer", "P-1", "DC O-2", "operator")
    vigil("authorisation", "grant", "A-1", "--persona", "P-1", "--kind", "directed_surveillance",
          "--officer", "Supt X", "--rank", "superintendent", "--granted", "2023-01-02T09:00", "--operation", "OP-A")  # fmt: skip
    vigil("authorisation", "review", "A-1", "--reviewer", "Supt X", "--at", "2023-01-20T09:00")
    vigil(
        "authorisation",
        "renew",
        "A-1",
        "--officer",
        "Supt X",
        "--rank",
        "superintendent",
        "--at",
        "2023-03-20T09:00",
    )
    assert "Covered by A-1" in vigil(
        "authorisation", "check", "--case", "OP-CLI", "--persona", "P-1", "--at", "2023-05-01T12:00"
    )
    refused = vigil(
        "authorisation",
        "check",
        "--case",
        "OP-CLI",
        "--persona",
        "P-1",
        "--at",
        "2024-05-01T12:00",
        ok=False,
    )
    assert "refused" in refused and "A-1 expired" in refused
    listed = json.loads(vigil("authorisation", "list", "--json"))
    assert listed[0]["renewals"] == 1 and listed[0]["reviews"] == 1
    vigil(
        "authorisation",
        "cancel",
        "A-1",
        "--by",
        "Supt X",
        "--reason",
        "ended",
        "--at",
        "2023-06-01T09:00",
    )
    assert "No reviews" in vigil("authorisation", "warnings")
    assert json.loads(vigil("persona", "show", "P-1", "--json"))["handles"] == [
        ["snapchat", "kalo_13"],
        ["discord", "kalo#13"],
    ]
    assert "P-1" in vigil("persona", "list")

    vigil(
        "suspect",
        "add",
        "S-1",
        "--case",
        "OP-CLI",
        "--label",
        "Subject ONE",
        "--id",
        "snapchat:screen_name:abc",
    )
    vigil("suspect", "add-identifier", "S-1", "sms:phone:+44 7700 900001")
    assert "meeting_arranged" in vigil("suspect", "form")
    out = vigil("suspect", "assess", "S-1", "--answer", "meeting_arranged=yes", "--answer", "lives_with_child=yes",
                "--answer", "image_offending=none", "--assessor", "DS A")  # fmt: skip
    assert "Very High" in out
    assert "Very High" in vigil("suspect", "list")
    assert json.loads(vigil("suspect", "show", "S-1", "--json"))["ref"] == "S-1"
    assert "S-1" in vigil("suspect", "find", "abc")

    vigil("child", "add", "CH-1", "--case", "OP-CLI", "--age", "13", "--suspect", "S-1")
    vigil(
        "child",
        "safeguard",
        "CH-1",
        "--kind",
        "social_care_referral",
        "--by",
        "DC W",
        "--on",
        "2023-02-01",
    )
    vigil(
        "child",
        "safeguard",
        "CH-1",
        "--kind",
        "strategy_meeting",
        "--by",
        "DC W",
        "--on",
        "2023-02-03",
    )
    assert "2023-02-01" in vigil("child", "list")
    assert len(json.loads(vigil("child", "show", "CH-1", "--json"))["actions"]) == 2

    assert "sexual_communication" in vigil("offence", "types")
    vigil("offence", "add", "--case", "OP-CLI", "--type", "grooming", "--form", "sexual_communication",
          "--suspect", "S-1", "--platform", "snapchat", "--principal", "--from", "2022-12-01", "--to", "2023-01-20")  # fmt: skip
    assert "grooming" in vigil("offence", "list")
    vigil("outcome", "add", "S-1", "--kind", "arrest", "--on", "2023-01-25")
    vigil("outcome", "add", "S-1", "--kind", "sentence", "--on", "2023-08-01", "--custodial-months", "40",
          "--notification-indefinite", "--order", "SHPO")  # fmt: skip
    vigil(
        "outcome",
        "add",
        "S-1",
        "--kind",
        "sentence",
        "--on",
        "2023-08-02",
        "--custodial-months",
        "12",
        "--suspended",
    )
    assert "sentence" in vigil("outcome", "list", "--suspect", "S-1")

    vigil("referral", "add", "REF-1", "--direction", "out", "--partner-kind", "industry", "--partner", "Platform T&S",
          "--case", "OP-CLI", "--on", "2023-02-10")  # fmt: skip
    assert "990000123" in vigil("referral", "import-cybertip", str(SAMPLE))
    assert "REF-1" in vigil("referral", "list")
    vigil("observation", "add", "--case", "OP-CLI", "--kind", "indicator", "--platform", "snapchat",
          "--category", "secrecy_exclusivity", "--at", "2023-01-10T20:00")  # fmt: skip
    vigil("operation", "close", "OP-A", "--closed", "2023-09-01")
    assert "OP-A" in vigil("operation", "list")

    stats = json.loads(
        vigil("report", "stats", "--from", "2022-10-01", "--to", "2023-09-30", "--format", "json")
    )
    assert stats["figures"]["arrests"] == 1 and stats["figures"]["children_safeguarded"] == 1
    assert stats["figures"]["custodial_months"] == 40
    plats = json.loads(
        vigil(
            "report", "platforms", "--from", "2023-01-01", "--to", "2023-12-31", "--format", "json"
        )
    )
    assert plats["platforms"][0]["platform"] == "snapchat"
    out_csv = tmp_path / "s.csv"
    assert "purpose" in vigil(
        "report", "stats", "--from", "2022-10-01", "--to", "2023-09-30", "--out", str(out_csv),
        ok=False,
    )  # fmt: skip
    assert not out_csv.exists()
    vigil("report", "stats", "--from", "2022-10-01", "--to", "2023-09-30", "--out", str(out_csv),
          "--purpose", "quarterly return")  # fmt: skip
    assert out_csv.read_text().startswith("section,")
    assert "needs --out" in vigil(
        "report", "stats", "--from", "2022-10-01", "--to", "2023-09-30", "--format", "pdf", ok=False
    )
