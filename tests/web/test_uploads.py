"""Evidence in from the browser: the upload page, the chunk API (session + CSRF header, and
bearer token), jobs as JSON and pages; and one real upload in Debian's chromium."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.services.test_jobs import whatsapp_export
from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, make_user, sign_in
from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, sign_in_browser, vigil_serve
from vigil.config import Settings
from vigil.db.tables.evidence import CustodyEntry
from vigil.services import access
from vigil.services.cases import create_case
from vigil.services.workspace import init_workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
START = f"/api/v1/cases/{CASE}/uploads"


def _client(world: WebWorld, role: str = "investigator") -> tuple[TestClient, str]:
    acc = world.accounts[(role, True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    return c, csrf_of(c.get(f"/cases/{CASE}/upload").text)


def _start(c: TestClient, csrf: str, data: bytes, **kw: Any) -> dict[str, Any]:
    body = {"name": "WhatsApp Chat with Sam.txt", "size": len(data), "kind": "chat",
            "source": "handset of the complainant", "acquired_by": "Dana Cole", **kw}  # fmt: skip
    r = c.post(START, json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _wait(c: TestClient, job_id: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = c.get(f"/api/v1/jobs/{job_id}", headers=headers or {}).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_upload_page_offers_the_form(world: WebWorld) -> None:
    c, _ = _client(world)
    page = c.get(f"/cases/{CASE}/upload").text
    assert 'id="upload-form"' in page and 'name="csrf_token"' in page
    assert "chat export" in page and "handset extraction (UFDR)" in page
    assert 'src="/static/upload.js"' in page and "<script>" not in page
    assert "never a verdict" in page
    reader = world.accounts[("disclosure_officer", True)]
    d = sign_in(TestClient(world.app), reader.username, reader.password, reader.secret)
    assert d.get(f"/cases/{CASE}/upload").status_code == 403  # reads, may not bring in


def test_chunks_with_csrf_resume_and_job_runs(world: WebWorld) -> None:
    data = whatsapp_export(600)
    c, csrf = _client(world, "supervisor")
    h = {"X-CSRF-Token": csrf}
    with c:  # runs the app's lifespan: the job runner
        st = _start(c, csrf, data, ingest=True, notes="from the browser test")
        url = f"/api/v1/uploads/{st['token']}"
        assert st["offset"] == 0 and st["chunk_size"] > 0
        assert c.put(url + "?offset=0", content=data[:100]).status_code == 403  # no CSRF token
        assert c.put(url + "?offset=0", content=data[:1000], headers=h).json()["offset"] == 1000
        gap = c.put(url + "?offset=5000", content=data[5000:], headers=h)
        assert gap.status_code == 409 and gap.json()["offset"] == 1000
        assert gap.headers["Upload-Offset"] == "1000"
        early = c.post(url + "/complete", json={}, headers=h)
        assert early.status_code == 409 and early.json()["offset"] == 1000
        offset = c.get(url).json()["offset"]
        r = c.put(f"{url}?offset={offset}", content=data[offset:], headers=h)
        assert r.status_code == 200 and r.json()["offset"] == len(data)
        done = c.post(url + "/complete", json={"sha256": hashlib.sha256(data).hexdigest()}, headers=h)  # fmt: skip
        assert done.status_code == 200, done.text
        job = _wait(c, done.json()["job_id"])
    assert job["state"] == "done", job["message"]
    assert job["result"]["messages"] == 600
    assert job["result"]["sha256"] == hashlib.sha256(data).hexdigest()
    page = c.get(job["url"]).text
    assert job["result"]["exhibit"] in page and "finished" in page
    with world.ws.sessions() as s:
        views = s.execute(
            select(CustodyEntry).where(
                CustodyEntry.object_type == "job", CustodyEntry.object_id == str(job["id"])
            )
        ).scalars()
        assert [(e.action, e.case_ref) for e in views] == [("view", CASE)]  # the page, not polls
    assert job["title"] in c.get("/jobs").text
    assert any(j["id"] == job["id"] for j in c.get("/api/v1/jobs").json())
    case = c.get(f"/api/v1/cases/{CASE}").json()
    assert case["conversations_total"] >= 2, "the uploaded chat is in the case"


def test_bearer_token_and_refusals(world: WebWorld) -> None:
    acc = world.accounts[("analyst", True)]
    token, _ = access.create_token(world.ws, acc.username, "uploads test")
    h = {"Authorization": f"Bearer {token}"}
    c = TestClient(world.app)
    body = {"name": "photo.png", "size": 4, "kind": "media", "source": "test",
            "acquired_by": "A. Analyst", "ingest": True}  # fmt: skip
    bad = c.post(START, json=body, headers=h)
    assert bad.status_code == 400 and "registered, not ingested" in bad.json()["detail"]
    body["ingest"] = False
    st = c.post(START, json=body, headers=h).json()
    url = f"/api/v1/uploads/{st['token']}"
    assert c.put(url + "?offset=0", content=b"\x89PNG", headers=h).json()["offset"] == 4
    too_much = c.put(url + "?offset=4", content=b"x", headers=h)
    assert too_much.status_code == 400
    outsider = world.accounts[("analyst", False)]
    other, _ = access.create_token(world.ws, outsider.username, "uploads test")
    assert c.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    done = c.post(url + "/complete", headers=h).json()
    job = c.get(f"/api/v1/jobs/{done['job_id']}", headers=h).json()
    assert job["state"] in ("queued", "running", "done") and job["case_ref"] == CASE
    refused = c.get(f"/api/v1/jobs/{done['job_id']}", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 403 and "photo.png" not in refused.text


# --- one real upload in Debian's chromium ---------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_browser_upload_chat_export_job_done(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    home = tmp_path / "ws"
    ws, _, _ = init_workspace(Settings(home=home, user="web.admin", database_url=None))
    create_case(ws, "OP-UPLOAD", "Upload test operation", "Test unit", "Europe/London")
    password, secret = make_user(ws, "officer", "investigator", ["OP-UPLOAD"])
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_bytes(whatsapp_export(800))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    csp: list[str] = []
    with vigil_serve(home, "web.admin") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
        try:
            sign_in_browser(page, url, "officer", password, secret)
            page.goto(url + "/cases/OP-UPLOAD")
            page.click("#tool-upload")
            page.wait_for_url("**/upload")
            # small chunks, and the third one lost on the way: the page resumes
            page.evaluate("document.getElementById('upload-form').dataset.chunk = '8192'")
            puts: list[str] = []

            def lose_third(route: Any) -> None:
                if route.request.method == "PUT":
                    puts.append(route.request.url)
                    if len(puts) == 3:
                        route.abort()
                        return
                route.continue_()

            page.route("**/api/v1/uploads/**", lose_third)
            page.set_input_files("#upload-file", str(export))
            page.fill("input[name=source]", "handset of the complainant")
            page.fill("textarea[name=notes]", "browser test")
            page.click("#upload-start")
            page.wait_for_selector(".upload-status.done", timeout=120_000)
            page.screenshot(path=str(ARTIFACTS / "06-upload-done.png"), full_page=True)
            assert "800 messages" in page.inner_text("#upload-text")
            offsets = [int(u.rsplit("offset=", 1)[1]) for u in puts]
            assert len(offsets) > 4 and offsets[3] == offsets[2], "the lost chunk was sent again"
            page.click("#upload-job")
            page.wait_for_selector("#job-result")
            assert "finished" in page.inner_text("#job-state")
            page.click("#job-case")
            page.wait_for_url("**/cases/OP-UPLOAD")
            assert page.locator("#ranked tbody a.conv-link").count() == 1  # ready for triage
            page.goto(url + "/jobs")
            assert "WhatsApp Chat with Sam.txt" in page.inner_text("#jobs")
        finally:
            browser.close()
    assert not csp, csp
