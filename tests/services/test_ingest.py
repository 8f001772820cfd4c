"""The ingest service: one transaction per file, idempotent, derived exhibits, nothing half-stored."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vigil.db.tables.conversations import (
    AttachmentRow,
    ConversationRow,
    Ingest,
    MessageRow,
    ParticipantRow,
    SkippedRow,
)
from vigil.db.tables.evidence import Blob, CustodyEntry, Exhibit
from vigil.errors import ParseError, UserError
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chats"


def count(ws: Workspace, table: type) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_ingest_stores_what_the_parser_found(ws: Workspace, shared_fixtures: Path) -> None:
    f = shared_fixtures / "chats" / "telegram" / "chat-analytics" / "DM_2A_7M.json"
    s = ingest_file(ws, "OP-TEST", f)
    assert s.parser == "telegram_json" and not s.already_ingested
    assert s.messages == 8 == count(ws, MessageRow)
    assert count(ws, ConversationRow) == 1
    with ws.sessions() as session:
        conv = session.execute(select(ConversationRow)).scalar_one()
        assert conv.message_count == 8 and conv.first_at is not None
        system = session.execute(
            select(func.count()).where(MessageRow.is_system.is_(True))
        ).scalar_one()
        assert system == 2
        locs = [m.source_location for m in session.execute(select(MessageRow)).scalars()]
        assert all(loc.startswith("$.messages[") for loc in locs)
        seqs = [
            m.seq for m in session.execute(select(MessageRow).order_by(MessageRow.seq)).scalars()
        ]
        assert seqs == list(range(1, 9))
        actions = [e.action for e in session.execute(select(CustodyEntry)).scalars()]
    assert "ingest" in actions and "register" in actions
    assert s.tz_source == "case OP-TEST default"


def test_reingest_changes_nothing(ws: Workspace, shared_fixtures: Path) -> None:
    f = shared_fixtures / "chats" / "discord" / "chat-analytics" / "SV_5A_5M.json"
    first = ingest_file(ws, "OP-TEST", f)
    before = (count(ws, MessageRow), count(ws, CustodyEntry), count(ws, Exhibit))
    again = ingest_file(ws, "OP-TEST", f)
    assert again.already_ingested and again.exhibit_ref == first.exhibit_ref
    assert (count(ws, MessageRow), count(ws, CustodyEntry), count(ws, Exhibit)) == before
    assert count(ws, SkippedRow) == 1  # the repeated Discord id, kept with its reason
    assert first.skipped and "duplicate" in first.skipped[0][1]


def test_failure_leaves_nothing_half_stored(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.json"
    good = (FIXTURES / "telegram" / "full_export.json").read_bytes()
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(ParseError, match=r"truncated\.json"):
        ingest_file(ws, "OP-TEST", bad, fmt="telegram_json")
    assert count(ws, Exhibit) == 0
    assert count(ws, Blob) == 0
    assert count(ws, MessageRow) == 0
    assert list(ws.store.iter_blob_names()) == []
    assert verify_workspace(ws).ok


def test_unknown_format_and_unrecognised_file(ws: Workspace, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ParseError, match=r"junk\.bin.*Tried .*telegram_json"):
        ingest_file(ws, "OP-TEST", junk)
    with pytest.raises(UserError, match="unknown format"):
        ingest_file(ws, "OP-TEST", junk, fmt="nonsense")
    assert count(ws, Exhibit) == 0


def test_explicit_tz_is_used_and_reported(ws: Workspace) -> None:
    f = FIXTURES / "telegram" / "no_unixtime.json"
    s = ingest_file(ws, "OP-TEST", f, tz="Asia/Tokyo")
    assert s.tz_assumed == "Asia/Tokyo" and s.tz_source == "--tz"
    with ws.sessions() as session:
        m = session.execute(select(MessageRow).order_by(MessageRow.seq)).scalars().first()
        assert m is not None and m.local_time_text
        assert m.tz_assumed is not None and "Tokyo" in m.tz_assumed


def test_zip_attachments_become_derived_exhibits(ws: Workspace, tmp_path: Path) -> None:
    ufdr = tmp_path / "phone.ufdr"
    with zipfile.ZipFile(ufdr, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.xml", (FIXTURES / "ufdr" / "report.xml").read_bytes())
        zf.writestr("files/Image/pitch.jpg", b"\xff\xd8\xff\xe0synthetic-jpeg\xff\xd9")
    s = ingest_file(ws, "OP-TEST", ufdr)
    assert len(s.derived_exhibits) == 1
    with ws.sessions() as session:
        child = session.execute(
            select(Exhibit).where(Exhibit.parent_exhibit_id.is_not(None))
        ).scalar_one()
        parent = session.get(Exhibit, child.parent_exhibit_id)
        assert parent is not None and parent.original_name == "phone.ufdr"
        assert child.derived_path == "files/Image/pitch.jpg"
        att = session.execute(
            select(AttachmentRow).where(AttachmentRow.exhibit_id == child.id)
        ).scalar_one()
        assert att.status == "present"
        statuses = {a.status for a in session.execute(select(AttachmentRow)).scalars()}
        assert "missing" in statuses
        derive = [
            e for e in session.execute(select(CustodyEntry)).scalars() if e.action == "derive"
        ]
        assert any(e.object_id == child.ref for e in derive)
    assert verify_workspace(ws).ok


def test_participants_and_ingest_record(ws: Workspace, shared_fixtures: Path) -> None:
    f = shared_fixtures / "chats" / "meta" / "chat-analytics" / "messenger_2A_7M.json"
    s = ingest_file(ws, "OP-TEST", f)
    assert s.participants == count(ws, ParticipantRow) == 2
    with ws.sessions() as session:
        row = session.execute(select(Ingest)).scalar_one()
        assert row.parser == "meta_json" and row.messages == 7


def test_the_workspace_message_limit_reaches_the_parser(ws: Workspace, tmp_path: Path) -> None:
    """VIGIL_MAX_MESSAGE_BYTES (Settings.max_message_bytes) applies to an ingest: the long
    message is cut with a note, nothing else changes, and the exhibit keeps every byte."""
    from dataclasses import replace

    small = replace(ws, settings=replace(ws.settings, max_message_bytes=200))
    f = tmp_path / "chat.txt"
    long = "see you at the park " * 100  # 2,000 bytes, one line
    f.write_text(
        "[01/02/2024, 10:00:00] Alex: hello\n"
        f"[01/02/2024, 10:01:00] Sam: {long}\n"
        "[01/02/2024, 10:02:00] Alex: bye\n",
        encoding="utf-8",
    )
    s = ingest_file(small, "OP-TEST", f, fmt="whatsapp_txt")
    assert s.messages == 3
    assert any("cut" in n.lower() for n in s.notes)
    with ws.sessions() as session:
        texts = [
            m.text for m in session.execute(select(MessageRow).order_by(MessageRow.seq)).scalars()
        ]
        ex = session.execute(select(Exhibit)).scalars().all()[-1]
    assert texts[0] == "hello" and texts[2] == "bye"
    assert len(texts[1].encode()) < 400 and "cut by Vigil" in texts[1]
    assert ws.store.path_for(ex.blob_sha256).read_bytes() == f.read_bytes()
