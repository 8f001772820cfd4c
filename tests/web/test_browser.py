"""End to end in a real browser: Playwright drives Debian's chromium against `vigil serve`.

Sign in with password and TOTP, open the triage queue, open a flagged conversation (stating a
purpose), jump from finding to finding, verify an exhibit, download the statistics report (CSV)
from the reports page.
Screenshots are kept under test-artifacts/web/.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.web.seed import analysis_available, ingest_and_analyse, make_user, totp_code
from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, vigil_serve
from vigil.config import Settings
from vigil.services import access
from vigil.services.cases import create_case
from vigil.services.workspace import init_workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")


@dataclass
class Server:
    url: str
    username: str
    password: str
    secret: str
    token: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    home = root / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="web.admin", database_url=None))
    create_case(ws, "OP-BROWSER", "Browser test operation", "Test unit", "Europe/London")
    with ws.sessions() as s:
        from sqlalchemy import select

        from vigil.db.tables.cases import Case

        case_id = s.execute(select(Case.id).where(Case.ref == "OP-BROWSER")).scalar_one()
    ingest_and_analyse(ws, "OP-BROWSER", case_id, root)
    if importlib.util.find_spec("vigil.services.casework.outcomes") is not None:
        from vigil.services.casework.outcomes import record_outcome
        from vigil.services.casework.suspects import create_suspect

        create_suspect(ws, "OP-BROWSER", "S-B1", "Browser test subject")
        record_outcome(ws, "S-B1", "arrest", date(2023, 1, 10))  # inside Oct 2022 - Sep 2023
    password, secret = make_user(ws, "officer", "investigator", ["OP-BROWSER"])
    token, _ = access.create_token(ws, "officer", "browser test")
    with vigil_serve(home, "web.admin") as url:
        yield Server(url, "officer", password, secret, token)


def test_sign_in_triage_conversation_finding_download(server: Server) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    csp_errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1360, "height": 900}
        )
        page = context.new_page()
        page.on(
            "console",
            lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        try:
            page.goto(server.url + "/")
            assert page.url.startswith(server.url + "/login")
            page.fill("input[name=username]", server.username)
            page.fill("input[name=password]", server.password)
            page.screenshot(path=str(ARTIFACTS / "01-sign-in.png"))
            page.click("button[type=submit]")
            page.wait_for_url("**/login/totp**")
            page.fill("input[name=code]", totp_code(server.secret))
            page.click("main button[type=submit]")
            page.wait_for_url(server.url + "/")

            # the triage queue, most urgent first
            rows = page.locator("#triage-queue tbody tr")
            assert rows.count() >= 1
            assert "OP-BROWSER" in rows.first.inner_text()
            page.screenshot(path=str(ARTIFACTS / "02-triage-queue.png"), full_page=True)

            # open the top (flagged) conversation: a purpose is asked first
            rows.first.locator("a.conv-link").click()
            page.wait_for_url("**/purpose**")
            page.fill("input[name=purpose]", "browser test: review of flagged conversation")
            page.click("main button[type=submit]")
            page.wait_for_url("**/conversations/**")
            assert page.locator("li.msg").count() >= 10
            marks = page.locator("mark.finding")
            assert marks.count() >= 3, "findings are highlighted in place"
            page.screenshot(path=str(ARTIFACTS / "03-conversation.png"), full_page=True)

            # jump to the first finding, then to the next one with the keyboard
            page.click("#jump-first")
            first = page.evaluate("location.hash")
            assert first.startswith("#f-")
            page.wait_for_selector("mark.finding.current")
            page.keyboard.press("n")
            page.wait_for_function(f"location.hash !== '{first}'")
            second = page.evaluate("location.hash")
            assert second.startswith("#f-") and second != first
            assert page.locator("mark.finding.current").count() == 1
            page.screenshot(path=str(ARTIFACTS / "04-finding.png"))
            # and with the link under a finding
            page.locator("a.next-finding").first.click()
            assert page.evaluate("location.hash").startswith("#f-")

            # exhibit: hashes, custody log, verify
            page.click("p.muted a[href*='/exhibit?']")
            page.click("#verify")
            assert "Verified" in page.inner_text("#verify-result")
            page.screenshot(path=str(ARTIFACTS / "05-exhibit-verified.png"), full_page=True)
            page.go_back()
            page.go_back()

            # download: the statistics report (CSV) from the reports page, with a purpose
            page.click("header nav a[href='/reports']")
            page.wait_for_url("**/reports")
            assert page.inner_text("#fig-arrests").strip() == "1"
            page.screenshot(path=str(ARTIFACTS / "06-reports.png"), full_page=True)
            page.fill("#report-purpose", "browser test: quarterly return")
            with page.expect_download() as dl:
                page.click("#download-csv")
            assert dl.value.suggested_filename.endswith(".csv")
            target = ARTIFACTS / "statistics-report.csv"
            dl.value.save_as(str(target))
            rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
            total = next(r for r in rows if r and r[0] == "total")
            assert total[1:3] == ["2022-10-01", "2023-09-30"]
            assert total[rows[0].index("arrests")] == "1", "the arrest in the period is counted"
        finally:
            context.close()
            browser.close()
    assert not csp_errors, csp_errors


def test_real_analysis_flags_the_seeded_cues(server: Server) -> None:
    if not analysis_available():
        pytest.skip(
            "the taxonomy (issue 4) is not installed in this tree: findings were seeded directly"
        )
    with httpx.Client(base_url=server.url) as c:
        assert c.get("/api/v1/triage").status_code == 401  # the API needs a token
        d = c.get("/api/v1/triage", headers={"Authorization": f"Bearer {server.token}"}).json()
    assert d["analysis_available"] and len(d["queue"]) == 1
    row = d["queue"][0]
    assert row["risk"] > 0 and row["urgency"] >= 1 and row["flags"]
    assert row["categories"], "the top findings name their categories"
