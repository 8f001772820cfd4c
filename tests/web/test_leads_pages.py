"""Leads from platform-scale runs in the web case record (issue 21 item 2): the case page links
to ``/cases/{ref}/leads``; an investigator imports a Spark run's results folder through the
form (the server reads it) and sees each import's provenance above the leads, most urgent and
highest scored first, as ``vigil leads list`` orders them; the JSON twin says the same; a second
import of the run, a folder that is not a run and a bad row are refused on the page, not with a
500; a non-member is refused and a reader who does not write sees no form; every listing is a
view in the custody log.

The results folders are written the way the Spark engine writes them (Parquet parts and the
``_vigil_run.json`` manifest), without Spark, by the helpers of tests/leads. Their rows are
platform item ids and scores only: no conversation text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.leads.test_leads import not_checked, old_style, result_rows, results_folder
from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, make_user, sign_in
from vigil.config import Settings
from vigil.db.tables.evidence import CustodyEntry, Exhibit
from vigil.db.tables.leads import Lead, LeadImport
from vigil.services import access
from vigil.services.cases import create_case
from vigil.services.workspace import init_workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PAGE = f"/cases/{CASE}/leads"
API = f"/api/v1{PAGE}"
ROWS = 24


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def clients(world: WebWorld) -> Iterator[dict[str, TestClient]]:
    """One signed-in browser session per role on the case (a TOTP code is accepted once)."""
    out: dict[str, TestClient] = {}
    for role in ("investigator", "disclosure_officer", "analyst"):
        acc = world.accounts[(role, True)]
        out[role] = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    out["outsider"] = sign_in(TestClient(world.app), *_creds(world, "investigator", False))
    yield out


@pytest.fixture(scope="module")
def imported(world: WebWorld, clients: dict[str, TestClient], runs: Path) -> Path:
    """The first run, imported by the investigator through the form."""
    folder = results_folder(runs / "scores.parquet", result_rows(ROWS))
    r = _post(clients["investigator"], PAGE + "/imports", {"path": str(folder)})
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == f"{PAGE}?imported={CASE}-LI1#import-{CASE}-LI1"
    return folder


def _creds(world: WebWorld, role: str, member: bool) -> tuple[str, str, str]:
    acc = world.accounts[(role, member)]
    return acc.username, acc.password, acc.secret


def _post(c: TestClient, path: str, data: dict[str, str]) -> Any:
    csrf = csrf_of(c.get("/account").text)
    return c.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


def _token(world: WebWorld, role: str, member: bool = True) -> dict[str, str]:
    token, _ = access.create_token(world.ws, world.accounts[(role, member)].username, "leads")
    return {"Authorization": f"Bearer {token}"}


def _counts(world: WebWorld) -> tuple[int, int, int]:
    with world.ws.sessions() as s:
        return tuple(  # type: ignore[return-value]
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Exhibit, LeadImport, Lead)
        )


def _last_entry(world: WebWorld) -> CustodyEntry:
    with world.ws.sessions() as s:
        return s.execute(
            select(CustodyEntry).order_by(CustodyEntry.seq.desc()).limit(1)
        ).scalar_one()


def _shown(html: str) -> list[str]:
    """The lead references in the page's table, top to bottom."""
    table = html[html.index('id="leads-table"') :]
    return re.findall(r'<tr id="lead-([^"]+)">', table)


def _row(html: str, ref: str) -> str:
    """The table row of lead ``ref``."""
    return html[html.index(f'<tr id="lead-{ref}">') :].split("</tr>", 1)[0]


def _error(html: str) -> str:
    m = re.search(r'<div class="form-error" role="alert" id="import-error">(.*?)</div>', html, re.S)
    assert m, "no error shown with the form"
    return re.sub(r"<[^>]+>", " ", m.group(1))


def test_the_case_page_links_to_the_leads(clients: dict[str, TestClient]) -> None:
    page = clients["investigator"].get(f"/cases/{CASE}")
    assert page.status_code == 200 and f'href="{PAGE}" id="tool-leads"' in page.text


def test_before_any_import_the_page_offers_the_form(clients: dict[str, TestClient]) -> None:
    page = clients["investigator"].get(PAGE)
    assert page.status_code == 200
    assert "No run imported into this case yet" in page.text and 'id="import-form"' in page.text
    assert "lead for a trained person, never a verdict" in page.text
    assert _shown(page.text) == []


