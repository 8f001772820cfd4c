"""Browser capture end to end: Debian's chromium under Playwright, headless, against the
synthetic chat site served on 127.0.0.1. The test clicks and presses keys as an officer would
by hand; Vigil only records. Every file is hashed, stored and in custody; the report names
every capture's SHA-256."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from tests.capture.conftest import CASE
from tests.web.serve import CHROMIUM
from vigil.db.tables.capture import Capture
from vigil.db.tables.evidence import Blob, CustodyEntry, Exhibit
from vigil.errors import AccessDenied, UserError
from vigil.services.capture import record, report, sessions
from vigil.services.capture.browser import BrowseOptions, CaptureBrowser
from vigil.services.capture.record import CaptureInfo, PageSnapshot
from vigil.services.workspace import Workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"
    ),
]
pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "capture"
OPTS = BrowseOptions(chromium=CHROMIUM, headless=True, sandbox=False, settle=0.2)


def pump_until(cb: CaptureBrowser, done: Callable[[], bool], seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.2)):
        if done():
            return
        cb.pump(0.2)
    raise AssertionError("the capture did not arrive in time")


def custody(ws: Workspace) -> list[CustodyEntry]:
    with ws.sessions() as s:
        return list(s.execute(select(CustodyEntry).order_by(CustodyEntry.seq)).scalars())


def test_browse_capture_notes_stop_report(
    ws: Workspace, persona: str, site: str, tmp_path: Path
) -> None:
    sessions.start_session(ws, CASE, persona, "chatsite", officer_name="Jane Smith")
    got: list[CaptureInfo] = []

    def keep(snap: PageSnapshot) -> None:
        got.append(record.record_page(ws, snap))

    with CaptureBrowser(keep, OPTS, clock=ws.now) as cb:
        cb.open(f"{site}/chat.html")
        pump_until(cb, lambda: len(got) == 1)  # the first navigation, after load
        cb.page.click("#to-profile")  # the officer follows a link
        pump_until(cb, lambda: len(got) == 2)
        cb.page.keyboard.press("Control+Shift+S")  # a manual capture by the shortcut
        pump_until(cb, lambda: len(got) == 3)
        cb.page.locator("vigil-capture button").click()  # ...and by the injected button
        pump_until(cb, lambda: len(got) == 4)
        sessions.add_note(ws, "Suspect account sent a message; captured manually.")
        cb.page.click("#to-chat")
        pump_until(cb, lambda: len(got) == 5)
        cb.page.click("#to-latest")  # a same-document navigation is one too
        pump_until(cb, lambda: len(got) == 6)
        cb.pump(1.0)  # nothing else is captured unasked
    assert cb.summary.failures == 0 and len(got) == 6
    assert [c.kind for c in got] == ["navigation", "navigation", "manual", "manual", "navigation",
                                     "navigation"]  # fmt: skip
    assert [c.url for c in got] == [f"{site}/{p}" for p in
                                    ("chat.html", "profile.html", "profile.html", "profile.html",
                                     "chat.html", "chat.html#latest")]  # fmt: skip
    assert got[0].title == "Chat with sam_river (synthetic test page)"
    assert all([f.part for f in c.files] == ["screenshot", "mhtml", "html"] for c in got)
    info = sessions.stop_session(ws)
    assert info.captures == 6 and info.notes == 1

    first = got[0].files
    with ws.store.open(first[0].sha256) as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    with ws.store.open(first[1].sha256) as fh:
        assert b"MIME-Version" in fh.read(4096)
    with ws.store.open(first[2].sha256) as fh:
        page = fh.read().decode("utf-8")
    assert "what a goal in the second half" in page and "Last seen: just now" in page
    assert "vigil-capture" not in page  # the button is off the page while it is captured

    # every file: the store's bytes hash to the registered digests, and it is in custody
    log = custody(ws)
    with ws.sessions() as s:
        for c in got:
            for f in c.files:
                ex = s.execute(select(Exhibit).where(Exhibit.ref == f.ref)).scalar_one()
                blob = s.get(Blob, ex.blob_sha256)
                assert blob is not None and blob.sha256 == f.sha256
                d = ws.store.rehash(f.sha256)
                assert (d.sha256, d.sha1, d.md5, d.size) == (blob.sha256, blob.sha1, blob.md5,
                                                             blob.size)  # fmt: skip
                reg = [json.loads(e.details) for e in log if e.object_id == f.ref
                       and e.action in ("register", "reacquire")]  # fmt: skip
                assert any(r["sha256"] == f.sha256 and c.url in r["source"]
                           and "OP-TEST/CS1" in r["source"]
                           and r["captured_by_persona"] == "P-1" for r in reg)  # fmt: skip
            (entry,) = [json.loads(e.details) for e in log
                        if e.object_type == "capture" and e.object_id == f"OP-TEST/CS1#{c.seq}"]  # fmt: skip
            assert entry["url"] == c.url and entry["title"] == c.title
            assert [x["sha256"] for x in entry["files"]] == [f.sha256 for f in c.files]
        assert len(s.execute(select(Capture)).all()) == 6

    html, r = report.capture_report(ws, "OP-TEST/CS1", "html")
    pdf, _ = report.capture_report(ws, "OP-TEST/CS1", "pdf")
    text = html.decode("utf-8")
    pdf_text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    hashes = {f.sha256 for c in got for f in c.files}
    assert len(r.captures) == 6 and [n.text for n in r.notes] == [
        "Suspect account sent a message; captured manually."
    ]
    for h in hashes:
        assert h in text and h in pdf_text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # for a person to look at; never asserted on
    (ARTIFACTS / "capture-report.pdf").write_bytes(pdf)
    with ws.store.open(got[2].files[0].sha256) as fh:
        (ARTIFACTS / "manual-capture.png").write_bytes(fh.read())
    assert "Suspect account sent a message; captured manually." in text
    assert f"{site}/profile.html" in text and "session stopped" in text
    events = [ln.what for ln in r.log]
    assert (events[0], events[-1]) == ("session started", "session stopped")
    assert sorted(events[1:-1]) == sorted([f"capture {c.seq} ({c.kind})" for c in got] + ["note 1"])


def test_cli_browse_headless_for_a_duration(
    ws: Workspace, persona: str, site: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`vigil capture browse --headless --duration 4 --every 2`: the first navigation and the
    interval captures land in the session; the report is written by `vigil capture report`."""
    from vigil.cli.main import app

    monkeypatch.setenv("VIGIL_HOME", str(ws.settings.resolved_home))
    monkeypatch.setenv("VIGIL_USER", ws.settings.user)
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    runner = CliRunner()

    def vigil(*args: str) -> str:
        r = runner.invoke(app, list(args))
        assert r.exit_code == 0, (args, r.output, r.exception)
        return r.output

    refused = runner.invoke(app, ["capture", "start", "--case", CASE, "--persona", "P-2",
                                  "--platform", "chatsite"])  # fmt: skip
    assert isinstance(refused.exception, AccessDenied)
    assert "capture session not started" in refused.exception.message
    assert "authorisation A-1 live" in vigil(
        "capture", "start", "--case", CASE, "--persona", persona, "--platform", "chatsite",
        "--officer", "Jane Smith",
    )  # fmt: skip
    out = vigil("capture", "browse", f"{site}/chat.html", "--headless", "--no-sandbox",
                "--duration", "4", "--every", "2", "--chromium", str(CHROMIUM))  # fmt: skip
    assert "capture 1 (navigation)" in out and "(interval)" in out and "0 failed" in out
    vigil("capture", "note", "Browse ended by duration.")
    vigil("capture", "stop")
    (listed,) = json.loads(vigil("capture", "list", "--case", CASE, "--json"))
    assert listed["captures"] >= 2 and listed["notes"] == 1 and listed["stopped_at"]
    vigil("capture", "report", "--out", str(tmp_path / "cs1.html"))
    assert "Browse ended by duration." in (tmp_path / "cs1.html").read_text(encoding="utf-8")


