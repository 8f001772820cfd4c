"""``vigil capture transcribe`` end to end: screenshots imported into a capture session,
read into one transcript conversation stored like an ingested one (derived exhibit, custody,
participants, messages), with each message's box and confidence; triage ranks it; the CLI
calls the same service; bad input is refused with nothing stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.capture.conftest import CASE, persona  # noqa: F401 (a fixture)
from tests.ocr.conftest import needs_tools
from tests.ocr.render import HEIGHT, SCALE, TODAY, WIDTH, Shot
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.db.tables.evidence import CustodyEntry, Exhibit
from vigil.db.tables.ocr import OcrMessage, OcrTranscript
from vigil.errors import UserError
from vigil.services.capture import record, sessions
from vigil.services.capture.transcribe import TranscribeOptions, transcribe_exhibits
from vigil.services.triage.run import triage
from vigil.services.workspace import Workspace

pytestmark = needs_tools
OPTS = TranscribeOptions("whatsapp", left="Jordan", right="Sam", day=TODAY, tz="Europe/London")


def imported(ws: Workspace, persona: str, shots: list[Shot]) -> list[str]:  # noqa: F811
    sessions.start_session(ws, CASE, persona, "whatsapp", officer_name="Jane Smith")
    caps = record.import_files(ws, [s.png for s in shots], device="unit handset 3")
    return [c.files[0].ref for c in caps]


def count(ws: Workspace, table: type) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_transcribe_stores_a_conversation_triage_ranks(
    ws: Workspace,
    persona: str,  # noqa: F811
    scrolled: dict[str, list[Shot]],
    engine: object,
) -> None:
    shots = scrolled["whatsapp"][:2]
    refs = imported(ws, persona, shots)
    shown = {t.index: t for s in shots for t in s.truth}
    info = transcribe_exhibits(ws, refs, OPTS, engine=engine)  # type: ignore[arg-type]
    assert info.messages == len(shown) and info.repeated > 0 and info.case_ref == CASE
    assert info.screenshots == refs and info.theme == "light"
    with ws.sessions() as s:
        ex = s.execute(select(Exhibit).where(Exhibit.ref == info.exhibit_ref)).scalar_one()
        first = s.execute(select(Exhibit).where(Exhibit.ref == refs[0])).scalar_one()
        second = s.execute(select(Exhibit).where(Exhibit.ref == refs[1])).scalar_one()
        assert ex.parent_exhibit_id == first.id and ex.mime_type == "application/json"
        kept = json.loads(ws.store.path_for(ex.blob_sha256).read_text("utf-8"))
        assert kept["screenshots"] == refs and len(kept["messages"]) == info.messages
        conv = s.get(ConversationRow, info.conversation_id)
        assert conv is not None and conv.exhibit_id == ex.id and conv.platform == "whatsapp"
        people = {p.display_name: p.role for p in s.execute(
            select(ParticipantRow).where(ParticipantRow.conversation_id == conv.id)).scalars()}  # fmt: skip
        assert people == {"Sam": "officer_persona", "Jordan": "unknown"}
        rows = list(s.execute(select(MessageRow).where(MessageRow.conversation_id == conv.id)
                              .order_by(MessageRow.seq)).scalars())  # fmt: skip
        want = [shown[i] for i in sorted(shown)]
        for row, t in zip(rows, want, strict=True):
            assert t.clock is not None and t.day is not None
            h, m = map(int, t.clock.split(":"))
            local = datetime(t.day.year, t.day.month, t.day.day, h, m,
                             tzinfo=ZoneInfo("Europe/London"))  # fmt: skip
            assert row.sent_at == local.astimezone(UTC)
            assert row.tz_assumed == "Europe/London" and row.local_time_text
        tr = s.execute(select(OcrTranscript)).scalar_one()
        assert tr.conversation_id == conv.id and tr.screenshot_count == 2
        assert tr.engine.startswith("tesseract ") and tr.layout == "whatsapp"
        boxes = list(s.execute(select(OcrMessage).where(OcrMessage.transcript_id == tr.id)
                               .order_by(OcrMessage.message_seq)).scalars())  # fmt: skip
        assert [b.message_seq for b in boxes] == [r.seq for r in rows]
        for b in boxes:
            assert b.left >= 0 and b.left + b.width <= WIDTH * SCALE
            assert b.top >= 0 and b.top + b.height <= HEIGHT * SCALE
            assert 0 < b.confidence <= 100 and isinstance(json.loads(b.low_confidence), list)
        # messages only the second screenshot showed point at it
        assert boxes[-1].screenshot_exhibit_id == second.id
        assert boxes[0].screenshot_exhibit_id == first.id
        acts = [(e.action, e.object_type) for e in s.execute(
            select(CustodyEntry).where(CustodyEntry.object_id == info.exhibit_ref)).scalars()]  # fmt: skip
        assert ("derive", "exhibit") in acts and ("derive", "conversations") in acts
    ranked = triage(ws, CASE)
    assert info.conversation_id in [r.conversation_id for r in ranked]

    # the same screenshots read the same way again: refused, nothing added
    n = count(ws, MessageRow)
    with pytest.raises(UserError, match="transcribed the same way already"):
        transcribe_exhibits(ws, refs, OPTS, engine=engine)  # type: ignore[arg-type]
    assert count(ws, MessageRow) == n and count(ws, OcrTranscript) == 1


def test_bad_input_is_refused_with_nothing_stored(
    ws: Workspace,
    persona: str,  # noqa: F811
    scrolled: dict[str, list[Shot]],
    engine: object,
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a screenshot\n")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)  # a PNG cut short
    refs = imported(ws, persona, [scrolled["whatsapp"][0]])
    caps = record.import_files(ws, [notes, broken])
    text_ref, broken_ref = caps[0].files[0].ref, caps[1].files[0].ref
    before = count(ws, Exhibit), count(ws, ConversationRow)
    with pytest.raises(UserError, match=f"exhibit {text_ref} \\(notes.txt\\) is text/plain"):
        transcribe_exhibits(ws, [refs[0], text_ref], OPTS, engine=engine)  # type: ignore[arg-type]
    with pytest.raises(UserError, match=f"exhibit {broken_ref} \\(broken.png\\) could not be"):
        transcribe_exhibits(ws, [broken_ref], OPTS, engine=engine)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="unknown chat layout 'kik'"):
        transcribe_exhibits(ws, refs, TranscribeOptions("kik"), engine=engine)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="named twice"):
        transcribe_exhibits(ws, refs * 2, OPTS, engine=engine)  # type: ignore[arg-type]
    assert (count(ws, Exhibit), count(ws, ConversationRow)) == before


def test_cli_transcribe(
    ws: Workspace,
    persona: str,  # noqa: F811
    scrolled: dict[str, list[Shot]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigil.cli.main import app

    refs = imported(ws, persona, scrolled["telegram"][2:])
    monkeypatch.setenv("VIGIL_HOME", str(ws.settings.resolved_home))
    monkeypatch.setenv("VIGIL_USER", ws.settings.user)
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    r = CliRunner().invoke(app, ["capture", "transcribe", *refs, "--layout", "telegram",
                                 "--date", TODAY.isoformat(), "--tz", "UTC", "--json"])  # fmt: skip
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.output)
    shown = {t.index for s in scrolled["telegram"][2:] for t in s.truth}
    assert out["messages"] == len(shown) and out["theme"] == "dark" and out["screenshots"] == refs
    assert any("never corrected" in n for n in out["notes"])
    bad = CliRunner().invoke(app, ["capture", "transcribe", refs[0], "--layout", "telegram",
                                   "--date", "7/12/2026"])  # fmt: skip
    assert isinstance(bad.exception, UserError) and "--date" in bad.exception.message