def test_import_through_the_form_shows_provenance_above_the_leads(
    world: WebWorld, clients: dict[str, TestClient], imported: Path
) -> None:
    c = clients["investigator"]
    page = c.get(PAGE, params={"imported": f"{CASE}-LI1", "limit": 500})
    text = page.text
    assert page.status_code == 200
    assert f"Imported run run-1 as {CASE}-LI1: {ROWS} leads of {ROWS} rows" in text
    assert "never a verdict" in text
    section = text[text.index(f'id="import-{CASE}-LI1"') : text.index('id="leads-table"')]
    for fact in ("run-1", "/data/platform/chats.parquet", "cd" * 32, "vigil 0.1.0",
                 "Spark 4.0.5", "taxonomy 2026.11.1", "ab" * 32, "2026-12-07 17:00:00 UTC",
                 world.accounts[("investigator", True)].username):  # fmt: skip
        assert fact in section, fact
    assert text.index(f'id="import-{CASE}-LI1"') < text.index('id="leads-table"')
    shown = _shown(text)
    assert len(shown) == ROWS
    doc = c.get(API, params={"limit": 500}, headers=_token(world, "investigator")).json()
    assert shown == [x["ref"] for x in doc["leads"]]  # the page shows what the API says
    ranked = [(x["flagged"], x["urgency"] or 0, x["score"]) for x in doc["leads"]]
    assert ranked == sorted(ranked, reverse=True) and ranked[0][:2] == (True, 3)
    row = _row(text, shown[0])
    assert "platform-conv-0" in row and "act now" in row and "meeting" in row
    assert "age identity probing" in row and "0.900" in row
    assert "checked (en)" in row and "not-checked" not in row
    # a conversation the run did not check is marked so, its score of 0 with it
    by_item = {x["item_id"]: x for x in doc["leads"]}
    skipped = [i for i in range(ROWS) if not_checked(i)]
    assert skipped
    for i in skipped:
        lead = by_item[f"platform-conv-{i}"]
        assert (lead["language"], lead["checked"], lead["note"], lead["score"]) == (
            "de", False, "not checked: language de", 0.0)  # fmt: skip
        row = _row(text, lead["ref"])
        assert f"<code>platform-conv-{i}</code>" in row and "0.000" in row
        assert re.search(r'<strong class="[^"]*\bnot-checked\b[^"]*">not checked: language de'
                         r"</strong>", row), row  # fmt: skip
        assert row.count("not checked: language de") == 1  # (the note is not said twice)
    marked = {r for r in shown if 'class="flag sev2 not-checked"' in _row(text, r)}
    assert marked == {by_item[f"platform-conv-{i}"]["ref"] for i in skipped}
    said = _row(text, by_item["platform-conv-2"]["ref"])
    assert "checked (en)" in said and "not flagged: no evidence that a child takes part" in said
    assert "not the same as clean" in text  # the page says what "not checked" means
    # the import was the investigator's: the exhibit's and the import's custody entries
    user = world.accounts[("investigator", True)].username
    with world.ws.sessions() as s:
        acts = [(e.actor, e.action, e.object_type) for e in s.execute(
            select(CustodyEntry).where(CustodyEntry.object_type.in_(("exhibit", "lead_import")),
                                       CustodyEntry.actor == user)).scalars()]  # fmt: skip
    assert (user, "register", "exhibit") in acts and (user, "create", "lead_import") in acts


def test_the_json_twin_filters_and_pages(
    world: WebWorld, clients: dict[str, TestClient], imported: Path
) -> None:
    h = _token(world, "analyst")
    c = TestClient(world.app)
    every = c.get(API, params={"limit": 500}, headers=h).json()
    assert "never a verdict" in every["note"] and every["total"] == ROWS and every["may_write"]
    imp = every["imports"][0]
    assert (imp["ref"], imp["run_id"], imp["input_path"], imp["input_sha256"]) == (
        f"{CASE}-LI1", "run-1", "/data/platform/chats.parquet", "cd" * 32)  # fmt: skip
    assert (imp["run_vigil_version"], imp["spark_version"], imp["taxonomy_version"]) == (
        "vigil 0.1.0", "4.0.5", "2026.11.1")  # fmt: skip
    refs = [x["ref"] for x in every["leads"]]
    window = c.get(API, params={"offset": 5, "limit": 4}, headers=h).json()
    assert [x["ref"] for x in window["leads"]] == refs[5:9] and window["total"] == ROWS
    flagged = c.get(API, params={"flagged": "true", "limit": 500}, headers=h).json()
    assert flagged["total"] == sum(r["flagged"] for r in result_rows(ROWS)) > 0
    kept = [x["ref"] for x in flagged["leads"]]
    assert all(x["flagged"] for x in flagged["leads"])
    assert kept == [r for r in refs if r in set(kept)]  # in the same order
    one = c.get(API, params={"import": f"{CASE}-LI1", "limit": 1}, headers=h).json()
    assert one["total"] == ROWS and one["import_ref"] == f"{CASE}-LI1"
    assert c.get(API, params={"import": "OP-OTHER-LI1"}, headers=h).status_code == 404
    # the page pages the same way
    page = clients["analyst"].get(PAGE, params={"offset": 5, "limit": 4}).text
    assert _shown(page) == refs[5:9] and 'rel="next"' in page and "6–9 of 24 leads" in page


