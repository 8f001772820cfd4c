"""One gate to the custody/audit log: who may append, and what an entry says."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import UserError
from vigil.services import audit
from vigil.services.reports import record_export, report_key
from vigil.services.workspace import Workspace

SRC = Path(__file__).resolve().parents[2] / "src" / "vigil"
GATE = {"evidence/custody.py", "services/audit.py"}
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _appends(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "append"
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "custody"
    ]


def test_only_the_gate_appends_to_the_custody_log() -> None:
    found = {
        f"{p.relative_to(SRC)}:{line}"
        for p in SRC.rglob("*.py")
        if str(p.relative_to(SRC)) not in GATE
        for line in _appends(p)
    }
    assert found == set(), "write custody entries through vigil.services.audit.record"
    assert _appends(SRC / "services" / "audit.py")  # the gate itself does


@dataclass(frozen=True)
class _Person:
    username: str
    session_key: str


def _entries(ws: Workspace) -> list[CustodyEntry]:
    with ws.sessions() as s:
        return list(s.execute(select(CustodyEntry).order_by(CustodyEntry.seq)).scalars())


def test_a_signed_in_person_is_named_with_the_way_in(ws: Workspace) -> None:
    with ws.transaction() as s:
        audit.record(s, "dc.local", "view", audit.Subject("triage", "OP-X", "OP-X"), now=NOW)
        audit.record(
            s,
            _Person("dc.web", "s:abc123"),
            "view",
            audit.Subject("triage", "OP-X", "OP-X"),
            purpose="plan the interview",
            details={"on": date(2024, 4, 30)},
            now=NOW,
        )
    local, web = _entries(ws)[-2:]
    assert (local.actor, json.loads(local.details)) == ("dc.local", {})
    assert web.actor == "dc.web" and web.purpose == "plan the interview"
    assert json.loads(web.details) == {"via": "s", "on": "2024-04-30"}
    assert (web.object_type, web.object_id, web.case_ref) == ("triage", "OP-X", "OP-X")


def test_a_report_export_is_recorded_the_same_from_either_way_in(ws: Workspace) -> None:
    key = report_key("stats", date(2022, 10, 1), date(2023, 9, 30), "UCW")
    assert key == "stats:2022-10-01/2023-09-30:UCW"
    record_export(ws, "dc.smith", key, "csv", 1234, "  quarterly   return ", "UCW")
    record_export(ws, _Person("dc.smith", "t:k"), key, "csv", 1234, "quarterly return", "UCW")
    cli, web = _entries(ws)[-2:]
    for e in (cli, web):
        assert (e.actor, e.action, e.object_type, e.object_id) == (
            "dc.smith",
            "export",
            "report",
            key,
        )
        assert e.purpose == "quarterly return"
    cli_details, web_details = json.loads(cli.details), json.loads(web.details)
    assert web_details.pop("via") == "t" and web_details == cli_details
    assert cli_details == {"format": "csv", "unit": "UCW", "bytes": 1234}


def test_a_report_export_needs_a_purpose(ws: Workspace) -> None:
    before = len(_entries(ws))
    with pytest.raises(UserError, match="purpose"):
        record_export(ws, "dc.smith", "stats:x", "csv", 1, " ok ")
    assert len(_entries(ws)) == before
