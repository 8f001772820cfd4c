"""Capture sessions without a browser: the authorisation check at start, one open session per
officer, notes, stop, handset imports with their claimed times, the capture report."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from tests.capture.conftest import CASE
from vigil.db.tables.capture import CaptureNote
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied, UserError
from vigil.services import access
from vigil.services.capture import record, report, sessions
from vigil.services.casework.authorisations import cancel_authorisation
from vigil.services.casework.cover import list_gaps
from vigil.services.workspace import Workspace


def entries(ws: Workspace, object_type: str) -> list[CustodyEntry]:
    with ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry)
                .where(CustodyEntry.object_type == object_type)
                .order_by(CustodyEntry.seq)
            ).scalars()
        )


def jpeg_with_exif(path: Path, taken: str, offset: str | None = None) -> Path:
    img = Image.new("RGB", (96, 64), (40, 110, 190))
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = taken
    if offset:
        ifd[0x9011] = offset
    img.save(path, "JPEG", exif=exif)
    return path


def test_start_is_refused_without_a_live_authorisation(ws: Workspace, persona: str) -> None:
    with pytest.raises(AccessDenied, match=r"P-2.*no live authorisation.*none recorded"):
        sessions.start_session(ws, CASE, "P-2", "chatsite")
    cancel_authorisation(ws, "A-1", "Supt X", ws.now(), "deployment ended")
    with pytest.raises(AccessDenied, match=r"P-1.*A-1 was cancelled"):
        sessions.start_session(ws, CASE, "P-1", "chatsite")
    assert sessions.list_sessions(ws, CASE) == []
    assert entries(ws, "capture_session") == []


def test_one_open_session_per_officer_then_note_and_stop(ws: Workspace, persona: str) -> None:
    s1 = sessions.start_session(
        ws, CASE, persona, "chatsite", officer_name="Jane Smith", device="unit laptop 4"
    )
    assert s1.ref == "OP-TEST/CS1" and s1.authorisation_ref == "A-1" and s1.open
    assert s1.device == "unit laptop 4" and s1.tool_version.startswith("vigil ")
    with pytest.raises(UserError, match="already has capture session OP-TEST/CS1 open"):
        sessions.start_session(ws, CASE, persona, "otherapp")
    other = access.as_user(ws, "other.officer")  # another officer may run their own session
    with pytest.raises(AccessDenied, match="not a member"):  # ...in a case they are on
        sessions.start_session(other, CASE, persona, "chatsite")

    n = sessions.add_note(ws, "  Persona logged in; suspect account online.  ")
    assert n.seq == 1 and n.text == "Persona logged in; suspect account online."
    with pytest.raises(UserError, match="empty"):
        sessions.add_note(ws, "   ")
    stopped = sessions.stop_session(ws)
    assert stopped.stopped_at is not None and stopped.notes == 1 and not stopped.open
    with pytest.raises(UserError, match="no capture session open"):
        sessions.add_note(ws, "too late")
    with pytest.raises(UserError, match="no capture session open"):
        sessions.stop_session(ws)
    s2 = sessions.start_session(ws, CASE, persona, "chatsite")  # a new one may start now
    assert s2.ref == "OP-TEST/CS2" and s2.officer_name == "tester"

    start, note, stop, _ = entries(ws, "capture_session")
    assert start.action == "create" and json.loads(start.details)["authorisation"] == "A-1"
    assert note.action == "annotate" and json.loads(note.details)["text"] == n.text
    assert stop.action == "update" and json.loads(stop.details)["notes"] == 1
    with ws.sessions() as s:
        assert [r.text for r in s.execute(select(CaptureNote)).scalars()] == [n.text]


def test_import_records_the_claimed_time_beside_the_import_time(
    ws: Workspace, persona: str, tmp_path: Path
) -> None:
    sessions.start_session(ws, CASE, persona, "chatsite", officer_name="Jane Smith")
    shot = jpeg_with_exif(tmp_path / "IMG_0001.jpg", "2021:12:01 10:15:30")  # no offset
    recording = tmp_path / "screen-recording.mp4"
    recording.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4)  # not an image
    with pytest.raises(UserError, match="no such file"):  # every path is checked first
        record.import_files(ws, [shot, tmp_path / "missing.png"])
    assert entries(ws, "capture") == []

    before = ws.now()
    c1, c2 = record.import_files(ws, [shot, recording], device="unit handset 3")
    assert c1.kind == "import" and c1.captured_at >= before
    assert c1.claimed is not None and c1.claimed.text == "2021:12:01 10:15:30"
    assert c1.claimed.at == datetime(2021, 12, 1, 10, 15, 30, tzinfo=UTC)  # London in winter
    assert c1.claimed.tz_assumed == "Europe/London"
    assert c2.claimed is None and [f.part for f in c2.files] == ["file"]
    assert c1.files[0].ref == "JS/1" and c2.files[0].ref == "JS/2"

    reg = [e for e in entries(ws, "exhibit") if e.action == "register"]
    assert [json.loads(e.details)["sha256"] for e in reg] == [
        c1.files[0].sha256,
        c2.files[0].sha256,
    ]
    assert "unit handset 3" in json.loads(reg[0].details)["source"]
    cap = json.loads(entries(ws, "capture")[0].details)
    assert cap["claimed_text"] == "2021:12:01 10:15:30" and cap["files"][0]["ref"] == "JS/1"
    # the handset's claimed time, before the authorisation was granted, is listed as a gap
    assert (
        c1.claimed_cover_note is not None and "outside the authorisations" in c1.claimed_cover_note
    )
    assert [g.exhibit_ref for g in list_gaps(ws, CASE)] == ["JS/1"]


def test_report_names_every_capture_and_note(ws: Workspace, persona: str, tmp_path: Path) -> None:
    sessions.start_session(ws, CASE, persona, "chatsite", officer_name="Jane Smith")
    shot = jpeg_with_exif(tmp_path / "IMG_0002.jpg", "2026:12:01 10:15:30", "+00:00")
    (cap,) = record.import_files(ws, [shot])
    sessions.add_note(ws, "Screenshot taken on the handset & imported <b>as is</b>.")
    sessions.stop_session(ws)

    html, r = report.capture_report(ws, None, "html")
    text = html.decode("utf-8")
    assert r.session.ref == "OP-TEST/CS1" and len(r.captures) == 1
    assert cap.files[0].sha256 in text and "JS/1" in text and "A-1" in text
    assert "&lt;b&gt;as is&lt;/b&gt;" in text  # a note is text, never markup
    assert "lead for a trained person, never a verdict" in text
    assert [ln.what for ln in r.log] == [
        "session started", "capture 1 (import)", "note 1", "session stopped"
    ]  # fmt: skip
    pdf, _ = report.capture_report(ws, "OP-TEST/CS1", "pdf")
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert cap.files[0].sha256 in "".join(words.split())
    exports = [
        json.loads(e.details) for e in entries(ws, "capture_session") if e.action == "export"
    ]
    assert [e["format"] for e in exports] == ["html", "pdf"]
    assert exports[1]["sha256"] == hashlib.sha256(pdf).hexdigest()
    with pytest.raises(AccessDenied):  # need to know: a non-member may not read it
        report.capture_report(access.as_user(ws, "other.officer"), "OP-TEST/CS1", "html")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 200, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_page_capture_needs_an_open_session(ws: Workspace, persona: str) -> None:
    snap = record.PageSnapshot(
        "manual", "http://127.0.0.1:9/chat.html", "Chat", ws.now(), _png(), None,
        b"<html><body>hello</body></html>", "test tool",
    )  # fmt: skip
    with pytest.raises(UserError, match="no capture session open"):
        record.record_page(ws, snap)
    sessions.start_session(ws, CASE, persona, "chatsite", officer_name="Jane Smith")
    cap = record.record_page(ws, snap)  # no MHTML from this browser: the other two are kept
    assert [f.part for f in cap.files] == ["screenshot", "html"] and cap.seq == 1
    again = record.record_page(ws, snap)  # the same bytes again: one exhibit, two acquisitions
    assert again.seq == 2 and [f.ref for f in again.files] == [f.ref for f in cap.files]
    assert not any(f.new_exhibit for f in again.files)
    sessions.stop_session(ws)
    with pytest.raises(UserError, match="no capture session open"):
        record.record_page(ws, snap)


@pytest.mark.postgres
def test_sessions_on_postgres(pg_url: str, tmp_path: Path) -> None:
    from vigil.config import Settings
    from vigil.services.cases import create_case
    from vigil.services.casework.authorisations import grant_authorisation
    from vigil.services.casework.personas import create_persona
    from vigil.services.workspace import init_workspace

    ws, _, _ = init_workspace(Settings(home=tmp_path / "pg", database_url=pg_url, user="pg.t"))
    create_case(ws, CASE, "PG capture", None, "UTC")
    create_persona(ws, "P-1", "Kalomi", 13, None)
    grant_authorisation(ws, "A-1", "P-1", "chis", "Supt X", "superintendent", ws.now())
    for n in (1, 2):  # two stopped sessions: open_for_id NULL twice under the unique index
        assert sessions.start_session(ws, CASE, "P-1", "chatsite").ref == f"{CASE}/CS{n}"
        sessions.add_note(ws, f"note in session {n}")
        (cap,) = record.import_files(
            ws, [jpeg_with_exif(tmp_path / f"{n}.jpg", "2026:01:02 03:04:05")]
        )
        assert cap.claimed is not None
        sessions.stop_session(ws)
    html, r = report.capture_report(ws, f"{CASE}/CS2", "html")
    assert len(r.captures) == 1 and r.captures[0].files[0].sha256 in html.decode()
