"""Transcript exhibits: selection, annex, pagination footer, custody and the audit entry."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import CustodyEntry, Exhibit
from vigil.errors import UserError
from vigil.reports.transcript import parse_ranges
from vigil.services.ingest.run import ingest_file
from vigil.services.review.decide import decide
from vigil.services.review.model import Change
from vigil.services.transcript import Selection, build, produce
from vigil.services.workspace import Workspace

LINES = [
    "Kai: hey how was school",
    "Sam: boring lol",
    "Kai: how old are you btw",
    "Sam: 13",
    "Kai: keep this between us ok",
] + [f"{'Kai' if i % 2 else 'Sam'}: ordinary message {i}" for i in range(6, 90)]


@pytest.fixture()
def conv(ws: Workspace, tmp_path: Path) -> int:
    text = "".join(
        f"[15/01/2025, 10:{i // 60:02d}:{i % 60:02d}] {line}\n" for i, line in enumerate(LINES)
    )
    chat = tmp_path / "chat.txt"
    chat.write_text(text, encoding="utf-8")
    ingest_file(ws, "OP-TEST", chat)
    with ws.sessions() as s:
        return s.execute(select(ConversationRow.id)).scalar_one()


def test_ranges() -> None:
    assert parse_ranges("1-3, 7 ,9-9") == [(1, 3), (7, 7), (9, 9)]
    for bad in ("0-2", "5-3", "a", "1-"):
        with pytest.raises(UserError, match="bad message range"):
            parse_ranges(bad)


def test_selection_by_range_and_review_marks_with_the_annex(ws: Workspace, conv: int) -> None:
    why = "exhibit for the file"
    decide(ws, "OP-TEST", conv, Change(seq=3, tags_add=("age",)), purpose=why)
    decide(ws, "OP-TEST", conv, Change(seq=5, bookmark=True, note="asks for secrecy"), purpose=why)
    decide(ws, "OP-TEST", conv, Change(seq=40, note="not shown in the selection"), purpose=why)
    decide(ws, "OP-TEST", conv, Change(state="escalate", note="refer to supervisor"), purpose=why)
    t = build(ws, "OP-TEST", conv, "JS/12", Selection(tags=("age",), bookmarked=True), why)
    assert [ln.seq for ln in t.lines] == [3, 5]
    assert t.total_messages == len(LINES) and t.lines[0].text == "how old are you btw"
    about = [(a.about, a.what) for a in t.annex]
    assert ("message 5", "noted: asks for secrecy") in about
    assert ("the conversation", "marked escalate") in [(a, w.split(":")[0]) for a, w in about]
    assert not any(a == "message 40" for a, _ in about)  # only decisions on what is shown
    t2 = build(ws, "OP-TEST", conv, "JS/13", Selection(ranges=((1, 2), (80, 200))), why)
    assert [ln.seq for ln in t2.lines] == [1, 2, *range(80, len(LINES) + 1)]
    assert "messages 1 to 2, 80 to 200" in t2.selection
    assert t2.zone == "Europe/London" and t2.lines[0].time.endswith("GMT")


def test_pdf_has_footer_pages_and_is_registered_as_a_derived_exhibit(
    ws: Workspace, conv: int, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = tmp_path / "out" / "JS-12.pdf"
    p = produce(ws, "OP-TEST", conv, "JS/12", Selection(), out, "exhibit for the file")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = text.count("\f")
    assert pages >= 2, "the whole conversation fills more than one page"
    assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text
    assert text.count("Exhibit JS/12 · case OP-TEST") >= pages
    flat = "".join(text.split())
    assert "keepthisbetweenusok" in flat and t_sha(ws) in flat
    with ws.sessions() as s:
        ex = s.execute(select(Exhibit).where(Exhibit.ref == p.exhibit_ref)).scalar_one()
        assert ex.parent_exhibit_id is not None and ex.blob_sha256 == p.sha256
        actions = [
            (e.action, json.loads(e.details) if isinstance(e.details, str) else e.details)
            for e in s.execute(select(CustodyEntry)).scalars()
        ]
    assert any(a == "derive" and d.get("ref") == p.exhibit_ref for a, d in actions)
    assert any(a == "export" and d.get("label") == "JS/12" for a, d in actions)


def test_pdf_read_back_holds_the_selected_messages_in_order_in_the_case_zone(
    ws: Workspace, conv: int, tmp_path: Path
) -> None:
    out = tmp_path / "JS-14.pdf"
    sel = Selection(ranges=((3, 5), (80, 200)))
    p = produce(ws, "OP-TEST", conv, "JS/14", sel, out, "exhibit for the file")
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    rows = re.findall(r"^\s*(\d+)\n(2025-01-15 \d\d:\d\d:\d\d GMT)\n(Kai|Sam)\n", text, re.M)
    wanted = [3, 4, 5, *range(80, len(LINES) + 1)]
    assert "given in Europe/London" in text and f"{len(wanted)} of {len(LINES)}:" in text
    assert [int(seq) for seq, _, _ in rows] == wanted
    for seq, when, sender in rows:  # message n was sent at 10:00:00 plus n - 1 seconds
        i = int(seq) - 1
        assert when == f"2025-01-15 10:{i // 60:02d}:{i % 60:02d} GMT"
        assert sender == LINES[i].split(":")[0]
    assert "keep this between us ok" in text and "boring lol" not in text
    assert reader.metadata is not None and reader.metadata.title == "Exhibit JS/14: transcript"
    assert len(p.transcript.lines) == len(wanted)


def t_sha(ws: Workspace) -> str:
    with ws.sessions() as s:
        ex = s.execute(select(Exhibit).where(Exhibit.parent_exhibit_id.is_(None))).scalars().first()
        assert ex is not None
        return ex.blob_sha256


def test_refusals(ws: Workspace, conv: int) -> None:
    with pytest.raises(UserError, match="purpose"):
        build(ws, "OP-TEST", conv, "JS/1", Selection(), "")
    with pytest.raises(UserError, match="no indicators of 'nonsense'"):
        build(ws, "OP-TEST", conv, "JS/1", Selection(categories=("nonsense",)), "a purpose")
