"""Android mmssms.db: SMS and MMS counts, parts and addresses, epoch times across DST."""

from __future__ import annotations

import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.ingest.device_fixtures import (
    AUTUMN_BST,
    AUTUMN_GMT,
    MMS_TIME,
    SPRING_BST,
    SPRING_GMT,
    android_mmssms,
    parse_all,
)

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import android_mmssms as mod
from vigil.ingest.formats import ios_sms_db
from vigil.model import AttachmentStatus


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return android_mmssms(tmp_path / "mmssms.db")


def test_sniff(db: Path) -> None:
    head = db.read_bytes()[:65536]
    assert mod.PARSER.sniff(head, "mmssms.db").score >= 0.9
    assert ios_sms_db.PARSER.sniff(head, "mmssms.db").score == 0.0


def test_exact_counts(db: Path) -> None:
    one, group = parse_all(mod.PARSER, db)
    assert (len(one.messages), len(group.messages)) == (5, 1)
    assert one.ids() == ["owner", "+447700900123"]
    assert group.ids() == ["owner", "+447700900123", "+447700900456"]
    assert (one.attachments, group.attachments) == (1, 0)
    assert one.conv.source_id == "1" and group.conv.title == "+447700900123, +447700900456"


def test_sms_and_mms_merged_in_time_across_dst(db: Path) -> None:
    for zone in ("UTC", "Europe/London"):
        one = parse_all(mod.PARSER, db, ParseOptions(tz=ZoneInfo(zone)))[0]
        assert [m.sent_at for m in one.messages] == [
            SPRING_GMT, MMS_TIME, SPRING_BST, AUTUMN_BST, AUTUMN_GMT,
        ]  # fmt: skip
    assert [m.source_location for m in one.messages][:3] == ["sms _id 1", "pdu _id 1", "sms _id 2"]
    assert [m.sender for m in one.messages] == [
        "+447700900123", "+447700900123", "owner", "+447700900123", "owner",
    ]  # fmt: skip


def test_mms_parts_subject_and_notes(db: Path) -> None:
    one, group = parse_all(mod.PARSER, db)
    mms = one.messages[1]
    assert mms.text == "look at this"
    att = mms.attachments[0]
    assert (att.file_name, att.mime_type, att.status) == (
        "IMG_1.jpg", "image/jpeg", AttachmentStatus.MISSING,
    )  # fmt: skip
    assert any("1 SMIL layout part" in n for n in one.conv.notes)
    assert any("sms _id 4: type 3 (draft)" in n for n in one.conv.notes)
    sent = group.messages[0]
    assert sent.sender == "owner" and sent.text == "Subject: plans\ncan we meet at the station?"


def test_read_only_byte_identical(db: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    parse_all(mod.PARSER, db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert [p.name for p in db.parent.iterdir()] == ["mmssms.db"]


def test_sms_only_database_and_unknown_version(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "mmssms.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT,"
        " date INTEGER, type INTEGER, body TEXT);"
        "INSERT INTO sms VALUES (1, NULL, '+447700900999', 1680000000000, 1, 'hello');"
        "INSERT INTO sms VALUES (2, 4, '+447700900999', 'soon', 1, 'bye');"
    )
    conn.commit()
    conn.close()
    convs = parse_all(mod.PARSER, path)
    assert [(c.conv.title, len(c.messages)) for c in convs] == [("thread 4", 1), ("(no thread)", 1)]
    assert convs[0].messages[0].sent_at is None
    assert "not epoch milliseconds" in (convs[0].messages[0].time_note or "")
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE pdu (_id INTEGER PRIMARY KEY, thread_id INTEGER)")
    conn.execute("CREATE TABLE part (_id INTEGER PRIMARY KEY, mid INTEGER, ct TEXT, text TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(ParseError, match=r"table pdu lacks column\(s\) date, msg_box"):
        parse_all(mod.PARSER, path)
