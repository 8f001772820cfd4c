"""iOS sms.db: counts, attributedBody text, Apple times across DST, read-only opening."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.ingest.device_fixtures import (
    AUTUMN_BST,
    AUTUMN_GMT,
    LONG_TEXT,
    SPRING_BST,
    SPRING_GMT,
    ios_sms_db,
    parse_all,
    typedstream,
)

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import ios_sms_db as mod
from vigil.ingest.formats.ios_sms_db import attributed_text
from vigil.model import AttachmentStatus

LONDON = ZoneInfo("Europe/London")


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return ios_sms_db(tmp_path / "sms.db")


def test_sniff(db: Path) -> None:
    head = db.read_bytes()[:65536]
    assert mod.PARSER.sniff(head, "anything").score >= 0.9
    assert mod.PARSER.sniff(b"SQLite format 3\x00" + b"\x00" * 200, "sms.db").score == 0.0
    assert mod.PARSER.sniff(b"<smses>", "sms.db").score == 0.0


def test_exact_counts(db: Path) -> None:
    convs = parse_all(mod.PARSER, db)
    assert [c.conv.title for c in convs] == [
        "+447700900123",
        "Study group",
        "(messages in no chat)",
    ]
    assert [len(c.messages) for c in convs] == [6, 2, 1]
    assert [len(c.conv.participants) for c in convs] == [2, 3, 2]
    assert [c.attachments for c in convs] == [1, 2, 0]
    assert convs[1].ids() == ["owner", "sam@example.com", "+447700900456"]
    assert any("belong to no chat" in n for n in convs[2].conv.notes)
    assert all(c.conv.platform == "imessage" for c in convs)


def test_attributed_body_text_and_unreadable_one(db: Path) -> None:
    one = parse_all(mod.PARSER, db)[0]
    texts = {m.source_location: m.text for m in one.messages}
    assert texts["message ROWID 3"] == "keep this between us, ok?"
    assert texts["message ROWID 4"] == LONG_TEXT
    assert texts["message ROWID 6"] == ""
    assert any("ROWID 6" in n and "NSString" in n and "left empty" in n for n in one.conv.notes)


def test_times_across_dst_and_old_seconds(db: Path) -> None:
    for zone in ("UTC", "Europe/London", "America/New_York"):
        one = parse_all(mod.PARSER, db, ParseOptions(tz=ZoneInfo(zone)))[0]
        by_loc = {m.source_location: m for m in one.messages}
        got = [by_loc[f"message ROWID {i}"].sent_at for i in (1, 2, 3, 4)]
        assert got == [SPRING_GMT, SPRING_BST, AUTUMN_BST, AUTUMN_GMT]
    local = [t.astimezone(LONDON).strftime("%H:%M %Z") for t in got if t is not None]
    assert local == ["00:30 GMT", "02:30 BST", "01:30 BST", "01:30 GMT"]
    old = by_loc["message ROWID 5"]
    assert old.sent_at is not None and old.sent_at.year == 2016
    assert old.time_note is not None and "seconds" in old.time_note
    assert one.messages[0] is old  # ordered by time
    assert by_loc["message ROWID 1"].tz_assumed == "UTC (Apple epoch)"


def test_senders_and_attachments(db: Path) -> None:
    one, group, _ = parse_all(mod.PARSER, db)
    by_loc = {m.source_location: m for m in one.messages}
    assert by_loc["message ROWID 2"].sender == "owner"
    assert by_loc["message ROWID 1"].sender == "+447700900123"
    att = by_loc["message ROWID 5"].attachments[0]
    assert (att.file_name, att.mime_type, att.status, att.size) == (
        "IMG_0001.jpeg", "image/jpeg", AttachmentStatus.MISSING, 2048,
    )  # fmt: skip
    names = [a.file_name for m in group.messages for a in m.attachments]
    assert names == ["card.png", "note.txt"]  # no transfer_name: the path's last part
    assert any("database alone does not hold them" in n for n in group.conv.notes)


def test_database_is_byte_identical_after_parse(db: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    stamp = db.stat().st_mtime_ns
    parse_all(mod.PARSER, db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert db.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in db.parent.iterdir()) == ["sms.db"]  # no -journal/-wal/-shm


def test_stream_without_a_path_is_read_from_a_private_copy(db: Path) -> None:
    data = db.read_bytes()
    counts = [
        len(list(c.messages)) for c in mod.PARSER.parse(io.BytesIO(data), "sms.db", ParseOptions())
    ]
    assert counts == [6, 2, 1]


def test_unknown_schema_version_is_named(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "sms.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, body TEXT);"
        "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);"
        "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, guid TEXT, chat_identifier TEXT);"
        "CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER);"
    )
    conn.close()
    with pytest.raises(ParseError, match=r"sms\.db.*lacks column\(s\) text, handle_id.*unknown"):
        parse_all(mod.PARSER, path)


@pytest.mark.parametrize(
    ("blob", "why"),
    [
        (b"no class here", "no NSString"),
        (b"NSString\x01\x94\x84\x01+\x10short", "past the end"),
        (b"NSString\x01\x94\x84\x01+\x83abc", "length marker 0x83"),
        (b"NSString\x01\x94\x84\x01+\x02\xff\xfe", "not UTF-8"),
        (b"NSString\x01\x94\x84\x01+", "ends before"),
    ],
)
def test_attributed_text_refuses_bad_archives(blob: bytes, why: str) -> None:
    text, reason = attributed_text(blob)
    assert text is None and reason is not None and why in reason


def test_attributed_text_lengths() -> None:
    assert attributed_text(typedstream("hi")) == ("hi", None)
    assert attributed_text(typedstream("é" * 300)) == ("é" * 300, None)
    four = b"NSString\x01\x94\x84\x01+\x82" + (5).to_bytes(4, "little") + b"hello"
    assert attributed_text(four) == ("hello", None)