def test_a_second_import_and_bad_folders_are_shown_with_the_form(
    world: WebWorld, clients: dict[str, TestClient], imported: Path, runs: Path
) -> None:
    c = clients["investigator"]
    before = _counts(world)
    r = _post(c, PAGE + "/imports", {"path": str(imported), "only_flagged": "yes"})
    assert r.status_code == 400
    said = _error(r.text)
    assert f"run run-1 was already imported into {CASE} as {CASE}-LI1" in said
    assert f'value="{imported}"' in r.text  # what was typed is kept, the box still ticked
    assert "checked" in r.text.split('name="only_flagged"')[1][:40]
    assert _shown(r.text)  # the page, with its leads, not an error page
    plain = runs / "plain"
    plain.mkdir()
    rows = result_rows(6)
    rows[4]["score"] = 1.5
    bad = results_folder(runs / "bad-row", rows, run_id="run-bad")
    for path, words in [
        (str(runs / "missing"), "does not exist"),
        (str(plain), "no _vigil_run.json"),
        (str(imported / "_vigil_run.json"), "not a folder"),
        ("scores.parquet", "not a full path on the server"),
        ("", "not a full path on the server"),
        (str(bad), "row 2: score 1.5 is not between 0 and 1"),
    ]:
        r = _post(c, PAGE + "/imports", {"path": path})
        assert r.status_code == 400 and words in _error(r.text), (path, r.text[:3000])
    h = _token(world, "investigator")
    api = TestClient(world.app)
    again = api.post(API + "/imports", headers=h, json={"path": str(imported)})
    assert again.status_code == 400 and "already imported" in again.json()["detail"]
    broken = api.post(API + "/imports", headers=h, json={"path": str(bad)})
    assert broken.status_code == 400 and "score 1.5" in broken.json()["detail"]
    assert _counts(world) == before


def test_the_api_imports_a_second_run(
    world: WebWorld, clients: dict[str, TestClient], imported: Path, runs: Path
) -> None:
    folder = results_folder(runs / "second", result_rows(9), run_id="run-2")
    r = TestClient(world.app).post(API + "/imports", headers=_token(world, "analyst"),
                                   json={"path": str(folder), "only_flagged": True})  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["ref"], body["run_id"], body["rows_read"], body["leads"]) == (
        f"{CASE}-LI2", "run-2", 9, 3)  # fmt: skip
    page = clients["analyst"].get(PAGE, params={"import": f"{CASE}-LI2"}).text
    assert len(_shown(page)) == 3 and "(flagged rows only)" in page
    assert page.index(f'id="import-{CASE}-LI1"') < page.index(f'id="import-{CASE}-LI2"')


def test_an_older_run_without_the_language_check_says_it_was_not_recorded(
    world: WebWorld, clients: dict[str, TestClient], imported: Path, runs: Path
) -> None:
    """A run written before runs kept the language check imports with those fields empty; the
    page and the JSON twin say the run did not record it, and mark none as checked."""
    folder = results_folder(runs / "older", old_style(result_rows(5)), run_id="run-old")
    r = TestClient(world.app).post(API + "/imports", headers=_token(world, "investigator"),
                                   json={"path": str(folder)})  # fmt: skip
    assert r.status_code == 201, r.text
    ref = r.json()["ref"]
    doc = TestClient(world.app).get(API, params={"import": ref}, headers=_token(world, "analyst"))
    leads = doc.json()["leads"]
    assert len(leads) == 5
    assert {(x["language"], x["checked"], x["note"]) for x in leads} == {(None, None, None)}
    page = clients["analyst"].get(PAGE, params={"import": ref}).text
    assert _shown(page) == [x["ref"] for x in leads]
    for x in leads:
        row = _row(page, x["ref"])
        assert '<span class="muted">not recorded by the run</span>' in row
        assert "checked (" not in row and "not-checked" not in row


