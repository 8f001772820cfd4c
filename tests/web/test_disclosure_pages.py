"""The disclosure officer's view on the web (issue 20 items 3 and 5): the page lists the
unscheduled items, the form sets a status, a schedule is generated and downloaded, service is
recorded, and a later change raises "revised schedule needed"; other roles read the page but
are refused every change; the API makes the same calls. The seeded chat is synthetic."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, make_user, sign_in
from vigil.config import Settings
from vigil.db.tables.evidence import CustodyEntry
from vigil.services import access
from vigil.services.cases import create_case
from vigil.services.evidence.exhibits import register_stream
from vigil.services.workspace import init_workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

PAGE = f"/cases/{CASE}/disclosure"
API = f"/api/v1{PAGE}"


def _client(world: WebWorld, role: str) -> TestClient:
    acc = world.accounts[(role, True)]
    return sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)


@pytest.fixture(scope="module")
def do(world: WebWorld) -> TestClient:
    return _client(world, "disclosure_officer")


def _post(c: TestClient, path: str, data: dict[str, str]) -> int:
    csrf = csrf_of(c.get("/account").text)
    return c.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False).status_code


def _entries(world: WebWorld) -> list[tuple[str, str, str]]:
    with world.ws.sessions() as s:
        rows = s.execute(select(CustodyEntry).where(CustodyEntry.case_ref == CASE,
            CustodyEntry.object_type.like("disclosure%")).order_by(CustodyEntry.seq)).scalars()  # fmt: skip
        return [(e.actor, e.action, e.object_id) for e in rows]


def test_the_case_page_links_to_disclosure(world: WebWorld, do: TestClient) -> None:
    page = do.get(f"/cases/{CASE}")
    assert page.status_code == 200 and f'href="{PAGE}" id="tool-disclosure"' in page.text


def test_schedule_a_case_from_the_browser(world: WebWorld, do: TestClient) -> None:
    ex, conv = f"exhibit:{world.exhibit_ref}", f"conversation:{world.conv_id}"
    page = do.get(PAGE)
    assert page.status_code == 200
    assert ex in page.text and conv in page.text and 'id="decide-form"' in page.text
    assert "never a verdict" in page.text
    chosen = do.get(PAGE, params={"item": ex})
    assert f'value="{ex}"' in chosen.text and "What Vigil knows of it" in chosen.text
    assert _post(do, PAGE + "/items", {"item": ex, "status": "unused",
                                       "description": "Chat export from the handset",
                                       "undermines": "no"}) == 303  # fmt: skip
    assert _post(do, PAGE + "/items", {"item": conv, "status": "sensitive",
                                       "description": "Conversation with the persona",
                                       "undermines": "yes"}) == 303  # fmt: skip
    listed = do.get(PAGE, params={"show": "unused"}).text
    assert (
        "Chat export from the handset" in listed and "Conversation with the persona" not in listed
    )
    assert _post(do, PAGE + "/schedules", {"kind": "mg6c"}) == 303
    page = do.get(PAGE).text
    assert 'id="disclosure-revisions"' in page and "/revisions/1/download?format=pdf" in page
    got = do.get(PAGE + "/revisions/1/download", params={"format": "csv"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert ["1", ex, "Chat export from the handset"] == lines[6][:3]
    assert _post(do, PAGE + "/revisions/1/served", {"to": "CPS Area North"}) == 303
    assert "CPS Area North" in do.get(PAGE).text
    assert "revised schedule needed" not in do.get(PAGE).text
    assert _post(do, PAGE + "/items", {"item": ex, "status": "not-relevant"}) == 303
    assert "revised schedule needed" in do.get(PAGE).text
    acts = [(a, b) for _, a, b in _entries(world)]
    assert acts[:2] == [("annotate", ex), ("annotate", conv)]
    assert ("create", "mg6c:1") in acts and ("export", "mg6c:1") in acts
    assert ("update", "mg6c:1") in acts and acts[-1] == ("annotate", ex)
    assert {a for a, _, _ in _entries(world)} == {
        world.accounts[("disclosure_officer", True)].username
    }


@pytest.mark.parametrize("role", ["investigator", "analyst", "supervisor", "administrator"])
def test_other_roles_read_but_cannot_change(world: WebWorld, role: str) -> None:
    c = _client(world, role)
    before = _entries(world)
    page = c.get(PAGE)
    assert page.status_code == 200 and 'id="decide-form"' not in page.text
    assert "only the disclosure officer changes it" in page.text
    item = f"exhibit:{world.exhibit_ref}"
    assert _post(c, PAGE + "/items", {"item": item, "status": "used", "description": "x y"}) == 403
    assert _post(c, PAGE + "/schedules", {"kind": "mg6d"}) == 403
    token, _ = access.create_token(world.ws, world.accounts[(role, True)].username, "t")
    h = {"Authorization": f"Bearer {token}"}
    r = c.post(API + "/items", headers=h,
               json={"decisions": [{"item": item, "status": "used", "description": "x"}]})  # fmt: skip
    assert r.status_code == 403 and "may not disclose" in r.json()["detail"]
    assert _entries(world) == before


def test_the_api_makes_the_same_calls(world: WebWorld) -> None:
    username = world.accounts[("disclosure_officer", True)].username
    token, _ = access.create_token(world.ws, username, "api")
    h = {"Authorization": f"Bearer {token}"}
    c = TestClient(world.app)
    ov = c.get(API, headers=h).json()
    keys = [i["key"] for i in ov["items"]]
    assert len(keys) == len(set(keys)) and f"exhibit:{world.exhibit_ref}" in keys
    body = {"decisions": [{"item": k, "status": "sensitive", "description": f"about {k}"}
                          for k in keys]}  # fmt: skip
    r = c.post(API + "/items", headers=h, json=body)
    assert r.status_code == 200 and all(d["item"]["status"] == "sensitive" for d in r.json())
    bad = c.post(API + "/items", headers=h,
                 json={"decisions": [{"item": "exhibit:NO/1", "status": "used", "description": "x"}]})  # fmt: skip
    assert bad.status_code == 404
    g = c.post(API + "/schedules", headers=h, json={"kind": "mg6d"}).json()
    assert g["new"] and g["revision"]["rows"] == len(keys)
    n = g["revision"]["number"]
    x = c.get(API + f"/revisions/{n}/download", headers=h, params={"format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    s = c.post(API + f"/revisions/{n}/served", headers=h, json={"to": "CPS", "on": None})
    assert s.status_code == 200 and s.json()["served_to"] == "CPS"
    again = c.post(API + f"/revisions/{n}/served", headers=h, json={"to": "CPS"})
    assert again.status_code == 400
    state = {k["kind"]: k for k in c.get(API, headers=h).json()["kinds"]}
    assert state["mg6d"]["latest_served"] == n and not state["mg6d"]["revision_needed"]
    assert c.get(API + "/revisions/999/download", headers=h).status_code == 404


@pytest.mark.browser
def test_a_disclosure_officer_schedules_a_case_in_chromium(tmp_path: Path) -> None:
    """In Debian's chromium against ``vigil serve``: from the case page to Disclosure, set a
    status with the form, generate the MG6C, download it as CSV, record service."""
    from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, sign_in_browser, vigil_serve

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="web.admin", database_url=None))
    create_case(ws, "OP-DISC", "Disclosure browser test", "Test unit", "Europe/London")
    reg = register_stream(ws, "OP-DISC", io.BytesIO(b"synthetic incident log"),
                          original_name="incident-log.txt", original_path=None,
                          source="force system", acquired_by="Sam Example")  # fmt: skip
    password, secret = make_user(ws, "disc.officer", "disclosure_officer", ["OP-DISC"])
    key = f"exhibit:{reg.exhibit.ref}"
    with vigil_serve(home, "web.admin") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(accept_downloads=True).new_page()
        try:
            sign_in_browser(page, url, "disc.officer", password, secret)
            page.goto(url + "/cases/OP-DISC")
            page.click("#tool-disclosure")
            page.wait_for_url("**/cases/OP-DISC/disclosure")
            assert key in page.inner_text("#disclosure-items")  # unscheduled
            page.click(f"#disclosure-items a:text-is('{key}')")
            assert page.input_value("#decide-form input[name=item]") == key
            page.select_option("#decide-form select[name=status]", "unused")
            page.fill("#decide-form textarea[name=description]", "Incident log, force system")
            page.click("#decide-form button[type=submit]")
            page.wait_for_url("**/disclosure?show=all#items")
            assert "unused non-sensitive" in page.inner_text("#disclosure-items")
            page.select_option("#gen-kind", "mg6c")
            page.click("#generate button[type=submit]")
            page.wait_for_url("**#revisions")
            with page.expect_download() as dl:
                page.click("#disclosure-revisions a:text-is('CSV')")
            text = Path(dl.value.path()).read_text("utf-8-sig")
            assert f'1,{key},"Incident log, force system"' in text
            page.fill("#disclosure-revisions input[name=to]", "CPS Area North")
            page.click("#disclosure-revisions button[type=submit]")
            page.wait_for_url("**#revisions")
            assert "CPS Area North" in page.inner_text("#disclosure-revisions")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "disclosure.png"), full_page=True)
        finally:
            browser.close()
