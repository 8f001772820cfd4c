"""The search page and ``GET /api/v1/search`` through the TestClient: the form, hits in
context with the matched words marked, paging, purpose, need to know and the audit entry.

The web world (tests/web/conftest.py) holds OP-WEB and OP-OTHER with the same synthetic chat;
this module adds a short chat to each, so that some words are in one case only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import CASE, OTHER, WebWorld
from tests.web.seed import sign_in
from vigil.db.tables.evidence import CustodyEntry
from vigil.services import access
from vigil.services.ingest.run import ingest_file

PURPOSE = "search test: find the meeting plans"
ONLY_OTHER = "the lighthouse keeper waved at the ferry"
"""A message of OP-OTHER only (no one on OP-WEB alone may learn it exists)."""


@pytest.fixture(scope="module")
def searchable(world: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    tmp = tmp_path_factory.mktemp("search-chats")
    chats = {
        CASE: "02/06/2024, 09:00 - Sam: we can m33t at the <north> gate & wait\n"
        "02/06/2024, 09:01 - Kim: which gate?\n",
        OTHER: f"03/06/2024, 10:00 - Pat: {ONLY_OTHER}\n03/06/2024, 10:01 - Lee: nice\n",
    }
    for ref, text in chats.items():
        f: Path = tmp / f"WhatsApp Chat {ref}.txt"
        f.write_text(text, encoding="utf-8")
        ingest_file(world.ws, ref, f, fmt="whatsapp_txt", tz="UTC")
    return world


@pytest.fixture(scope="module")
def browser(searchable: WebWorld) -> Iterator[dict[str, TestClient]]:
    """A signed-in browser per account used here."""
    out = {}
    for key in (("investigator", True), ("auditor", True), ("analyst", False)):
        acc = searchable.accounts[key]
        out[acc.username] = sign_in(TestClient(searchable.app), acc.username, acc.password,
                                    acc.secret)  # fmt: skip
    yield out


def token(world: WebWorld, role: str, member: bool) -> dict[str, str]:
    t, _ = access.create_token(world.ws, world.accounts[(role, member)].username, "search test")
    return {"Authorization": f"Bearer {t}"}


def entries(world: WebWorld) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        q = select(CustodyEntry).where(CustodyEntry.object_type == "search")
        return list(s.execute(q.order_by(CustodyEntry.seq)).scalars())


def test_the_form(searchable: WebWorld, browser: dict[str, TestClient]) -> None:
    r = browser["investigator-in"].get("/search")
    assert r.status_code == 200
    assert '<a href="/search">Search</a>' in r.text  # in the navigation
    assert re.search(r'name="purpose"[^>]* required', r.text)
    assert f'<option value="{CASE}"' in r.text and OTHER not in r.text  # only my cases
    assert "lead for a trained person" in r.text


def test_hits_in_context_with_marks_and_links(
    searchable: WebWorld, browser: dict[str, TestClient]
) -> None:
    c = browser["investigator-in"]
    r = c.get("/search", params={"q": "meet", "purpose": PURPOSE, "order": "oldest"})
    assert r.status_code == 200, r.text[:500]
    assert "we can <mark>m33t</mark> at the &lt;north&gt; gate &amp; wait" in r.text
    assert "<mark>meet</mark> on saturday?" in r.text  # the seeded chat's meeting cue
    assert "which gate?" in r.text  # a message of context after the hit
    conv = searchable.conv_id
    assert f'href="/cases/{CASE}/conversations/{conv}?start=34#m-36"' in r.text
    assert "recorded in the audit log" in r.text and PURPOSE in r.text


def test_paging(searchable: WebWorld, browser: dict[str, TestClient]) -> None:
    c = browser["investigator-in"]
    q = {"q": "boring", "purpose": PURPOSE, "per_page": "2"}
    first = c.get("/search", params=q)
    assert first.status_code == 200
    nxt = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert nxt is not None and "page=2" in nxt.group(1)
    second = c.get(nxt.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and 'rel="prev"' in second.text
    seqs = [re.findall(r'class="msg hit[^"]*">\s*<div class="meta"><a href="[^"]*#m-(\d+)"', p.text)
            for p in (first, second)]  # fmt: skip
    assert len(seqs[0]) == len(seqs[1]) == 2 and not set(seqs[0]) & set(seqs[1])


def test_purpose_is_required(searchable: WebWorld, browser: dict[str, TestClient]) -> None:
    before = len(entries(searchable))
    r = browser["investigator-in"].get("/search", params={"q": "meet"})
    assert r.status_code == 400 and "state why you are searching" in r.text
    assert 'name="q" value="meet"' in r.text  # the form again, as filled in
    api = TestClient(searchable.app).get(
        "/api/v1/search", params={"q": "meet"}, headers=token(searchable, "investigator", True)
    )
    assert api.status_code == 400 and "state why" in api.json()["detail"]
    assert len(entries(searchable)) == before


def test_need_to_know(searchable: WebWorld, browser: dict[str, TestClient]) -> None:
    c = browser["investigator-in"]
    r = c.get("/search", params={"q": "lighthouse keeper", "purpose": PURPOSE})
    assert r.status_code == 200
    assert ONLY_OTHER not in r.text and OTHER not in r.text
    assert re.search(r"<strong>0</strong> messages", r.text)
    api = TestClient(searchable.app)
    h = token(searchable, "investigator", True)
    j = api.get("/api/v1/search", params={"q": "lighthouse", "purpose": PURPOSE}, headers=h).json()
    assert (j["total"], j["hits"], j["cases_searched"], j["more"]) == (0, [], 1, False)
    assert j["index"]["pending_messages"] == 0
    refused = [
        api.get(
            "/api/v1/search", params={"q": "lighthouse", "purpose": PURPOSE, "case": ref}, headers=h
        )
        for ref in (OTHER, "OP-NO-SUCH")
    ]
    assert [x.status_code for x in refused] == [403, 403]
    assert refused[0].text.replace(OTHER, "X") == refused[1].text.replace("OP-NO-SUCH", "X")
    page = c.get("/search", params={"q": "lighthouse", "purpose": PURPOSE, "case": OTHER})
    assert page.status_code == 403 and ONLY_OTHER not in page.text
    # someone on OP-OTHER finds it
    mine = browser["analyst-out"].get("/search", params={"q": "lighthouse", "purpose": PURPOSE})
    assert "<mark>lighthouse</mark> keeper" in mine.text


def test_roles_that_do_not_read_and_strangers(
    searchable: WebWorld, browser: dict[str, TestClient]
) -> None:
    aud = browser["auditor-in"]
    assert aud.get("/search").status_code == 403
    assert aud.get("/search", params={"q": "meet", "purpose": PURPOSE}).status_code == 403
    h = token(searchable, "auditor", True)
    api = TestClient(searchable.app)
    assert (
        api.get("/api/v1/search", params={"q": "meet", "purpose": PURPOSE}, headers=h).status_code
        == 403
    )
    anon = TestClient(searchable.app, follow_redirects=False)
    assert anon.get("/search", params={"q": "meet"}).status_code == 303
    assert anon.get("/api/v1/search", params={"q": "meet", "purpose": PURPOSE}).status_code == 401


def test_api_and_one_audit_entry_per_search(searchable: WebWorld) -> None:
    api = TestClient(searchable.app)
    before = len(entries(searchable))
    r = api.get(
        "/api/v1/search",
        params={"q": '"new phone"', "purpose": PURPOSE, "participant": "Alex", "context": "1"},
        headers=token(searchable, "disclosure_officer", True),
    )
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["total"] == 1 and j["terms"] == ['"new phone"'] and j["note"].startswith("Vigil")
    (hit,) = j["hits"]
    m = hit["message"]
    assert m["text"] == "i can get you a new phone if you want" and m["seq"] == 24
    assert [m["text"][a:b] for a, b in m["marks"]] == ["new phone"]
    assert [x["seq"] for x in hit["before"]] == [23] and [x["seq"] for x in hit["after"]] == [25]
    after = entries(searchable)
    assert len(after) == before + 1
    e = after[-1]
    d = json.loads(e.details)
    assert e.actor == searchable.accounts[("disclosure_officer", True)].username
    assert e.purpose == PURPOSE and d["query"] == '"new phone"' and d["via"] == "t"
    assert d["filters"] == {"participant": "Alex"} and d["hits"] == 1


def test_bad_input_is_a_400_not_a_failure(searchable: WebWorld) -> None:
    api = TestClient(searchable.app)
    h = token(searchable, "investigator", True)
    for params in (
        {"q": "a*", "purpose": PURPOSE},
        {"q": "meet", "purpose": PURPOSE, "from": "yesterday"},
        {"q": "meet", "purpose": PURPOSE, "to": "9999-12-31"},
        {"q": "meet\x00", "purpose": PURPOSE},
        {"q": "meet", "purpose": PURPOSE, "page": "400"},
    ):
        assert api.get("/api/v1/search", params=params, headers=h).status_code == 400, params


@pytest.mark.parametrize("many", [10, 200])
def test_many_cases_are_typed_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, many: int
) -> None:
    """A person on more than 50 cases types case references (the form does not list
    thousands of options); several references in one field are each searched; past
    ``MANY_CASES`` the cases are selected inside the statement, with the same hits."""
    from vigil.services.search import run as search_run

    monkeypatch.setattr(search_run, "MANY_CASES", many)
    from tests.web.seed import make_user
    from vigil.config import Settings
    from vigil.services.cases import create_case
    from vigil.services.workspace import init_workspace
    from vigil.web.app import create_app

    ws, _, _ = init_workspace(Settings(home=tmp_path / "ws", user="web.admin"))
    refs = [f"OP-M{i:02d}" for i in range(55)]
    for ref in refs:
        create_case(ws, ref, f"Case {ref}", "Unit", "Europe/London")
    password, secret = make_user(ws, "many", "investigator", refs)
    chat = tmp_path / "chat.txt"
    chat.write_text("[15/01/2025, 10:00:00] Kai: hello there\n[15/01/2025, 10:01:00] Sam: hi\n")
    ingest_file(ws, "OP-M03", chat)
    c = sign_in(TestClient(create_app(workspace=ws)), "many", password, secret)
    everywhere = c.get("/api/v1/search", params={"q": "hello", "purpose": "test of scope"})
    assert everywhere.status_code == 200, everywhere.text
    assert "hello there" in everywhere.text and "OP-M03" in everywhere.text
    form = c.get("/search").text
    assert '<input name="case"' in form and "all 55 of yours" in form
    assert '<option value="OP-M00"' not in form
    r = c.get("/api/v1/search", params={"q": "hello", "purpose": "test of the case field",
                                        "case": "OP-M01, OP-M02"})  # fmt: skip
    assert r.status_code == 200, r.text
    page = c.get("/search", params={"q": "hello", "purpose": "test of the case field",
                                    "case": "OP-M01, OP-NOPE"})  # fmt: skip
    assert page.status_code == 403  # an unknown reference is refused like a case one is not on
