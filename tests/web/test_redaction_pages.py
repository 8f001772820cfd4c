"""The redaction editor on the web (issue 20 items 4 and 5): the disclosure officer selects
text, chooses a reason and saves; lists and withdraws; previews the redacted PDF; downloads the
redacted bundle. Other roles are refused and every act is in the custody log. The seeded chat
is synthetic and non-graphic."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import chat_messages, csrf_of, make_user, sign_in
from tests.web.serve import CHROMIUM, CHROMIUM_ARGS, sign_in_browser, vigil_serve
from tests.web.test_axe import AXE, BLOCKING, RUN_AXE, TAGS
from vigil.db.tables.evidence import CustodyEntry

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
WHY = "disclosure to the defence"
SPAN = "the station"  # in message 36 only


def _client(world: WebWorld, role: str) -> TestClient:
    acc = world.accounts[(role, True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    r = c.post(f"/cases/{CASE}/purpose",
               data={"purpose": WHY, "csrf_token": csrf_of(c.get("/account").text)})  # fmt: skip
    assert r.status_code == 200
    c.follow_redirects = False
    return c


@pytest.fixture(scope="module")
def officer(world: WebWorld) -> TestClient:
    return _client(world, "disclosure_officer")


def _editor(world: WebWorld) -> str:
    return f"/cases/{CASE}/conversations/{world.conv_id}/redaction"


def _custody(world: WebWorld) -> list[dict[str, object]]:
    with world.ws.sessions() as s:
        return [
            {"action": e.action, "actor": e.actor, **json.loads(e.details)}
            for e in s.execute(select(CustodyEntry).order_by(CustodyEntry.seq)).scalars()
        ]


def test_select_save_preview_withdraw(world: WebWorld, officer: TestClient) -> None:
    page = officer.get(_editor(world))
    assert page.status_code == 200 and 'id="redact-span"' in page.text
    assert 'data-seq="36"' in page.text and "redaction.js" in page.text
    text36 = chat_messages()[35][2]
    a = text36.index(SPAN)
    r = officer.post(_editor(world), data={
        "csrf_token": csrf_of(page.text), "kind": "span", "seq": "36", "start": str(a),
        "end": str(a + len(SPAN)), "reason": "operational", "note": "",
    })  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("#m-36")
    r = officer.post(_editor(world), data={
        "csrf_token": csrf_of(page.text), "kind": "phrase", "phrase": "Alex", "scope": "case",
        "reason": "third_party",
    })  # fmt: skip
    assert r.status_code == 303
    page = officer.get(_editor(world))
    assert f'<mark class="redacted" title="redaction 1: operational">{SPAN}</mark>' in page.text
    assert "every occurrence of a phrase (4 characters) in the whole case" in page.text
    pdf = officer.get(_editor(world) + "/preview.pdf?audience=defence")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = "".join(text.split())
    assert "[REDACTED:operationallysensitive]" in flat and "thestation" not in flat
    assert "Alex" not in text and "REDACTED: third-party personal data" in " ".join(text.split())
    full = officer.get(_editor(world) + "/preview.pdf?audience=unredacted")
    assert "thestation" in "".join(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(full.content)).pages).split()
    )
    r = officer.post(f"/cases/{CASE}/redactions/1/withdraw", data={
        "csrf_token": csrf_of(page.text), "why": "not sensitive after all",
        "next": _editor(world) + "#redactions",
    })  # fmt: skip
    assert r.status_code == 303
    page = officer.get(_editor(world))
    assert "withdrawn by disclosure-officer-in" in page.text and f"{SPAN}</mark>" not in page.text
    log = [e for e in _custody(world) if e["actor"] == "disclosure-officer-in"]
    acts = [(e["action"], e.get("redaction") or e.get("format") or e.get("view")) for e in log]
    assert ("annotate", "add") in acts and ("annotate", "withdraw") in acts
    assert acts.count(("export", "transcript")) == 2  # each preview is logged
    assert ("view", "redaction editor") in acts
    assert not [e for e in log if SPAN in json.dumps(e)]  # hashes, never the words


def test_redacted_bundle_download(world: WebWorld, officer: TestClient) -> None:
    page = officer.get(_editor(world))
    r = officer.post(f"/cases/{CASE}/redaction/bundle",
                     data={"csrf_token": csrf_of(page.text), "audience": "defence"})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        blob = b"".join(zf.read(n) for n in names).decode("latin-1")
        manifest = json.loads(zf.read("manifest.json"))
    assert "alex" not in (blob + " ".join(names)).lower()
    assert any(x["reason"] == "third_party" for x in manifest["redactions"])


def test_other_roles_are_refused(world: WebWorld) -> None:
    inv = _client(world, "investigator")
    assert inv.get(_editor(world)).status_code == 403
    csrf = csrf_of(inv.get("/account").text)
    r = inv.post(_editor(world), data={"csrf_token": csrf, "kind": "phrase", "phrase": "meet",
                                       "reason": "victim"})  # fmt: skip
    assert r.status_code == 403
    assert inv.get(_editor(world) + "/preview.pdf").status_code == 403
    conv = inv.get(f"/cases/{CASE}/conversations/{world.conv_id}")
    assert 'id="redaction-link"' in conv.text  # linked from the conversation page


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_select_text_with_the_mouse_and_save(world: WebWorld) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    password, secret = make_user(world.ws, "do-browser", "disclosure_officer", [CASE])
    target = "new phone"  # message 24
    with vigil_serve(world.ws.settings.home, "web.admin") as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        sign_in_browser(page, url, "do-browser", password, secret)
        page.goto(url + _editor(world))
        page.wait_for_url("**/purpose**")
        page.fill("input[name=purpose]", WHY)
        page.click("main button[type=submit]")
        page.wait_for_url("**/redaction")
        # select the words with the mouse: drag across them in message 24
        el = page.locator('.msg-text[data-seq="24"]')
        el.scroll_into_view_if_needed()
        box = page.evaluate(
            """([sel, word]) => {
                const el = document.querySelector(sel);
                const node = el.firstChild, i = node.textContent.indexOf(word);
                const r = document.createRange();
                r.setStart(node, i); r.setEnd(node, i + 1);
                const a = r.getBoundingClientRect();
                r.setStart(node, i + word.length - 1); r.setEnd(node, i + word.length);
                const b = r.getBoundingClientRect();
                return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
            }""",
            ['.msg-text[data-seq="24"]', target],
        )
        page.mouse.move(box[0], box[1])
        page.mouse.down()
        page.mouse.move(box[2], box[3], steps=8)
        page.mouse.up()
        page.wait_for_function("document.getElementById('redact-seq').value === '24'")
        text24 = chat_messages()[23][2]
        a = text24.index(target)
        assert page.input_value("#redact-start") == str(a)
        assert page.input_value("#redact-end") == str(a + len(target))
        page.select_option("#redact-reason", "victim")
        page.click("#redact-save")
        page.wait_for_url("**/redaction#m-24")
        mark = page.locator('.msg-text[data-seq="24"] mark.redacted')
        assert mark.inner_text() == target
        # accessibility: axe-core (vendored, served by Vigil) on the editor with its marks
        if AXE.exists():
            # checked at the top of the page: the sticky form would otherwise lie over whatever
            # the scroll left beneath it, and axe judges covered text against the cover
            page.evaluate("window.scrollTo(0, 0)")
            page.add_script_tag(url=url + "/static/vendor/axe.min.js")
            bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
                   for v in page.evaluate(RUN_AXE, TAGS) if v["impact"] in BLOCKING]  # fmt: skip
            assert not bad, "axe on the redaction editor:\n" + "\n".join(bad)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "redaction-editor.png"), full_page=True)
        browser.close()
