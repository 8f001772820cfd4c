"""Every view of message content leaves an audit entry with who, what and the stated purpose;
the purpose is asked once per case per sign-in; the log stays verifiable."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, sign_in
from vigil.db.tables.evidence import CustodyEntry
from vigil.services import access, links
from vigil.services.evidence.verify import verify_workspace


def entries_after(world: WebWorld, seq: int) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry).where(CustodyEntry.seq > seq).order_by(CustodyEntry.seq)
            ).scalars()
        )


def top(world: WebWorld) -> int:
    with world.ws.sessions() as s:
        return int(s.execute(select(func.max(CustodyEntry.seq))).scalar_one() or 0)


def test_page_views_are_logged_with_purpose_once_per_sign_in(world: WebWorld) -> None:
    acc = world.accounts[("investigator", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    url = f"/cases/{CASE}/conversations/{world.conv_id}"
    before = top(world)
    r = c.get(url, follow_redirects=False)
    assert r.status_code == 303 and "/purpose" in r.headers["location"]
    assert entries_after(world, before) == [], "nothing is shown, nothing is logged"
    form = c.get(r.headers["location"])
    r = c.post(f"/cases/{CASE}/purpose", data={"purpose": "interview preparation", "next": url,
                                               "csrf_token": csrf_of(form.text)})  # fmt: skip
    assert r.status_code == 200 and r.url.path == url
    r2 = c.get(url + "?start=10&limit=5")
    assert r2.status_code == 200
    views = [e for e in entries_after(world, before) if e.action == "view"]
    assert len(views) == 2
    for e in views:
        assert (e.actor, e.object_type, e.object_id, e.case_ref, e.purpose) == (
            acc.username,
            "conversation",
            str(world.conv_id),
            CASE,
            "interview preparation",
        )
    assert json.loads(views[1].details)["from_seq"] == 10
    assert json.loads(views[1].details)["to_seq"] == 14
    # a new sign-in is asked again
    c2 = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret, step=1)
    assert c2.get(url, follow_redirects=False).status_code == 303


def test_api_views_and_exports_are_logged(world: WebWorld) -> None:
    acc = world.accounts[("analyst", True)]
    token, info = access.create_token(world.ws, acc.username, "audit test")
    h = {"Authorization": f"Bearer {token}"}
    c = TestClient(world.app)
    base = f"/api/v1/cases/{CASE}/conversations/{world.conv_id}"
    before = top(world)
    assert c.get(base + "/messages", headers=h).status_code == 428
    assert entries_after(world, before) == []
    r = c.get(base + "/messages", params={"purpose": "disclosure review", "limit": 3}, headers=h)
    assert r.status_code == 200 and len(r.json()["messages"]) == 3
    r = c.get(base + "/messages", params={"start": 4, "limit": 3}, headers=h)  # purpose kept
    assert r.status_code == 200 and r.json()["messages"][0]["seq"] == 4
    r = c.get(base + "/export.csv", headers=h)
    assert r.status_code == 200 and r.text.count("\n") == 41
    got = [
        (e.action, e.actor, e.purpose, json.loads(e.details)["via"])
        for e in entries_after(world, before)
    ]
    assert got == [("view", acc.username, "disclosure review", "t")] * 2 + [
        ("export", acc.username, "disclosure review", "t")]  # fmt: skip
    assert info.id > 0


def test_every_content_route_logs_exactly_one_entry(world: WebWorld) -> None:
    acc = world.accounts[("supervisor", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    c.post(
        f"/cases/{CASE}/purpose",
        data={"purpose": "supervision check", "csrf_token": csrf_of(c.get("/").text)},
    )
    content = [
        f"/cases/{CASE}/conversations/{world.conv_id}",
        f"/cases/{CASE}/conversations/{world.conv_id}?category=secrecy",
        f"/cases/{CASE}/conversations/{world.conv_id}/export.csv",
        f"/api/v1/cases/{CASE}/conversations/{world.conv_id}/messages",
    ]
    for url in content:
        before = top(world)
        assert c.get(url).status_code == 200, url
        logged = entries_after(world, before)
        assert [(e.action in ("view", "export"), e.purpose) for e in logged] == [
            (True, "supervision check")
        ], url


def test_dashboard_logs_the_triage_view_per_case(world: WebWorld) -> None:
    acc = world.accounts[("disclosure_officer", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    before = top(world)
    r = c.get("/")
    assert r.status_code == 200 and "conv-link" in r.text
    triage = [e for e in entries_after(world, before) if e.object_type == "triage"]
    assert [(e.actor, e.case_ref, e.action) for e in triage] == [(acc.username, CASE, "view")]


def test_refused_requests_log_no_view_and_chain_verifies(world: WebWorld) -> None:
    outsider = world.accounts[("investigator", False)]
    c = sign_in(TestClient(world.app), outsider.username, outsider.password, outsider.secret)
    before = top(world)
    r = c.get(f"/cases/{CASE}/conversations/{world.conv_id}")
    assert r.status_code == 403
    assert c.get(f"/cases/OP-OTHER/conversations/{world.conv_id}").status_code in (303, 404)
    assert [e for e in entries_after(world, before) if e.action == "view"] == []
    rep = verify_workspace(world.ws)
    assert rep.ok, rep.problems + (rep.chain.problems if rep.chain else [])


def test_audit_search_finds_views_by_actor_and_purpose(world: WebWorld) -> None:
    auditor = world.accounts[("auditor", False)]
    token, _ = access.create_token(world.ws, auditor.username, "a")
    c = TestClient(world.app)
    h = {"Authorization": f"Bearer {token}"}
    viewer = world.accounts[("administrator", True)].username
    vt, _ = access.create_token(world.ws, viewer, "v")
    url = f"/api/v1/cases/{CASE}/conversations/{world.conv_id}/messages"
    r = c.get(
        url, params={"purpose": "audit search check"}, headers={"Authorization": f"Bearer {vt}"}
    )
    assert r.status_code == 200
    page: dict[str, Any] = c.get(
        "/api/v1/audit", params={"actor": viewer, "action": "view"}, headers=h
    ).json()
    assert page["entries"] and all(
        e["actor"] == viewer and e["action"] == "view" for e in page["entries"]
    )
    found = c.get("/api/v1/audit", params={"text": "audit search check"}, headers=h).json()
    assert [e["actor"] for e in found["entries"]] == [viewer]
    first = c.get("/api/v1/audit", params={"limit": 2}, headers=h).json()
    assert len(first["entries"]) == 2 and first["next_before"] == first["entries"][-1]["seq"]
    more = c.get(
        "/api/v1/audit", params={"limit": 2, "before": first["next_before"]}, headers=h
    ).json()
    assert more["entries"][0]["seq"] < first["entries"][-1]["seq"]


def test_case_and_exhibit_pages_are_logged_with_the_stated_purpose(world: WebWorld) -> None:
    acc = world.accounts[("analyst", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    before = top(world)
    assert c.get(f"/cases/{CASE}").status_code == 200
    [first] = [e for e in entries_after(world, before) if e.action == "view"]
    assert (first.actor, first.object_type, first.object_id, first.purpose) == (
        acc.username, "case", CASE, None,
    )  # fmt: skip
    assert json.loads(first.details)["page"] == "case overview"
    form = c.get(f"/cases/{CASE}/purpose")
    c.post(f"/cases/{CASE}/purpose", data={"purpose": "review exhibits for file",
                                           "csrf_token": csrf_of(form.text)})  # fmt: skip
    mark = top(world)
    assert c.get(links.exhibit(CASE, world.exhibit_ref)).status_code == 200
    [seen] = [e for e in entries_after(world, mark) if e.action == "view"]
    assert (seen.object_type, seen.object_id, seen.case_ref, seen.purpose) == (
        "exhibit", world.exhibit_ref, CASE, "review exhibits for file",
    )  # fmt: skip
