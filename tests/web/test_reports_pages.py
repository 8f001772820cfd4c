"""The reports page: figures from the records, the role rule, downloads and their custody log."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.clirun import in_process
from tests.web.conftest import WebWorld
from tests.web.seed import sign_in
from tests.web.test_casework_pages import OURS, THEIRS, seed_casework
from vigil.db.tables.evidence import CustodyEntry

pytest.importorskip("vigil.services.reports", reason="report services not installed")

PURPOSE = "quarterly return to the board"


@pytest.fixture(scope="module")
def analyst(world: WebWorld) -> TestClient:
    seed_casework(world)
    acc = world.accounts[("analyst", True)]
    return sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)


def _cell(html: str, ident: str) -> str:
    m = re.search(rf'id="{ident}">([^<]*)<', html)
    assert m, ident
    return m.group(1).strip()


def test_report_page_shows_the_figures_of_the_records(analyst: TestClient) -> None:
    r = analyst.get("/reports")  # default period Oct 2022 - Sep 2023
    assert r.status_code == 200
    html = r.text
    assert "Oct 2022 – Sep 2023" in html
    # two arrests in the period (2021's is outside), two children safeguarded (one counted once
    # despite two actions), 30 custodial months = 3 years half up; the suspended one not counted
    assert _cell(html, "fig-arrests") == "2"
    assert _cell(html, "fig-children") == "2"
    assert _cell(html, "fig-years") == "3"
    assert "(30 months)" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the charts, embedded (CSP: img-src data:)
    assert "<script>" not in html and "style=" not in html
    assert '<dl id="definitions">' in html and "<dd>" in html
    for text in OURS + THEIRS:  # aggregates only: no case records
        assert text not in html, text


def test_another_period_changes_the_figures(analyst: TestClient) -> None:
    html = analyst.get("/reports?start=2021-01-01&end=2021-12-31").text
    assert _cell(html, "fig-arrests") == "1" and _cell(html, "fig-children") == "0"


def test_bad_period_is_a_clear_error(analyst: TestClient) -> None:
    r = analyst.get("/reports?start=2023-09-30&end=2022-10-01")
    assert r.status_code == 400 and "before it starts" in r.text


def _exports(world: WebWorld, actor: str) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry).where(
                    CustodyEntry.action == "export",
                    CustodyEntry.object_type == "report",
                    CustodyEntry.actor == actor,
                )
            ).scalars()
        )


def test_csv_download_is_an_attachment_and_logged(world: WebWorld, analyst: TestClient) -> None:
    actor = world.accounts[("analyst", True)].username
    before = len(_exports(world, actor))
    r = analyst.get("/reports/download", params={"format": "csv", "purpose": PURPOSE})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert ".csv" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    total = next(row for row in rows if row and row[0] == "total")
    head = rows[0]
    assert total[head.index("arrests")] == "2"
    assert total[head.index("children_safeguarded")] == "2"
    after = _exports(world, actor)
    assert len(after) == before + 1
    assert after[-1].purpose == PURPOSE and "csv" in after[-1].details


def test_pdf_download(world: WebWorld, analyst: TestClient) -> None:
    r = analyst.get("/reports/download", params={"format": "pdf", "purpose": PURPOSE})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF") and len(r.content) > 1000


def test_html_download(analyst: TestClient) -> None:
    r = analyst.get("/reports/download", params={"format": "html", "purpose": PURPOSE})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"] and "Statistics report" in r.text


def test_download_needs_a_purpose(analyst: TestClient) -> None:
    assert analyst.get("/reports/download", params={"format": "csv"}).status_code == 422


@pytest.mark.parametrize("role", ["auditor", "disclosure_officer"])
def test_roles_outside_the_rule_are_refused(world: WebWorld, role: str) -> None:
    acc = world.accounts[(role, True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    page = c.get("/reports")
    assert page.status_code == 403 and 'id="fig-arrests"' not in page.text
    dl = c.get("/reports/download", params={"format": "csv", "purpose": PURPOSE})
    assert dl.status_code == 403
    assert not _exports(world, acc.username)


@pytest.mark.usefixtures("analyst")  # the case work the figures count is seeded with it
def test_report_api(world: WebWorld) -> None:
    from vigil.services.access import create_token

    token, _ = create_token(world.ws, world.accounts[("supervisor", False)].username, "reports")
    c = TestClient(world.app)
    r = c.get("/api/v1/reports/statistics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json()["figures"]["arrests"] == 2


def test_the_same_export_from_the_cli_writes_the_same_entry(
    world: WebWorld, analyst: TestClient, tmp_path: Path
) -> None:
    """A report written by ``vigil report`` and one downloaded in the browser: one gate, one entry."""
    actor = world.accounts[("analyst", True)].username
    r = analyst.get("/reports/download", params={"format": "csv", "purpose": PURPOSE})
    assert r.status_code == 200
    settings = world.ws.settings
    env = {**os.environ, "VIGIL_HOME": str(settings.home), "VIGIL_USER": actor}
    if settings.database_url:
        env["VIGIL_DATABASE_URL"] = settings.database_url
    out = tmp_path / "stats.csv"
    cmd = [sys.executable, "-m", "vigil.cli.main", "report", "stats", "--from", "2022-10-01",
           "--to", "2023-09-30", "--out", str(out)]  # fmt: skip
    refused = in_process(cmd[3:], env)  # the same entry point in this process (tests/clirun.py)
    assert refused.returncode == 3 and "purpose" in refused.stderr and not out.exists()
    done = subprocess.run(
        [*cmd, "--purpose", PURPOSE], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == r.content  # the same report
    web, cli = _exports(world, actor)[-2:]
    web_details, cli_details = json.loads(web.details), json.loads(cli.details)
    assert web_details.pop("via") == "s" and "via" not in cli_details  # a browser session
    assert web_details == cli_details == {"format": "csv", "unit": None, "bytes": len(r.content)}
    fields = ("actor", "action", "object_type", "object_id", "case_ref", "purpose")
    assert [getattr(web, f) for f in fields] == [getattr(cli, f) for f in fields]


def _platform_records(world: WebWorld) -> None:
    """An offence on Snapchat and a recorded move from Snapchat to Discord, in Oct 2022 - Sep
    2023, on OP-WEB (once per workspace)."""
    from datetime import UTC, date, datetime

    from tests.web.conftest import CASE
    from vigil.services.casework.offences import add_offence, list_offences
    from vigil.services.casework.referrals import add_observation
    from vigil.services.casework.suspects import create_suspect, list_suspects

    if any("snapchat" in o.platforms for o in list_offences(world.ws, CASE)):
        return
    if not any(x.ref == "S-CW-1" for x in list_suspects(world.ws, CASE)):
        create_suspect(world.ws, CASE, "S-CW-1", "Suspect for the platform report")
    add_offence(world.ws, CASE, "grooming", "sexual_communication", suspect_ref="S-CW-1",
                platforms=["Snapchat"], committed_from=date(2023, 1, 2),
                committed_to=date(2023, 2, 1))  # fmt: skip
    add_observation(world.ws, CASE, "migration", "snapchat", datetime(2023, 1, 20, 12, 0, tzinfo=UTC),
                    to_platform="discord")  # fmt: skip


def test_platform_report_beside_the_statistics(world: WebWorld, analyst: TestClient) -> None:
    _platform_records(world)
    html = analyst.get("/reports").text
    assert 'id="fig-arrests"' in html  # the statistics are still there
    section = html.split('<section id="platform-report">', 1)[1]
    rows = section.split('<table id="platforms">', 1)[1].split("</table>", 1)[0]
    snap = next(r for r in rows.split("<tr>") if r.startswith("<td>Snapchat"))
    assert '<td class="num">1</td>' in snap and "Discord 1" in snap  # one case; a move onwards
    assert "Grooming" in snap  # the offence type in words
    assert 'id="platform-download"' in section and 'name="report" value="platforms"' in section
    for text in OURS + THEIRS:  # aggregates only
        assert text not in section, text
    actor = world.accounts[("analyst", True)].username
    before = len(_exports(world, actor))
    r = analyst.get("/reports/download",
                    params={"report": "platforms", "format": "csv", "purpose": PURPOSE})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    assert "vigil-platforms-2022-10-01-2023-09-30.csv" in r.headers["content-disposition"]
    assert "snapchat" in r.text.lower()
    after = _exports(world, actor)
    assert len(after) == before + 1
    assert after[-1].object_id == "platforms:2022-10-01/2023-09-30" and after[-1].purpose == PURPOSE


def test_platform_report_api_and_refusal(world: WebWorld) -> None:
    from vigil.services.access import create_token

    _platform_records(world)
    token, _ = create_token(world.ws, world.accounts[("investigator", True)].username, "plat")
    c = TestClient(world.app)
    r = c.get("/api/v1/reports/platforms", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["report"] == "platforms"
    assert "snapchat" in [p["platform"] for p in r.json()["platforms"]]
    auditor, _ = create_token(world.ws, world.accounts[("auditor", True)].username, "plat")
    no = c.get("/api/v1/reports/platforms", headers={"Authorization": f"Bearer {auditor}"})
    assert no.status_code == 403
    dl = c.get("/reports/download", headers={"Authorization": f"Bearer {auditor}"},
               params={"report": "platforms", "format": "csv", "purpose": PURPOSE})  # fmt: skip
    assert dl.status_code == 403
