"""The whole job in a real browser (issue 17): Playwright drives Debian's chromium against
`vigil serve`, as an investigator would, from an empty workspace to the unit's figures.

Create a case → upload a chat export → watch the job finish → triage → open the top
conversation → mark a message and the conversation "escalate" with a note → search for a phrase
and find it → see an identifier's cross-case hit → record a referral → download the statistics
PDF. The chat is synthetic and non-graphic. Screenshots go to test-artifacts/web/journey/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.web.seed import make_user, totp_code
from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, vigil_serve
from vigil.config import Settings
from vigil.db.tables.evidence import CustodyEntry
from vigil.services.cases import create_case
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace, init_workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web" / "journey"
SHARED = "sam.k.journey@example.com"
"""An identifier in both the uploaded chat and another unit's case: the cross-case hit."""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")

CUES = {
    4: ("Kai", "how old are you btw?"),
    5: ("Sam", "13, year 8"),
    9: ("Kai", "you seem so mature for your age"),
    14: ("Kai", "are your parents home right now?"),
    19: ("Kai", "keep this between us ok, delete our chats"),
    24: ("Kai", "i can get you a new phone if you want"),
    28: ("Kai", f"email me at {SHARED} instead"),
    33: ("Kai", "can we meet on saturday? i'll pick you up at the station"),
}
FILLER = ["did you watch the match", "school was boring", "what music are you into",
          "maths test tomorrow", "my cat knocked my drink over lol"]  # fmt: skip


def whatsapp_export(path: Path, lines: dict[int, tuple[str, str]], n: int) -> Path:
    start = datetime(2025, 3, 1, 18, 0)
    out = []
    for i in range(1, n + 1):
        who, text = lines.get(i, ("Sam" if i % 2 else "Kai", FILLER[i % len(FILLER)]))
        t = start + timedelta(minutes=6 * i)
        out.append(f"[{t:%d/%m/%Y, %H:%M:%S}] {who}: {text}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@dataclass
class World:
    url: str
    ws: Workspace
    password: str
    secret: str
    export: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("journey")
    home = root / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="web.admin", database_url=None))
    # another unit's case holding the same e-mail address
    create_case(ws, "OP-ELSEWHERE", "Another unit's operation", "North unit", "Europe/London")
    other = whatsapp_export(root / "other.txt", {3: ("Lee", f"it's {SHARED}")}, 6)
    ingest_file(ws, "OP-ELSEWHERE", other)
    password, secret = make_user(ws, "officer", "investigator", [])
    export = whatsapp_export(root / "WhatsApp Chat with Kai.txt", CUES, 40)
    with vigil_serve(home, "web.admin") as url:
        yield World(url, ws, password, secret, export)


def test_the_whole_job_in_the_browser(world: World) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    csp: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1360, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
        try:
            _journey(page, world)
        finally:
            page.screenshot(path=str(ARTIFACTS / "last.png"), full_page=True)
            browser.close()
    assert not csp, csp
    # every step left its trace in the custody log, in the officer's name
    with world.ws.sessions() as s:
        mine = [(e.action, e.object_type) for e in s.execute(
            select(CustodyEntry).where(CustodyEntry.actor == "officer")).scalars()]  # fmt: skip
    for step in [("create", "case"), ("register", "exhibit"), ("annotate", "conversation"),
                 ("export", "report")]:  # fmt: skip
        assert step in mine, (step, sorted(set(mine)))


