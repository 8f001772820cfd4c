"""Review decisions on the web (issue 17 item 2): the conversation page's forms (the journey's
"mark a message and the conversation 'escalate' with a note"), the decision history, the
state in the triage queue and on the case page, the state filter, and the API. The seeded
chat is synthetic and non-graphic."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, sign_in
from vigil.services import access

WHY = "review of the triage queue"


def _client(world: WebWorld, role: str, purpose: bool = True) -> TestClient:
    acc = world.accounts[(role, True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    if purpose:
        r = c.post(f"/cases/{CASE}/purpose",
                   data={"purpose": WHY, "csrf_token": csrf_of(c.get("/account").text)})  # fmt: skip
        assert r.status_code == 200
    return c


@pytest.fixture(scope="module")
def officer(world: WebWorld) -> TestClient:
    return _client(world, "investigator")


def _conv(world: WebWorld) -> str:
    return f"/cases/{CASE}/conversations/{world.conv_id}"


def test_mark_a_message_and_the_conversation_escalate_with_a_note(
    world: WebWorld, officer: TestClient
) -> None:
    page = officer.get(_conv(world))
    assert page.status_code == 200
    assert 'id="review-conversation"' in page.text and "Review message #36" in page.text
    assert "Vigil's scores only point to where to look" in page.text
    csrf = csrf_of(page.text)
    r = officer.post(
        _conv(world) + "/review",
        data={"csrf_token": csrf, "seq": "36", "state": "escalate", "note": "meeting proposed",
              "bookmark": "set", "next": _conv(world) + "?start=1#m-36"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("#m-36")
    r = officer.post(
        _conv(world) + "/review",
        data={"csrf_token": csrf, "state": "escalate", "note": "refer to the duty inspector",
              "tag": "Meeting"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("#review")
    page = officer.get(_conv(world)).text
    state = re.search(r'State: <strong class="review-state (\w+)">', page)
    assert state and state.group(1) == "escalate"
    history = page.split('id="review-history"', 1)[1].split("</details>", 1)[0]
    assert "marked escalate · whole conversation" in history
    assert "marked escalate · " in history and "message #36</a>" in history
    assert "refer to the duty inspector" in history and "tagged “meeting”" in history
    marks = page.split('id="m-36"', 1)[1].split('id="m-37"', 1)[0]
    assert "bookmarked" in marks and "meeting proposed" in marks and "Remove bookmark" in marks


def test_queue_and_case_page_show_and_filter_by_state(world: WebWorld, officer: TestClient) -> None:
    officer.post(_conv(world) + "/review", data={
        "csrf_token": csrf_of(officer.get("/account").text), "state": "escalate"})  # fmt: skip
    shown = officer.get("/?state=escalate")
    assert shown.status_code == 200 and f"#{world.conv_id} " in shown.text
    assert 'class="review-state escalate">escalate</span>' in shown.text
    assert f"#{world.conv_id} " not in officer.get("/?state=unreviewed").text
    assert "is not relevant" in officer.get("/?state=not_relevant").text
    assert officer.get("/?state=guilty").status_code in (400, 422)
    case = officer.get(f"/cases/{CASE}").text
    assert '<td class="review-state escalate">escalate</td>' in case
    token, _ = access.create_token(world.ws, world.accounts[("investigator", True)].username, "t")
    api = officer.get("/api/v1/triage?state=escalate", headers={"Authorization": f"Bearer {token}"})
    assert [(r["conversation_id"], r["review"]) for r in api.json()["queue"]] == [
        (world.conv_id, "escalate")
    ]
    none = officer.get(
        "/api/v1/triage?state=reviewed", headers={"Authorization": f"Bearer {token}"}
    )
    assert none.json()["queue"] == [] and none.json()["state"] == "reviewed"


def test_readers_see_the_history_but_cannot_decide(world: WebWorld, officer: TestClient) -> None:
    officer.post(_conv(world) + "/review", data={
        "csrf_token": csrf_of(officer.get("/account").text), "note": "seen by a reader"})  # fmt: skip
    reader = _client(world, "disclosure_officer")
    page = reader.get(_conv(world)).text
    assert "seen by a reader" in page
    assert 'id="review-conversation"' not in page and "Review message #" not in page
    r = reader.post(_conv(world) + "/review", data={
        "csrf_token": csrf_of(page), "state": "not_relevant"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 403
    assert "seen by a reader" not in r.text


def test_the_api_records_and_reads_decisions(world: WebWorld) -> None:
    name = world.accounts[("analyst", True)].username
    token, _ = access.create_token(world.ws, name, "review")
    h = {"Authorization": f"Bearer {token}"}
    api = TestClient(world.app)
    url = f"/api/v1/cases/{CASE}/conversations/{world.conv_id}/review"
    assert api.post(url, json={"state": "reviewed"}, headers=h).status_code == 428  # no purpose
    r = api.post(url, json={"seq": 12, "state": "escalate", "tags_add": ["supervision check"],
                            "purpose": WHY}, headers=h)  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [d["kind"] for d in body["decisions"]] == ["state", "tag"]
    assert body["marks"]["tags"] == ["supervision check"]
    assert api.post(url, json={"state": "guilty", "purpose": WHY}, headers=h).status_code == 422
    got = api.get(url + "?purpose=" + WHY.replace(" ", "+"), headers=h).json()
    assert got["messages"]["12"]["state"] == "escalate" and got["may_decide"] is True
    # a message's state is not the conversation's: the list filters on the conversation's own
    # (set here, so the test does not depend on another test having set it first)
    esc = api.post(url, json={"state": "escalate", "purpose": WHY}, headers=h)
    assert esc.status_code == 200, esc.text
    listed = api.get(f"/api/v1/cases/{CASE}/review?state=escalate&purpose=checking", headers=h)
    assert [c["conversation_id"] for c in listed.json()] == [world.conv_id]
