"""Loading messages for analysis: the fast driver-cursor loader gives exactly what the
SQLAlchemy Core select through ``UTCDateTime`` gives; the Hyperscan cache folder."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from vigil.analysis.assess import MsgView
from vigil.config import Settings
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.services.cases import create_case
from vigil.services.ingest.rows import utc_text
from vigil.services.ingest.run import ingest_file
from vigil.services.triage.load import _utc, load_messages
from vigil.services.triage.run import hyperscan_cache
from vigil.services.workspace import Workspace, init_workspace


def reference_load(session: Session, conv_ids: Sequence[int]) -> dict[int, list[MsgView]]:
    """The loader as it was: a Core select joined to participants, times via UTCDateTime."""
    out: dict[int, list[MsgView]] = {cid: [] for cid in conv_ids}
    rows = session.connection().execute(
        select(
            MessageRow.conversation_id, MessageRow.seq, ParticipantRow.platform_id,
            MessageRow.sent_at, MessageRow.text, MessageRow.is_system,
        )
        .outerjoin(ParticipantRow, ParticipantRow.id == MessageRow.sender_id)
        .where(MessageRow.conversation_id.in_(conv_ids))
        .order_by(MessageRow.conversation_id, MessageRow.seq)
    )  # fmt: skip
    for cid, seq, sender, sent_at, text, system in rows:
        out[cid].append(MsgView(seq, sender, sent_at, text or "", bool(system)))
    return out


def _chats(ws: Workspace, tmp_path: Path) -> list[int]:
    """Two WhatsApp chats (system line, deleted and media messages) plus odd rows added by
    hand: no time, no sender, microseconds, a sender from the other chat, empty text."""
    a = tmp_path / "WhatsApp Chat with Sam.txt"
    a.write_text(
        "12/03/2024, 09:15 - Sam: morning\n"
        "12/03/2024, 09:16 - Alex: This message was deleted\n"
        "12/03/2024, 09:18 - Sam: <Media omitted>\n"
        "12/03/2024, 09:19 - Sam changed the group description\n"
        "12/03/2024, 09:20 - Alex: two\nlines\n",
        encoding="utf-8",
    )
    b = tmp_path / "WhatsApp Chat with Jo.txt"
    b.write_text("01/01/2025, 00:00 - Jo: happy new year\n", encoding="utf-8")
    ingest_file(ws, "OP-TEST", a, tz="Europe/London")
    ingest_file(ws, "OP-TEST", b, tz="UTC")
    with ws.transaction() as s:
        ids = list(s.execute(select(ConversationRow.id).order_by(ConversationRow.id)).scalars())
        jo = s.execute(
            select(ParticipantRow.id).where(ParticipantRow.conversation_id == ids[1])
        ).scalar_one()
        sam = s.execute(
            select(ParticipantRow.id).where(
                ParticipantRow.conversation_id == ids[0], ParticipantRow.platform_id == "Sam"
            )
        ).scalar_one()
        odd = [
            (6, None, None, "no sender, no time", False),
            (7, sam, datetime(2024, 3, 12, 9, 21, 5, 123456, tzinfo=UTC), "", False),
            (8, jo, datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "other chat", False),
            (9, None, datetime(2024, 3, 12, 9, 22, tzinfo=UTC), "Sam left", True),
        ]
        s.execute(
            insert(MessageRow),
            [
                {"conversation_id": ids[0], "seq": seq, "sender_id": who, "sent_at": when,
                 "text": text, "is_system": system, "source_location": "by hand"}
                for seq, who, when, text, system in odd
            ],
        )  # fmt: skip
        empty = ConversationRow(
            case_id=1, exhibit_id=1, platform="whatsapp", parser="none", tool_version="t",
            created_at=datetime(2025, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        s.add(empty)
        s.flush()
        ids.append(empty.id)
    return ids


def _same_as_reference(ws: Workspace, tmp_path: Path) -> None:
    ids = _chats(ws, tmp_path)
    with ws.sessions() as s:
        want = reference_load(s, ids)
        got = load_messages(s, ids)
        alone = load_messages(s, ids[1:2])
    assert got == want
    assert alone == {ids[1]: want[ids[1]]}
    assert got[ids[2]] == [] and len(got[ids[0]]) == 9
    views = got[ids[0]]
    for g, w in zip(views, want[ids[0]], strict=True):  # == ignores tzinfo: check it too
        assert (g.sent_at is None) == (w.sent_at is None)
        assert g.sent_at is None or (g.sent_at.tzinfo is UTC and w.sent_at.tzinfo is UTC)
    assert [m.seq for m in views] == list(range(1, 10))
    assert views[5] == MsgView(6, None, None, "no sender, no time", False)
    assert views[6].sent_at == datetime(2024, 3, 12, 9, 21, 5, 123456, tzinfo=UTC)
    assert views[6].text == "" and views[6].sender == "Sam"
    assert views[7].sender == "Jo" and views[8].is_system and views[3].is_system
    assert views[1].text == "" and views[2].text == ""  # deleted, media omitted


def test_loader_gives_what_the_core_select_gives(ws: Workspace, tmp_path: Path) -> None:
    _same_as_reference(ws, tmp_path)


@pytest.mark.postgres
def test_loader_gives_what_the_core_select_gives_on_postgres(pg_url: str, tmp_path: Path) -> None:
    pg, _, _ = init_workspace(Settings(home=tmp_path / "pgws", database_url=pg_url, user="pg.t"))
    create_case(pg, "OP-TEST", "Postgres triage load", None, "UTC")
    _same_as_reference(pg, tmp_path)


@given(st.datetimes(min_value=datetime(1, 1, 2), timezones=st.just(UTC)))
def test_stored_text_reads_back_as_the_same_utc_time(sent: datetime) -> None:
    got = _utc(utc_text(sent))
    assert got == sent and got.tzinfo is UTC
    assert _utc(sent.replace(tzinfo=None)) == sent  # PostgreSQL hands back naive datetimes


def test_other_stored_text_is_read_as_sqlalchemy_reads_it() -> None:
    assert _utc("2024-03-12 09:15:00") == datetime(2024, 3, 12, 9, 15, tzinfo=UTC)
    # an offset in the text is dropped, as UTCDateTime's replace(tzinfo=UTC) drops it
    assert _utc("2024-03-12 09:15:00+02:00") == datetime(2024, 3, 12, 9, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        _utc("yesterday")


def test_loading_leaves_the_garbage_collector_as_it_was(ws: Workspace, tmp_path: Path) -> None:
    ids = _chats(ws, tmp_path)
    with ws.sessions() as s:
        assert gc.isenabled()
        load_messages(s, ids)
        assert gc.isenabled()
        gc.disable()
        try:
            load_messages(s, ids)
            assert not gc.isenabled()
        finally:
            gc.enable()


def test_hyperscan_cache_is_per_user_with_a_workspace_fallback(tmp_path: Path) -> None:
    user = tmp_path / "user-cache"
    s = Settings(home=tmp_path / "ws", cache_dir=user)
    assert hyperscan_cache(s) == user / "hyperscan" and (user / "hyperscan").is_dir()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    for unusable in (
        Settings(home=tmp_path / "ws", cache_dir=blocked),
        Settings(home=tmp_path / "ws", cache_dir=None),
    ):
        assert hyperscan_cache(unusable) == (tmp_path / "ws").resolve() / "cache" / "hyperscan"


def test_cache_dir_setting_and_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VIGIL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().cache_dir == tmp_path / "xdg" / "vigil"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings().cache_dir == tmp_path / "home" / ".cache" / "vigil"
    monkeypatch.setenv("VIGIL_CACHE_DIR", str(tmp_path / "mine"))
    assert Settings().cache_dir == tmp_path / "mine"
