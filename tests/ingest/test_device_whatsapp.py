"""WhatsApp databases: Android msgstore.db (2021+ and legacy) and iOS ChatStorage.sqlite."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.ingest.device_fixtures import (
    DST_TIMES,
    GROUP,
    J1,
    J2,
    chatstorage,
    msgstore,
    msgstore_legacy,
    parse_all,
)

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Parser
from vigil.ingest.formats import ios_sms_db, whatsapp_ios, whatsapp_msgstore
from vigil.model import AttachmentStatus

LONDON = ParseOptions(tz=ZoneInfo("Europe/London"))


def test_sniff_each_schema(tmp_path: Path) -> None:
    modern = msgstore(tmp_path / "msgstore.db").read_bytes()[:65536]
    legacy = msgstore_legacy(tmp_path / "old.db").read_bytes()[:65536]
    ios = chatstorage(tmp_path / "ChatStorage.sqlite").read_bytes()[:65536]
    assert whatsapp_msgstore.PARSER.sniff(modern, "x").score >= 0.9
    assert whatsapp_msgstore.PARSER.sniff(legacy, "x").score >= 0.9
    assert whatsapp_ios.PARSER.sniff(ios, "x").score >= 0.9
    assert whatsapp_ios.PARSER.sniff(modern, "x").score == 0.0
    assert ios_sms_db.PARSER.sniff(modern, "x").score < 0.5  # shares 'message' and 'chat'
    assert whatsapp_msgstore.PARSER.sniff(ios, "x").score == 0.0


def test_msgstore_modern_counts_senders_and_flags(tmp_path: Path) -> None:
    one, group, lost = parse_all(whatsapp_msgstore.PARSER, msgstore(tmp_path / "msgstore.db"))
    assert [len(c.messages) for c in (one, group, lost)] == [4, 3, 1]
    assert one.ids() == ["owner", J1]
    assert group.ids() == ["owner", J1, J2] and group.conv.title == "Year 9 gaming"
    assert lost.ids() == ["owner", J2] and "not in the chat table" in lost.conv.notes[-1]
    assert (one.attachments, group.attachments, lost.attachments) == (1, 0, 0)
    assert [m.sender for m in one.messages] == [J1, "owner", J1, J1]
    photo = one.messages[2]
    assert photo.text == "a gift for you"  # the caption
    assert photo.attachments[0].file_name == "IMG-20231029-WA0001.jpg"
    assert photo.attachments[0].status is AttachmentStatus.MISSING
    assert one.messages[3].is_deleted and group.messages[0].is_system
    assert one.messages[0].source_id == "K1"
    assert any("2021 or later" in n for n in one.conv.notes)


def test_msgstore_legacy_counts_and_placeholder(tmp_path: Path) -> None:
    convs = parse_all(whatsapp_msgstore.PARSER, msgstore_legacy(tmp_path / "msgstore.db"))
    by_jid = {c.conv.source_id: c for c in convs}
    assert set(by_jid) == {J1, GROUP}
    one, group = by_jid[J1], by_jid[GROUP]
    assert (len(one.messages), len(group.messages)) == (4, 2)
    assert one.ids() == ["owner", J1] and group.ids() == ["owner", J1, J2]
    assert (one.attachments, group.attachments) == (1, 0)
    assert [m.sender for m in group.messages] == [J2, "owner"]
    skipped = [s for c in convs for s in c.conv.skipped]
    assert [(s.source_location, "placeholder" in s.reason) for s in skipped] == [
        ("messages _id 1", True)
    ]
    assert any("before 2021" in n for n in one.conv.notes)


def test_ios_chatstorage_counts_and_senders(tmp_path: Path) -> None:
    one, group = parse_all(whatsapp_ios.PARSER, chatstorage(tmp_path / "ChatStorage.sqlite"))
    assert (len(one.messages), len(group.messages)) == (4, 3)
    assert one.ids() == ["owner", J1] and group.ids() == ["owner", J1, J2]
    assert group.conv.participants[2].display_name == "Sam"
    assert (one.attachments, group.attachments) == (1, 0)
    assert [m.sender for m in group.messages] == [J1, J1, J2]
    assert group.messages[0].is_system and one.messages[2].attachments[0].file_name == "photo.jpg"


@pytest.mark.parametrize(
    ("build", "parser", "index"),
    [
        (msgstore, whatsapp_msgstore.PARSER, 0),
        (msgstore_legacy, whatsapp_msgstore.PARSER, 1),
        (chatstorage, whatsapp_ios.PARSER, 0),
    ],
)
def test_times_across_dst(
    build: Callable[[Path], Path], parser: Parser, index: int, tmp_path: Path
) -> None:
    path = build(tmp_path / "db.sqlite")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for options in (ParseOptions(), LONDON):
        conv = parse_all(parser, path, options)[index]
        got = [m.sent_at.replace(microsecond=0) for m in conv.messages if m.sent_at]
        assert got == list(DST_TIMES)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["db.sqlite"]


def test_unknown_versions_are_named(tmp_path: Path) -> None:
    path = tmp_path / "msgstore.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_id INTEGER, when_sent INTEGER);"
        "CREATE TABLE chat (_id INTEGER PRIMARY KEY, jid_row_id INTEGER);"
        "CREATE TABLE jid (_id INTEGER PRIMARY KEY, raw_string TEXT);"
    )
    conn.close()
    with pytest.raises(ParseError, match=r"msgstore\.db: table message lacks column.*unknown"):
        parse_all(whatsapp_msgstore.PARSER, path)
    ios = tmp_path / "ChatStorage.sqlite"
    conn = sqlite3.connect(ios)
    conn.executescript(
        "CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER);"
        "CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT);"
    )
    conn.close()
    with pytest.raises(ParseError, match=r"lacks column\(s\) zisfromme"):
        parse_all(whatsapp_ios.PARSER, ios)


def test_msgstore_chat_without_messages_is_kept(tmp_path: Path) -> None:
    path = msgstore(tmp_path / "msgstore.db")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO chat VALUES (3, 2, 0, NULL, 0, 0)")
    conn.commit()
    conn.close()
    convs = parse_all(whatsapp_msgstore.PARSER, path)
    assert [(c.conv.source_id, len(c.messages)) for c in convs] == [
        (J1, 4), (GROUP, 3), (None, 1), (J2, 0),
    ]  # fmt: skip
    assert convs[2].conv.title == "(chat_row_id 99: not in the chat table)"
    assert convs[3].ids() == ["owner", J2]