def test_the_browse_ends_when_the_session_stops_or_the_pages_close(
    ws: Workspace, persona: str, site: str
) -> None:
    sessions.start_session(ws, CASE, persona, "chatsite", officer_name="Jane Smith")
    got: list[CaptureInfo] = []

    def keep(snap: PageSnapshot) -> None:
        got.append(record.record_page(ws, snap))

    def stopped() -> str | None:  # as `vigil capture browse` asks, every few seconds
        try:
            sessions.current_session(ws)
        except UserError as exc:
            return exc.message
        return None

    with CaptureBrowser(keep, OPTS, clock=ws.now, should_stop=stopped) as cb:
        cb.open(f"{site}/chat.html")
        pump_until(cb, lambda: len(got) == 1)
        sessions.stop_session(ws)  # from another terminal
        summary = cb.run()
    assert "no capture session open" in summary.ended and summary.captures == 1

    sessions.start_session(ws, CASE, persona, "chatsite", officer_name="Jane Smith")
    with CaptureBrowser(keep, OPTS, clock=ws.now) as cb:
        cb.open(f"{site}/profile.html")
        pump_until(cb, lambda: len(got) == 2)
        cb.page.close()  # the officer closes the window
        summary = cb.run()
    assert summary.ended == "every page was closed" and got[1].session_ref == "OP-TEST/CS2"
