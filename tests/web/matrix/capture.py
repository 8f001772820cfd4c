"""Access matrix: the capture-session pages (sessions list, one session, screenshot thumbnails,
transcript-line crops), and a benign capture session for them.

:func:`seed_session` records a session on the test case through the real capture services,
as an investigator on the case: a persona with an authorisation live now, two generated
"screenshots" (a PNG, and a JPEG with an EXIF time) imported with :func:`vigil.services.capture.record.import_files`, a note after
each, then stop. Its OCR transcript stands in for ``vigil capture transcribe`` (issue 18
item 3, built separately): a short synthetic chat is stored through the normal ingest service
and :class:`~vigil.db.tables.ocr.OcrTranscript` / :class:`~vigil.db.tables.ocr.OcrMessage`
rows, written through the ORM, tie its messages to bubble boxes on the first screenshot.
``{session_ref}``, ``{seq}`` and ``{line_id}`` are filled from it (one session per world).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from sqlalchemy import select

from vigil.db.tables.access import User
from vigil.db.tables.capture import Capture, CaptureSession
from vigil.db.tables.cases import Case
from vigil.db.tables.ocr import OcrMessage, OcrTranscript
from vigil.services.access import as_user
from vigil.services.capture import record, sessions
from vigil.services.casework.authorisations import grant_authorisation
from vigil.services.casework.personas import create_persona
from vigil.services.casework.units import create_unit
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

C = "/cases/{case_ref}"
A = "/api/v1" + C
S = C + "/capture/{session_ref}"
API_S = A + "/capture/{session_ref}"
PURPOSE = "purpose=access+matrix+test"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", C + "/capture"): "case:read",
    ("GET", S): "case:read",
    ("GET", S + "/{seq}/thumb"): "case:read",
    ("GET", S + "/{seq}/crop/{line_id}"): "case:read",
    ("GET", A + "/capture"): "case:read",
    ("GET", API_S): "case:read",
    ("GET", API_S + "/{seq}/thumb"): "case:read",
    ("GET", API_S + "/{seq}/crop/{line_id}"): "case:read",
}
QUERIES: dict[str, str] = {
    A + "/capture": PURPOSE,
    API_S: PURPOSE,
    API_S + "/{seq}/thumb": PURPOSE,
    API_S + "/{seq}/crop/{line_id}": PURPOSE,
}

OFFICER = "investigator-in"
"""The officer who records the session: an investigator on the test case."""
SIZE = (360, 640)
BOXES = [(16, 96, 200, 48), (144, 176, 200, 64), (16, 272, 176, 40)]
"""Bubble boxes (left, top, width, height) on the first screenshot, one per transcript line."""
LINES = [
    ("Sam", "hey how was school today", []),
    ("Kalomi", "ok, we had a maths test", [{"start": 13, "end": 18, "conf": 41.0}]),
    ("Sam", "are your parents home right now?", [{"start": 4, "end": 8, "conf": 37.5}]),
]
"""The transcript as read: sender, text, low-confidence spans (benign, non-graphic)."""


@dataclass(frozen=True)
class Seeded:
    session_ref: str  # e.g. OP-WEB/CS1
    short: str  # CS1
    screenshots: list[Path]
    line_ids: list[int]  # OcrMessage ids, in BOXES order (all on capture 1)
    conversation_id: int


def screenshot_png(path: Path, seed: int, taken: str | None = None) -> Path:
    """A benign "screenshot": coloured noise blocks with plain bubbles drawn on it; saved as
    a JPEG whose EXIF DateTimeOriginal is ``taken`` when one is given (a handset's photo)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(SIZE[1] // 16, SIZE[0] // 16, 3), dtype=np.uint8)
    im = Image.fromarray(blocks, "RGB").resize(SIZE, Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(im)
    for i, (left, top, w, h) in enumerate(BOXES):
        fill = (40 + 60 * i, 120, 200 - 50 * i)
        draw.rectangle((left, top, left + w - 1, top + h - 1), fill=fill)
    if taken is None:
        im.save(path)
        return path
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken
    im.save(path, "JPEG", quality=92, exif=exif)
    return path


def _chat(path: Path) -> Path:
    """The transcript's messages as a Telegram export, stored through the ingest service the
    way the OCR producer stores the conversation it makes."""
    start = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    msgs = [
        {"id": i, "type": "message", "from": who, "from_id": f"user{who.lower()}", "text": text,
         "date": (start + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S"),
         "date_unixtime": str(int((start + timedelta(minutes=i)).timestamp()))}
        for i, (who, text, _) in enumerate(LINES, start=1)
    ]  # fmt: skip
    doc = {"about": "Synthetic OCR transcript for Vigil's capture page tests.",
           "chats": {"about": "", "list": [{"name": "Sam", "type": "personal_chat", "id": 7001,
                                            "messages": msgs}]}}  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def seed_session(ws: Workspace, case_ref: str, tag: str = "CAP") -> Seeded:
    """Record a capture session on ``case_ref`` (see the module's docstring)."""
    folder = Path(tempfile.mkdtemp(prefix="vigil-capture-"))
    create_unit(ws, f"U{tag}", f"Capture test unit {tag}", "team")
    create_persona(ws, f"P-{tag}", "Kalomi", 13, f"U{tag}", handles=[("chatsite", "kalomi_13")])
    grant_authorisation(ws, f"A-{tag}", f"P-{tag}", "relevant_source", "Supt Test",
                        "superintendent", ws.now() - timedelta(days=1))  # fmt: skip
    officer = as_user(ws, OFFICER)
    info = sessions.start_session(officer, case_ref, f"P-{tag}", "chatsite",
                                  officer_name="DC Test Officer", device="unit laptop 4")  # fmt: skip
    taken = (ws.now() - timedelta(hours=1)).strftime("%Y:%m:%d %H:%M:%S")
    shots = [
        screenshot_png(folder / "shot-1.png", 701),
        screenshot_png(folder / "photo-2.jpg", 702, taken=taken),
    ]
    record.import_files(officer, [shots[0]], device="handset 2")
    sessions.add_note(officer, "Persona opened the chat; screenshot taken on the handset.")
    record.import_files(officer, [shots[1]], device="handset 2")
    sessions.add_note(officer, "Suspect account went offline.")
    sessions.stop_session(officer)
    summary = ingest_file(ws, case_ref, _chat(folder / "transcript.json"), source="OCR stand-in")
    assert summary.messages == len(LINES)
    line_ids = []
    with ws.transaction() as s:
        case_id = s.execute(select(Case.id).where(Case.ref == case_ref)).scalar_one()
        cs = s.execute(select(CaptureSession).where(CaptureSession.ref == info.ref)).scalar_one()
        first = s.execute(
            select(Capture).where(Capture.session_id == cs.id, Capture.seq == 1)
        ).scalar_one()
        from vigil.db.tables.conversations import ConversationRow, MessageRow

        conv = s.execute(
            select(ConversationRow).where(ConversationRow.case_id == case_id)
            .order_by(ConversationRow.id.desc()).limit(1)
        ).scalar_one()  # fmt: skip
        seqs = list(
            s.execute(
                select(MessageRow.seq)
                .where(MessageRow.conversation_id == conv.id)
                .order_by(MessageRow.seq)
            ).scalars()
        )
        user_id = s.execute(select(User.id).where(User.username == OFFICER)).scalar_one()
        tr = OcrTranscript(
            case_id=case_id, conversation_id=conv.id, layout="whatsapp", theme="light",
            engine="tesseract 5.3.0 (test stand-in)", language="eng", screenshot_count=1,
            notes="stand-in rows written by the test", created_at=ws.now(),
            created_by_id=user_id,
        )  # fmt: skip
        s.add(tr)
        s.flush()
        for seq, (left, top, w, h), (_, _, spans) in zip(seqs, BOXES, LINES, strict=True):
            om = OcrMessage(transcript_id=tr.id, message_seq=seq,
                            screenshot_exhibit_id=first.exhibit_id, left=left, top=top,
                            width=w, height=h, confidence=88.0 if not spans else 63.0,
                            low_confidence=json.dumps(spans))  # fmt: skip
            s.add(om)
            s.flush()
            line_ids.append(om.id)
        conv_id = conv.id
    return Seeded(info.ref, info.ref.rsplit("/", 1)[1], shots, line_ids, conv_id)


_seeded: dict[int, Seeded] = {}


def seeded(world: Any) -> Seeded:
    """The world's capture session, recorded on first use."""
    from tests.web.conftest import CASE

    key = id(world)
    if key not in _seeded:
        _seeded[key] = seed_session(world.ws, CASE)
    return _seeded[key]


FILLS: dict[str, Any] = {
    "{session_ref}": lambda world, method, path: seeded(world).short,
    "{seq}": lambda world, method, path: "1",
    "{line_id}": lambda world, method, path: str(seeded(world).line_ids[0]),
}