def _shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _journey(page: sync_api.Page, w: World) -> None:
    # sign in with password and TOTP
    page.goto(w.url + "/")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", w.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/totp**")
    page.fill("input[name=code]", totp_code(w.secret))
    page.click("main button[type=submit]")
    page.wait_for_url(w.url + "/")

    # create a case
    page.goto(w.url + "/cases")
    page.click("a[href='/cases/new']")
    page.fill("#new-case input[name=ref]", "OP-JOURNEY")
    page.fill("#new-case input[name=title]", "Journey test operation")
    page.fill("#new-case input[name=unit]", "Test unit")
    page.fill("#new-case input[name=tz]", "Europe/London")
    page.click("#new-case button[type=submit]")
    page.wait_for_url("**/cases/OP-JOURNEY**")
    _shot(page, "01-new-case")

    # upload a chat export and watch the job finish
    page.click("#tool-upload")
    page.wait_for_url("**/upload")
    page.set_input_files("#upload-file", str(w.export))
    page.fill("#upload-form input[name=source]", "WhatsApp export from the complainant's handset")
    assert page.is_checked("#upload-ingest")
    page.click("#upload-start")
    page.wait_for_selector("#upload-status.finished", timeout=180_000)
    _shot(page, "02-upload-done")
    assert "done" in (page.get_attribute("#upload-status", "class") or ""), page.inner_text(
        "#upload-status"
    )
    page.goto(w.url + "/jobs")
    assert "OP-JOURNEY" in page.inner_text("main")

    # triage: the case's top conversation, opened after stating a purpose
    page.goto(w.url + "/cases/OP-JOURNEY")
    page.locator("#ranked a.conv-link").first.click()
    page.wait_for_url("**/purpose**")
    page.fill("input[name=purpose]", "journey test: review of the uploaded chat")
    page.click("main button[type=submit]")
    page.wait_for_url("**/conversations/**")
    assert page.locator("mark.finding").count() >= 3, "the cues are found and highlighted"
    _shot(page, "03-conversation")

    # mark one message "escalate" with a note, then the conversation
    msg = page.locator("li.msg", has_text="keep this between us").first
    msg.locator("details.review-message summary").click()
    msg.locator("select[name=state]").select_option("escalate")
    msg.locator("textarea[name=note]").fill("asks the child for secrecy")
    msg.locator("form.review-form button[type=submit]").first.click()
    page.wait_for_load_state()
    msg = page.locator("li.msg", has_text="keep this between us").first
    assert "asks the child for secrecy" in msg.inner_text()
    page.fill("#review-conversation textarea[name=note]", "meeting planned: refer today")
    page.click("#review-conversation button[value=escalate]")
    page.wait_for_load_state()
    assert "Escalate" in page.inner_text("#review") or "escalate" in page.inner_text("#review")
    assert "meeting planned: refer today" in page.inner_text("#review-history")
    _shot(page, "04-escalated")

    # search for a phrase and find it
    page.goto(w.url + "/search")
    page.fill("#search-form input[name=q]", '"pick you up"')
    page.fill("#search-form input[name=purpose]", "journey test: find the meeting plan")
    page.locator("#search-form button[type=submit]").first.click()
    page.wait_for_url("**/search?**")
    assert "pick you up at the station" in page.inner_text("main")
    _shot(page, "05-search")

    # the identifier's cross-case hit: whom to contact, not the other case
    page.goto(w.url + "/cases/OP-JOURNEY/intel")
    if "/purpose" in page.url:
        page.fill("input[name=purpose]", "journey test: intelligence")
        page.click("main button[type=submit]")
        page.wait_for_url("**/intel**")
    hits = page.inner_text("#hits")
    assert SHARED in hits and "North unit" in hits
    assert "OP-ELSEWHERE" not in page.content()
    _shot(page, "06-intel")

    # record a referral on the case-work page
    page.goto(w.url + "/cases/OP-JOURNEY/work")
    page.click("#referral summary")
    page.fill("#referral-form input[name=ref]", "REF-J1")
    page.fill("#referral-form input[name=partner]", "Children's social care, Example County")
    page.fill("#referral-form input[name=summary]", "safeguarding referral for the child")
    page.click("#referral-form button[type=submit]")
    page.wait_for_load_state()
    assert "REF-J1" in page.inner_text("#cw-referrals")
    _shot(page, "07-referral")

    # the unit's statistics as PDF
    page.goto(w.url + "/reports")
    page.fill("#report-purpose", "journey test: quarterly return")
    with page.expect_download() as dl:
        page.click("#download-pdf")
    pdf = Path(dl.value.path())
    assert pdf.read_bytes()[:5] == b"%PDF-"
