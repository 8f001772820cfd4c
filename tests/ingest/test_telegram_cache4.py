"""Telegram for Android ``cache4.db``: exact counts, text from TL blobs (short and long strings,
emoji), group senders from ``from_id``, damaged blobs kept, times across zones and DST,
detection beside every other device database, and the ingest service and CLI (the file left
byte-identical; corrupt and locked databases refused with nothing stored). The fixtures are
built by ``telegram_cache4_fixture.py`` (its docstring says where the structure comes from)."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from tests.ingest.app_fixtures import arroyo_db, kik_sqlite
from tests.ingest.device_fixtures import (
    DST_TIMES,
    android_mmssms,
    chatstorage,
    ios_sms_db,
    msgstore,
    msgstore_legacy,
    parse_all,
    write_locked,
)
from tests.ingest.telegram_cache4_fixture import (
    ALEX,
    CHANNEL,
    CHRIS,
    EMOJI_TEXT,
    FWD,
    GROUP,
    JO,
    KAI,
    LONG_TEXT,
    MESSAGE_FLAGS2,
    OLD_TIME,
    PEER_CHAT,
    PEER_USER,
    ROBIN,
    SAM,
    SECRET_DIALOG,
    c32,
    cache4,
    cache4_legacy,
    i32,
    message,
    peer,
    tl_string,
)
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.config import load_settings
from vigil.db.tables.conversations import (
    AttachmentRow,
    ConversationRow,
    MessageRow,
    ParticipantRow,
    SkippedRow,
)
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import ParseError
from vigil.ingest.base import HEAD_BYTES, ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import _tl, vigil_parsers
from vigil.ingest.formats.telegram_cache4 import PARSER, dialog_kind
from vigil.model import AttachmentStatus
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace, open_workspace


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(ws: Workspace, table: type) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return cache4(tmp_path / "cache4.db")


def test_counts_participants_and_attachments(db: Path) -> None:
    one, group, chan, secret = parse_all(PARSER, db)
    assert [len(c.messages) for c in (one, group, chan, secret)] == [7, 7, 1, 2]
    assert [c.attachments for c in (one, group, chan, secret)] == [1, 2, 0, 0]
    assert [c.conv.source_id for c in (one, group, chan, secret)] == [
        str(ALEX), str(-GROUP), str(-CHANNEL), str(SECRET_DIALOG),
    ]  # fmt: skip
    assert all(c.conv.platform == "telegram" for c in (one, group, chan, secret))
    assert one.conv.title == "Alex (@alex_k)" and one.ids() == ["owner", f"user{ALEX}"]
    assert group.conv.title == "Year 9 Study Group"
    assert group.ids() == ["owner", f"user{SAM}", f"user{CHRIS}", "unknown member"]
    assert [p.display_name for p in group.conv.participants[1:3]] == [
        "Sam Taylor", "chris (@chris_99)",
    ]  # fmt: skip
    assert chan.conv.title == "School News" and chan.ids() == ["owner", f"channel{CHANNEL}"]
    assert secret.conv.title == "secret chat with Jo" and secret.ids() == ["owner", f"user{JO}"]
    (photo,) = one.messages[4].attachments
    (doc,) = group.messages[6].attachments
    (marked,) = group.messages[5].attachments
    assert photo.status == doc.status == marked.status == AttachmentStatus.MISSING
    assert any("photo: 1 (mid 5)" in n and "not in cache4.db" in n for n in one.conv.notes)
    assert any("document: 1 (mid 7)" in n and "media (kind not known): 1 (mid 6)" in n
               for n in group.conv.notes)  # fmt: skip
    assert any("1 message(s) whose blob could not be read are marked as having media" in n
               for n in group.conv.notes)  # fmt: skip
    assert not any("marked as having media" in n for n in one.conv.notes)
    assert any("not files" in n and "location: 1 (mid 5)" in n for n in group.conv.notes)
    assert any("1 row(s) in table scheduled_messages_v2 are not read" in n for n in one.conv.notes)
    assert any("Telegram user 5000000001" in n for n in one.conv.notes)


def test_texts_senders_and_long_and_emoji_strings(db: Path) -> None:
    one, group, chan, secret = parse_all(PARSER, db)
    texts = [m.text for m in one.messages]
    assert texts[:5] == [
        "how old are you?", "why do you ask", LONG_TEXT, EMOJI_TEXT, "a gift for you 🎁",
    ]  # fmt: skip
    assert len(LONG_TEXT.encode()) > 254 and texts[6] == "ok"
    assert [m.sender for m in one.messages] == [f"user{ALEX}", "owner"] + [f"user{ALEX}"] * 4 + [
        "owner"
    ]
    assert [m.source_id for m in one.messages] == [str(i) for i in range(1, 8)]
    assert one.messages[0].source_location == f"messages_v2 uid {ALEX} mid 1"
    assert any("send_state" in n and "2: 1" in n for n in one.conv.notes)
    senders = [m.sender for m in group.messages]
    assert senders == [f"user{SAM}", f"user{SAM}", "owner", f"user{CHRIS}", f"user{SAM}",
                       "unknown member", f"user{SAM}"]  # fmt: skip
    assert [m.text for m in group.messages[1:5]] == [
        "who else uses your phone?", "my mum does", "can we meet at the station?", "",
    ]  # fmt: skip
    assert group.messages[2].reply_to == "2" and group.messages[1].reply_to is None
    assert group.messages[0].is_system and group.messages[0].text == ""
    assert not any(m.is_system for m in group.messages[1:])
    assert any("sender 'unknown member'" in n and "(mid 6)" in n for n in group.conv.notes)
    assert any(f"names of user{CHRIS} are the lower-cased" in n for n in group.conv.notes)
    assert [(m.sender, m.text) for m in chan.messages] == [
        (f"channel{CHANNEL}", "school closes early on friday")
    ]
    assert [(m.sender, m.text) for m in secret.messages] == [
        (f"user{JO}", "this chat deletes itself"), ("owner", "ok"),
    ]  # fmt: skip
    assert any("read as secret chat 77" in n for n in secret.conv.notes)
    assert any("2 message(s) have a self-destruct timer" in n for n in secret.conv.notes)


def test_damaged_blobs_are_kept_with_their_constructor(db: Path) -> None:
    one, group, _, _ = parse_all(PARSER, db)
    cut = one.messages[5]
    assert (cut.text, cut.source_id, cut.sender) == ("", "6", f"user{ALEX}")
    assert cut.sent_at is not None
    (row_note,) = [n for n in one.conv.notes if n.startswith(f"messages_v2 uid {ALEX} mid 6:")]
    assert "constructor 0x85d6cbe2" in row_note and "runs past the end" in row_note
    assert any(
        n.startswith("1 message(s) whose text could not be read") and "0x85d6cbe2: 1 (mid 6)" in n
        for n in one.conv.notes
    )
    (summary,) = [n for n in group.conv.notes if "whose text could not be read" in n]
    assert summary.startswith("2 message(s)")
    assert "constructor 0x0badf00d: 1 (mid 6)" in summary
    assert "constructor 0x2b085862 (messageService" in summary and "1 (mid 1)" in summary
    assert any(
        f"uid {-GROUP} mid 6: text not read (constructor 0x0badf00d)" in n
        and "date value is not in the blob" in n
        for n in group.conv.notes
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
def test_times_are_utc_whatever_the_zone(db: Path, zone: str) -> None:
    one = parse_all(PARSER, db, ParseOptions(tz=ZoneInfo(zone), tz_source="--tz"))[0]
    assert [m.sent_at for m in one.messages[:4]] == list(DST_TIMES)
    assert all(m.sent_at is not None and m.sent_at.utcoffset() is not None for m in one.messages)
    first = one.messages[0]
    assert first.local_time_text == str(int(DST_TIMES[0].timestamp()))
    assert first.tz_assumed == "UTC (epoch)" and first.time_note is None


def test_older_messages_table_int_ids_and_missing_columns(tmp_path: Path) -> None:
    path = cache4_legacy(tmp_path / "cache4.db")
    assert PARSER.sniff(path.read_bytes()[:HEAD_BYTES], "x").score == 0.9
    one, group = parse_all(PARSER, path)
    assert (len(one.messages), len(group.messages)) == (2, 3)
    assert one.ids() == ["owner", f"user{ROBIN}"]
    assert [m.sender for m in one.messages] == [f"user{ROBIN}", "owner"]
    assert [m.sent_at for m in one.messages] == [
        OLD_TIME, OLD_TIME.replace(hour=1),
    ]  # fmt: skip
    assert group.ids() == ["owner", f"user{ROBIN}", f"user{KAI}"]
    assert group.conv.participants[2].display_name == "Kai Lee (@kai_l)"
    assert [m.sender for m in group.messages] == [f"user{ROBIN}", f"user{KAI}", "owner"]
    assert [m.text for m in group.messages] == [
        "add me on the other app",
        "don't tell anyone",
        "no",
    ]
    assert group.conv.title == "gaming"
    assert any("title is the lower-cased search form" in n for n in group.conv.notes)
    assert any("Telegram cache4.db: table messages" in n for n in one.conv.notes)
    assert any("no ttl, media, reply_to_message_id column(s)" in n for n in one.conv.notes)
    assert one.messages[0].source_location == f"messages uid {ROBIN} mid 1"


def test_stream_without_a_path_is_read_from_a_private_copy(db: Path) -> None:
    data = db.read_bytes()
    convs = PARSER.parse(io.BytesIO(data), "cache4.db", ParseOptions())
    assert [len(list(c.messages)) for c in convs] == [7, 7, 1, 2]


# --- the TL reader ----------------------------------------------------------------------------


def test_tl_strings_short_long_padding_and_damage() -> None:
    long = "x" * 300
    assert tl_string(long)[:4] == b"\xfe\x2c\x01\x00" and len(tl_string(long)) == 304
    assert _tl.text(tl_string(long), 0) == (long, 304)
    assert _tl.text(tl_string("héllo 👍"), 0) == ("héllo 👍", 12)
    assert _tl.string(b"\x00\x00\x00\x00", 0) == (b"", 4)
    bad = {
        b"\x02abX": "padding bytes are not zero",
        b"\x09abc": "runs past the end",
        b"\xfe\x01": "ends inside a long string's length",
        b"\xff\x00\x00\x00": "not a string length byte",
        b"\x02\xff\xfe\x00": "not UTF-8",
    }
    for blob, why in bad.items():
        with pytest.raises(_tl.TLError, match=why):
            _tl.text(blob, 0)
    with pytest.raises(_tl.TLError) as info:
        _tl.i64(b"\x00" * 6, 0)
    assert info.value.offset == 0
    assert _tl.peer(peer(PEER_USER, ALEX), 0) == ("user", ALEX, 12)
    assert _tl.peer(c32(0x12345678) + i32(1), 0) is None


def test_tl_message_reading_anchors() -> None:
    date = int(DST_TIMES[0].timestamp())
    grp = peer(PEER_CHAT, GROUP)
    two = _tl.read_message(
        message(9, date, "hi", grp, sender=peer(PEER_USER, SAM), ctor=MESSAGE_FLAGS2), 9, date
    )
    assert (two.text, two.sender, two.peer) == ("hi", ("user", SAM), ("chat", GROUP))
    wrong_id = _tl.read_message(message(9, date, "hi", grp, sender=peer(PEER_USER, SAM)), 8, date)
    assert wrong_id.text == "hi" and wrong_id.sender is None and wrong_id.peer is None
    assert _tl.read_message(message(9, date, "hi", grp), 9, date + 1).text is None
    short = _tl.read_message(b"\x01\x02\x03", 1, date)
    assert short.text is None and "too short" in (short.reason or "")
    # a forwarded message whose forward header holds the same date and a string after it:
    # both date/string pairs read, the first is taken and the reading is flagged
    fwd_header = c32(0x4E4DF4BB) + c32(1 << 3) + i32(date) + tl_string("author")
    blob = (c32(0x85D6CBE2) + c32(FWD) + i32(9) + grp + fwd_header + i32(date)
            + tl_string("forwarded words"))  # fmt: skip
    read = _tl.read_message(blob, 9, date)
    assert read.ambiguous and read.text == "author"


def test_dialog_kinds() -> None:
    names = SimpleNamespace(users={2**33: None})
    kind = partial(dialog_kind, names=names)  # type: ignore[arg-type]
    assert kind(ALEX) == ("user", ALEX, None) and kind(-GROUP) == ("group", GROUP, None)
    assert kind(2**33)[:2] == ("user", 2**33)  # a user id, though its low 32 bits are zero
    assert kind((1 << 62) | 0xFFFFFFFE)[:2] == ("secret", -2)
    assert kind(77 << 32) == ("secret", 77, f"dialog id {77 << 32} read as secret chat 77 (id "
                              "shifted 32 bits)")  # fmt: skip
    assert kind(-5 << 32)[:2] == ("secret", -5)


# --- detection --------------------------------------------------------------------------------

OTHERS: list[tuple[Callable[[Path], Path], str, str]] = [
    (ios_sms_db, "sms.db", "ios_sms_db"),
    (android_mmssms, "mmssms.db", "android_mmssms"),
    (msgstore, "msgstore.db", "whatsapp_msgstore"),
    (msgstore_legacy, "msgstore.db", "whatsapp_msgstore"),
    (chatstorage, "ChatStorage.sqlite", "whatsapp_ios"),
    (kik_sqlite, "kik.sqlite", "kik_sqlite"),
    (arroyo_db, "arroyo.db", "snapchat_arroyo"),
]


@pytest.mark.parametrize(("build", "name", "parser"), OTHERS)
def test_other_device_databases_keep_their_parser(
    tmp_path: Path, build: Callable[[Path], Path], name: str, parser: str
) -> None:
    head = build(tmp_path / name).read_bytes()[:HEAD_BYTES]
    assert PARSER.sniff(head, "cache4.db").score == 0.0
    assert detect(head, name, vigil_parsers()).parser.name == parser
    assert detect(head, "cache4.db", vigil_parsers()).parser.name == parser


@pytest.mark.parametrize("build", [cache4, cache4_legacy])
def test_detection(tmp_path: Path, build: Callable[[Path], Path]) -> None:
    head = build(tmp_path / "cache4.db").read_bytes()[:HEAD_BYTES]
    assert detect(head, "cache4.db", vigil_parsers()).parser.name == "telegram_cache4"
    assert detect(head, "copy.bin", vigil_parsers()).parser.name == "telegram_cache4"
    assert PARSER.sniff(b"SQLite format 3\x00" + b"\x00" * 200, "cache4.db").score == 0.0
    assert PARSER.sniff(b"{}", "cache4.db").score == 0.0


def _schema_db(path: Path, messages: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);"
        "CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);"
        "CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER);"
        "CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER);" + messages
    )
    conn.close()
    return path


def test_unknown_schema_is_named(tmp_path: Path) -> None:
    lacking = _schema_db(
        tmp_path / "cache4.db",
        "CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, date INTEGER, out INTEGER);",
    )
    with pytest.raises(
        ParseError,
        match=r"^cache4\.db: table messages_v2 lacks column\(s\) data: an unknown Telegram "
        r"cache4\.db schema version",
    ):
        parse_all(PARSER, lacking)
    (tmp_path / "b").mkdir()
    none = _schema_db(tmp_path / "b" / "cache4.db", "")
    with pytest.raises(ParseError, match=r"^cache4\.db: no messages_v2 or messages table"):
        parse_all(PARSER, none)


# --- through the ingest service and the CLI ------------------------------------------------------


@pytest.mark.parametrize("pipeline", [False, True])
def test_ingest_stores_exact_counts_and_leaves_the_file_untouched(
    ws: Workspace, db: Path, tmp_path: Path, pipeline: bool
) -> None:
    before, stamp = sha(db), db.stat().st_mtime_ns
    s = ingest_file(ws, "OP-TEST", db, tz="America/New_York", pipeline=pipeline)
    assert s.parser == "telegram_cache4"
    assert (len(s.conversations), s.messages, s.participants) == (4, 17, 10)
    assert count(ws, ConversationRow) == 4 and count(ws, MessageRow) == 17
    assert count(ws, ParticipantRow) == 10 and count(ws, AttachmentRow) == 3
    assert count(ws, SkippedRow) == 0
    assert any(f"uid {ALEX} mid 6: text not read" in n for n in s.notes)
    assert sha(db) == before and db.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ws") == ["cache4.db"]
    with ws.sessions() as session:
        blob = session.execute(select(Exhibit.blob_sha256)).scalar_one()
        times = session.execute(
            select(MessageRow.sent_at).join(ConversationRow).where(
                ConversationRow.source_id == str(ALEX)
            ).order_by(MessageRow.seq)
        ).scalars().all()  # fmt: skip
    assert blob == before and sha(ws.store.path_for(blob)) == before
    assert list(times[:4]) == list(DST_TIMES)
    assert verify_workspace(ws).ok


def _refused(ws: Workspace, path: Path, pattern: str) -> None:
    before = sha(path)
    with pytest.raises(ParseError, match=pattern):
        ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert sha(path) == before
    assert count(ws, Exhibit) == 0 and count(ws, Blob) == 0
    assert count(ws, ConversationRow) == 0 and count(ws, MessageRow) == 0
    assert list(ws.store.iter_blob_names()) == []
    assert verify_workspace(ws).ok


def test_corrupt_and_truncated_databases_are_refused(ws: Workspace, db: Path) -> None:
    good = db.read_bytes()
    data = bytearray(good)
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first overwritten
    db.write_bytes(bytes(data))
    _refused(ws, db, r"cache4\.db: (the database is corrupt|not a readable SQLite database)")
    db.write_bytes(good[:8192])
    _refused(ws, db, r"cache4\.db: the database is corrupt")


_INSERT = "INSERT INTO messages_v2 (mid, uid, date, out, data) VALUES (? + 1000, 1, 1, 0, ?)"


def test_locked_database_is_refused_and_nothing_stored(ws: Workspace, db: Path) -> None:
    with write_locked(db, _INSERT) as pid:
        _refused(ws, db, rf"cache4\.db: the database is locked: process {pid}")
    _refused(ws, db, r"hot rollback journal \(cache4\.db-journal\)")


def test_cli_ingests_and_refuses_a_corrupt_copy(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_HOME", str(tmp_path / "ws"))
    monkeypatch.setenv("VIGIL_USER", "cli.officer")
    monkeypatch.setenv("COLUMNS", "220")
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["admin", "init"]).exit_code == 0
    assert runner.invoke(app, ["case", "create", "OP-CLI", "--title", "t"]).exit_code == 0
    bad = tmp_path / "copy" / "cache4.db"
    bad.parent.mkdir()
    bad.write_bytes(db.read_bytes()[:8192])
    before = sha(db)
    r = runner.invoke(app, ["ingest", str(db), str(bad), "--case", "OP-CLI", "--json"])
    assert r.exit_code == 4, r.output
    good, refused = json.loads(r.stdout[r.stdout.index("[") :])
    assert (good["parser"], good["messages"], good["participants"]) == ("telegram_cache4", 17, 10)
    assert refused["file"] == str(bad) and "cache4.db: the database is corrupt" in refused["error"]
    assert sha(db) == before
    ws = open_workspace(load_settings())
    assert count(ws, Exhibit) == 1 and count(ws, MessageRow) == 17
    assert verify_workspace(ws).ok
