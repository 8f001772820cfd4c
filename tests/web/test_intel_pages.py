"""The intelligence pages: identifiers with their checks, cross-case hits naming only whom to
contact, the link graph as JSON and as a table, and exports as recorded downloads.

The world's OP-WEB gets a second synthetic chat with a phone number and an e-mail address; a
third case, OP-FAR, opened by another officer of another unit, holds the same phone number
beside a line of its own that must never reach OP-WEB's pages.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.services.intel_fixtures import telegram_chat
from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, sign_in
from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, sign_in_browser, vigil_serve
from vigil.db.tables.evidence import CustodyEntry
from vigil.services import access
from vigil.services.access import as_user
from vigil.services.cases import create_case
from vigil.services.casework.units import assign_case, create_unit
from vigil.services.ingest.run import ingest_file
from vigil.services.intel.pages import _validation
from vigil.services.users import create_user

FAR = "OP-FAR"
FAR_SECRET = "far-case-only-line about the lighthouse"
PHONE = "+447400123456"
EMAIL = "sam.skates@example.com"
PURPOSE = "plan enquiries for the intel page test"


@pytest.fixture(scope="module")
def intel_world(world: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    ws, tmp = world.ws, tmp_path_factory.mktemp("intel")
    chat = telegram_chat(tmp / "web2.json", 9101, "Sam", [
        ("Sam", "user601", "text me on 07400 123456, it's our secret", {}),
        ("Sam", "user601", f"or email me at {EMAIL}", {}),
        ("Jo", "user602", "ok", {}),
    ])  # fmt: skip
    ingest_file(ws, CASE, chat, fmt="telegram_json")
    create_user(ws, "officer.far", "investigator", "DC Morgan Hale")
    far = as_user(ws, "officer.far")
    create_case(far, FAR, "Far operation", None, "Europe/London")
    create_unit(ws, "SOUTH-OCU", "Southern Online Child Abuse Team", "team")
    assign_case(far, FAR, "SOUTH-OCU")
    chat = telegram_chat(tmp / "far.json", 9102, "Max", [
        ("Max", "user901", "ring +44 7400 123456 after school", {}),
        ("Max", "user901", FAR_SECRET, {}),
    ])  # fmt: skip
    ingest_file(far, FAR, chat, fmt="telegram_json")
    return world


@pytest.fixture(scope="module")
def client(intel_world: WebWorld) -> Iterator[TestClient]:
    acc = intel_world.accounts[("investigator", True)]
    c = sign_in(TestClient(intel_world.app), acc.username, acc.password, acc.secret)
    r = c.post(
        f"/cases/{CASE}/purpose",
        data={"purpose": PURPOSE, "csrf_token": csrf_of(c.get("/account").text)},
    )
    assert r.status_code == 200
    yield c


def custody(world: WebWorld, action: str, object_type: str) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry)
                .where(CustodyEntry.action == action, CustodyEntry.object_type == object_type)
                .order_by(CustodyEntry.seq)
            ).scalars()
        )


def never_other_cases(text: str) -> None:
    for secret in (FAR, "Far operation", FAR_SECRET, "OP-OTHER", "Another operation"):
        assert secret not in text


def test_identifiers_and_hits_under_need_to_know(intel_world: WebWorld, client: TestClient) -> None:
    r = client.get(f"/cases/{CASE}/intel")
    assert r.status_code == 200
    page = r.text
    assert "leads for a trained person" in page and "never a verdict" in page
    # the identifiers of the case, each with its check and where it was seen
    assert PHONE in page and EMAIL in page
    assert "passes its check" in page and "no check for this kind" in page
    assert "Sam, message 1" in page  # the conversation's name, not a raw id
    assert "phone number" in page.lower() and "e-mail address" in page.lower()
    # the cross-case hit: whom to contact, nothing of the other case
    hits = page.split('id="hits"', 1)[1].split("</section>", 1)[0]
    assert PHONE in hits and "Southern Online Child Abuse Team" in hits
    assert "DC Morgan Hale" in hits  # the officer in charge to call
    assert "user9001" in hits and "Test unit" in hits  # the seeded chat is in OP-OTHER too
    never_other_cases(page)
    # recorded with the stated purpose
    views = custody(intel_world, "view", "identifiers")
    assert views and views[-1].purpose == PURPOSE and views[-1].case_ref == CASE
    hit_views = custody(intel_world, "view", "cross_case_hits")
    assert hit_views[-1].purpose == PURPOSE and FAR not in hit_views[-1].details


def test_identifiers_search_sort_and_page(client: TestClient) -> None:
    r = client.get(f"/cases/{CASE}/intel", params={"q": "example.com"})
    table = r.text.split('class="identifiers"', 1)[1].split("</table>", 1)[0]
    assert EMAIL in table and PHONE not in table
    r = client.get(f"/cases/{CASE}/intel", params={"sort": "value", "order": "asc", "limit": 50})
    assert r.status_code == 200
    r = client.get(f"/cases/{CASE}/intel", params={"sort": "nonsense"})
    assert r.status_code == 400


def test_validation_words() -> None:
    assert _validation(2, 0) == ("passes its check", True)
    assert _validation(2, 1) == ("fails its check", False)
    assert _validation(0, 0) == ("no check for this kind", None)


def test_purpose_first(intel_world: WebWorld) -> None:
    acc = intel_world.accounts[("analyst", True)]
    c = sign_in(TestClient(intel_world.app), acc.username, acc.password, acc.secret)
    c.follow_redirects = False
    for path in ("/intel", "/intel/graph.json", "/intel/export?format=graphml"):
        r = c.get(f"/cases/{CASE}{path}")
        assert r.status_code == 303 and "/purpose" in r.headers["location"], path


def test_graph_json_is_this_case_only(client: TestClient) -> None:
    r = client.get(f"/cases/{CASE}/intel/graph.json")
    assert r.status_code == 200
    g = r.json()
    never_other_cases(r.text)
    labels = {n["label"] for n in g["nodes"]}
    ids = {n["id"] for n in g["nodes"]}
    assert any(PHONE in x for x in labels) and any("Telegram" in x for x in labels)
    assert "Sam (telegram conversation)" in labels  # conversations by name
    assert all(e["source"] in ids and e["target"] in ids for e in g["edges"])
    assert not g["truncated"] and g["total_nodes"] == len(g["nodes"])
    assert "never a verdict" in g["note"]


def test_page_lists_the_graph_as_a_table_and_loads_the_library(client: TestClient) -> None:
    page = client.get(f"/cases/{CASE}/intel").text
    table = page.split('id="graph-table"', 1)[1].split("</details>", 1)[0]
    assert "Sam (telegram conversation)" in table and "took part in" in table
    assert '<script src="/static/vendor/cytoscape.min.js" defer></script>' in page
    assert '<script src="/static/intel.js" defer></script>' in page
    assert f'data-src="/cases/{CASE}/intel/graph.json"' in page
    for asset in ("/static/intel.js", "/static/intel.css"):
        assert client.get(asset).status_code == 200


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [("graphml", "xml"), ("anx", "xml"), ("maltego", "csv"), ("ftm", "jsonl")],
)
def test_exports_are_recorded_downloads(
    intel_world: WebWorld, client: TestClient, fmt: str, kind: str
) -> None:
    before = len(custody(intel_world, "export", "intel_export"))
    r = client.get(f"/cases/{CASE}/intel/export", params={"format": fmt})
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith(f'attachment; filename="{CASE}-link-graph')
    never_other_cases(r.text)
    assert PHONE in r.text
    if kind == "xml":
        root = ElementTree.fromstring(r.content)
        if fmt == "graphml":
            g = nx.parse_graphml(r.text)
            assert g.number_of_nodes() > 3
        assert root is not None
    elif kind == "csv":
        assert len(list(csv.reader(io.StringIO(r.text)))) > 1
    else:
        assert all(json.loads(line)["schema"] for line in r.text.splitlines())
    entries = custody(intel_world, "export", "intel_export")
    assert len(entries) == before + 1
    e = entries[-1]
    details = json.loads(e.details)
    assert (e.case_ref, e.purpose, details["format"]) == (CASE, PURPOSE, fmt)
    assert details["size"] == len(r.content) and details["with_messages"] is False
    assert client.get(f"/cases/{CASE}/intel/export", params={"format": "pdf"}).status_code == 400


def test_api_twins(intel_world: WebWorld) -> None:
    acc = intel_world.accounts[("disclosure_officer", True)]
    token, _ = access.create_token(intel_world.ws, acc.username, "intel test")
    api = TestClient(intel_world.app)
    h = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/cases/{CASE}/intel"
    assert api.get(base, headers=h).status_code == 428  # no purpose stated with this token
    r = api.get(base, headers=h, params={"purpose": "disclosure review of identifiers"})
    assert r.status_code == 200
    body = r.json()
    hit = next(x for x in body["hits"] if x["value"] == PHONE)
    assert hit["contacts"] == [
        {"unit": "Southern Online Child Abuse Team", "officer": "DC Morgan Hale"}
    ]
    assert {i["value"] for i in body["identifiers"]["items"]} >= {PHONE, EMAIL}
    never_other_cases(r.text)
    g = api.get(base + "/graph.json", headers=h).json()
    assert g["nodes"] and g["edges"]
    r = api.get(base + "/export", headers=h, params={"format": "graphml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    out = intel_world.accounts[("investigator", False)]
    token, _ = access.create_token(intel_world.ws, out.username, "intel test")
    r = api.get(base, headers={"Authorization": f"Bearer {token}"}, params={"purpose": "nosy"})
    assert r.status_code == 403
    never_other_cases(r.text)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_graph_renders_in_chromium(intel_world: WebWorld) -> None:
    """The link graph is drawn by cytoscape in a real browser, a click on a node shows its
    details, no Content-Security-Policy error occurs; without the library the table shows."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    acc = intel_world.accounts[("supervisor", True)]
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
    artifacts.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with (
        vigil_serve(intel_world.ws.settings.home, "web.admin") as url,
        sync_api.sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        try:
            sign_in_browser(page, url, acc.username, acc.password, acc.secret)
            page.goto(f"{url}/cases/{CASE}")
            page.click("#tool-intel")
            page.wait_for_url("**/purpose**")
            page.fill("input[name=purpose]", "browser test: cross-case check")
            page.click("main button[type=submit]")
            page.wait_for_url(f"**/cases/{CASE}/intel")
            hit = page.locator("#hits li.hit", has_text=PHONE)
            assert "DC Morgan Hale" in hit.inner_text()
            page.wait_for_selector("#graph[data-ready=true]", timeout=30_000)
            count = page.evaluate("window.vigilGraph.nodes().length")
            assert count >= 5
            # click the most connected node where cytoscape drew it
            page.locator("#graph").scroll_into_view_if_needed()
            pos = page.evaluate(
                "(() => { const n = window.vigilGraph.nodes().max(x => x.degree()).ele;"
                " const p = n.renderedPosition(); return [p.x, p.y, n.data('label')]; })()"
            )
            box = page.locator("#graph").bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + pos[0], box["y"] + pos[1])
            page.wait_for_selector("#graph-detail h3")
            assert page.inner_text("#graph-detail h3") == pos[2]
            assert "Linked to" in page.inner_text("#graph-detail")
            page.locator("#graph-section").screenshot(path=str(artifacts / "07-intel-graph.png"))
            # without the library the page falls back to the table
            page.route("**/static/vendor/cytoscape.min.js", lambda route: route.abort())
            page.reload()
            page.wait_for_function("document.getElementById('graph-table').open")
            assert "not installed" in page.inner_text("#graph-status")
            assert page.locator("#graph-table table.nodes tbody tr").count() == count
        finally:
            context.close()
            browser.close()
    csp = [m for m in problems if "Content Security Policy" in m]
    assert not csp, csp