def test_refusals(world: WebWorld, clients: dict[str, TestClient], imported: Path) -> None:
    before = _counts(world)
    out = clients["outsider"]
    page = out.get(PAGE)
    assert page.status_code == 403 and "not a member" in page.text
    assert "platform-conv" not in page.text and "run-1" not in page.text
    assert _post(out, PAGE + "/imports", {"path": str(imported.parent / "x")}).status_code == 403
    api = TestClient(world.app)
    r = api.get(API, headers=_token(world, "investigator", member=False))
    assert r.status_code == 403 and "platform-conv" not in r.text
    # a member whose role reads but does not write: the page, without the form; no import
    reader = clients["disclosure_officer"]
    page = reader.get(PAGE)
    assert page.status_code == 200 and 'id="import-form"' not in page.text and _shown(page.text)
    folder = imported.parent / "not-for-readers"
    results_folder(folder, result_rows(3), run_id="run-r")
    r = _post(reader, PAGE + "/imports", {"path": str(folder)})
    assert r.status_code == 403 and "may not write" in r.text
    r = api.post(API + "/imports", headers=_token(world, "disclosure_officer"),
                 json={"path": str(folder)})  # fmt: skip
    assert r.status_code == 403
    # refused before the folder is looked at: a missing one is not revealed as missing
    for c in (out, reader):
        r = _post(c, PAGE + "/imports", {"path": "/no/such/folder"})
        assert r.status_code == 403 and "does not exist" not in r.text
    for role, member in (("investigator", False), ("disclosure_officer", True)):
        r = api.post(API + "/imports", headers=_token(world, role, member),
                     json={"path": "/no/such/folder"})  # fmt: skip
        assert r.status_code == 403 and "does not exist" not in r.text
    assert _counts(world) == before


def test_each_listing_is_a_view_in_the_custody_log(
    world: WebWorld, clients: dict[str, TestClient], imported: Path
) -> None:
    user = world.accounts[("analyst", True)].username
    clients["analyst"].get(PAGE, params={"flagged": "true"})
    e = _last_entry(world)
    assert (e.actor, e.action, e.object_type, e.case_ref) == (user, "view", "leads", CASE)
    assert '"flagged_only": true' in e.details
    TestClient(world.app).get(API, headers=_token(world, "analyst"))
    e = _last_entry(world)
    assert (e.actor, e.action, e.object_type) == (user, "view", "leads")


@pytest.mark.browser
def test_an_investigator_imports_a_run_in_chromium(tmp_path: Path) -> None:
    """In Debian's chromium against ``vigil serve``: from the case page to Leads, import a run
    with the form, see its provenance and leads; the second try shows the service's error."""
    from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, sign_in_browser, vigil_serve

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="web.admin", database_url=None))
    create_case(ws, "OP-LEADS", "Platform referral", "Test unit", "Europe/London")
    password, secret = make_user(ws, "lead.officer", "investigator", ["OP-LEADS"])
    folder = results_folder(tmp_path / "scores.parquet", result_rows(12))
    ws.engine.dispose()
    with vigil_serve(home, "web.admin") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        try:
            sign_in_browser(page, url, "lead.officer", password, secret)
            page.goto(url + "/cases/OP-LEADS")
            page.click("#tool-leads")
            page.wait_for_url("**/cases/OP-LEADS/leads")
            page.fill("#import-path", str(folder))
            page.check("input[name=only_flagged]")
            page.click("#import-form button[type=submit]")
            page.wait_for_url("**/leads?imported=OP-LEADS-LI1**")
            assert "4 leads of 12 rows, flagged rows only" in page.inner_text("#imported")
            assert "cd" * 32 in page.inner_text("#import-OP-LEADS-LI1")
            assert page.locator("#leads-table tbody tr").count() == 4
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "leads.png"), full_page=True)
            page.fill("#import-path", str(folder))
            page.click("#import-form button[type=submit]")
            assert "already imported" in page.inner_text("#import-error")
        finally:
            browser.close()
