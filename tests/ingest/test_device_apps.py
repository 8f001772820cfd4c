"""Kik for iOS (``kik.sqlite``) and Snapchat for Android (``arroyo.db``): exact counts, times
across DST, protobuf text, damaged records kept, detection, and the ingest service (file left
byte-identical, a corrupt database refused with nothing stored). The fixtures are built by
``app_fixtures.py`` from the apps' tables as forensic write-ups describe them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.ingest.app_fixtures import (
    ALEX_JID,
    FRIEND,
    GROUP_JID,
    KIK_GROUP_TIME,
    MEMBER,
    ONE_TO_ONE,
    arroyo_db,
    kik_sqlite,
    snap_text,
)
from tests.ingest.device_fixtures import DST_TIMES, parse_all

from vigil.db.tables.conversations import AttachmentRow, MessageRow
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import ParseError
from vigil.ingest.base import HEAD_BYTES
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats._protobuf import ProtoError, at_path, encode_field, fields
from vigil.ingest.formats.kik_sqlite import PARSER as KIK
from vigil.ingest.formats.snapchat_arroyo import PARSER as ARROYO
from vigil.ingest.formats.snapchat_arroyo import message_text
from vigil.model import AttachmentStatus
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(ws: Workspace, table: type) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_kik_counts_senders_times_and_attachment(tmp_path: Path) -> None:
    one, group = parse_all(KIK, kik_sqlite(tmp_path / "kik.sqlite"))
    assert (one.conv.platform, one.conv.title, group.conv.title) == ("kik", "Alex", "Year 9 chat")
    assert (len(one.messages), len(group.messages)) == (5, 4)
    assert one.ids() == ["owner", ALEX_JID]
    assert group.ids() == ["owner", GROUP_JID, "sam_k2_p0q@talk.kik.com", "chris_k3"]
    assert [m.sender for m in one.messages] == [ALEX_JID, "owner", ALEX_JID, "owner", ALEX_JID]
    assert [m.sent_at for m in one.messages[:4]] == list(DST_TIMES)
    assert one.messages[0].text == "how old are you?" and one.messages[3].text == ""
    late = one.messages[4]  # no ZTIMESTAMP: the received time, noted; undocumented ZTYPE noted
    assert late.sent_at is not None and late.sent_at > DST_TIMES[3]
    assert late.time_note == "no ZTIMESTAMP: ZRECEIVEDTIMESTAMP used"
    assert any("ZTYPE 9" in n for n in one.conv.notes)
    (att,) = one.messages[3].attachments
    assert (one.attachments, group.attachments) == (1, 0)
    assert (
        att.status == AttachmentStatus.MISSING
        and att.file_name
        and att.file_name.startswith("3f2a")
    )
    status, *said = group.messages
    assert status.is_system and status.sent_at == KIK_GROUP_TIME
    assert [m.sender for m in said] == ["sam_k2_p0q@talk.kik.com", "chris_k3", "owner"]
    assert [m.source_location for m in said] == [f"ZKIKMESSAGE Z_PK {i}" for i in (7, 8, 9)]


def test_arroyo_counts_protobuf_text_and_damaged_blob(tmp_path: Path) -> None:
    one, group = parse_all(ARROYO, arroyo_db(tmp_path / "arroyo.db"))
    assert (one.conv.source_id, len(one.messages), len(group.messages)) == (ONE_TO_ONE, 6, 2)
    assert one.ids() == ["owner", FRIEND] and group.ids() == ["owner", FRIEND, MEMBER]
    assert (one.attachments, group.attachments) == (0, 0)
    texts = [m.text for m in one.messages]
    assert texts[:4] == ["what school do you go to?", "why", "add me on the other app", "ok 👍"]
    assert [m.sender for m in one.messages[:2]] == [FRIEND, "owner"]
    assert [m.sent_at for m in one.messages[:4]] == list(DST_TIMES)
    assert texts[4] == "[content_type 2: not decoded]"
    assert texts[5] == "" and one.messages[5].source_id == "6"
    assert any("1 of content_type 2" in n for n in one.conv.notes)
    assert any("/6: message_content is not readable protobuf" in n and "byte 0" in n
               for n in one.conv.notes)  # fmt: skip
    assert [m.text for m in group.messages] == ["when are you alone?", "never"]


def test_protobuf_reader() -> None:
    blob = encode_field(1, 300) + encode_field(2, "hé") + b"\x1d\x01\x00\x00\x00"
    assert list(fields(blob)) == [(1, 0, 300), (2, 2, "hé".encode()), (3, 5, 1)]
    assert at_path(snap_text("x"), (4, 4, 2, 1)) == b"x"
    assert at_path(snap_text("x"), (4, 9)) is None
    for bad, where in [(b"\x08", 1), (b"\x0a\x05ab", 0), (b"\x00", 0), (b"\x0b", 0),
                       (b"\x08\x01\x08" + b"\xff" * 11, 3)]:  # fmt: skip
        with pytest.raises(ProtoError) as info:
            list(fields(bad))
        assert info.value.offset == where
    assert message_text(12) == (None, "message_content is int, not a blob")
    assert message_text(
        encode_field(4, encode_field(4, encode_field(2, encode_field(1, b"\xff"))))
    )[1]


@pytest.mark.parametrize(
    ("build", "name", "parser"),
    [(kik_sqlite, "kik.sqlite", "kik_sqlite"), (arroyo_db, "arroyo.db", "snapchat_arroyo")],
)
def test_detection(tmp_path: Path, build: object, name: str, parser: str) -> None:
    path = build(tmp_path / name)  # type: ignore[operator]
    head = path.read_bytes()[:HEAD_BYTES]
    assert detect(head, name, vigil_parsers()).parser.name == parser
    assert detect(head, "copy.bin", vigil_parsers()).parser.name == parser


@pytest.mark.parametrize(
    ("build", "name", "counts"),
    [(kik_sqlite, "kik.sqlite", (2, 9, 6, 1)), (arroyo_db, "arroyo.db", (2, 8, 5, 0))],
)
def test_ingest_counts_and_file_untouched(
    ws: Workspace, tmp_path: Path, build: object, name: str, counts: tuple[int, ...]
) -> None:
    path = build(tmp_path / name)  # type: ignore[operator]
    before, stamp = sha(path), path.stat().st_mtime_ns
    s = ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert (len(s.conversations), s.messages, s.participants, count(ws, AttachmentRow)) == counts
    assert count(ws, MessageRow) == counts[1]
    assert sha(path) == before and path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ws") == [name]
    assert verify_workspace(ws).ok


@pytest.mark.parametrize(("build", "name"), [(kik_sqlite, "kik.sqlite"), (arroyo_db, "arroyo.db")])
def test_corrupt_database_is_refused_and_nothing_stored(
    ws: Workspace, tmp_path: Path, build: object, name: str
) -> None:
    path = build(tmp_path / name)  # type: ignore[operator]
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the schema overwritten
    path.write_bytes(bytes(data))
    before = sha(path)
    with pytest.raises(ParseError, match=rf"{name}: .*(corrupt|not a readable)"):
        ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert sha(path) == before
    assert count(ws, Exhibit) == 0 and count(ws, Blob) == 0 and count(ws, MessageRow) == 0
    assert list(ws.store.iter_blob_names()) == [] and verify_workspace(ws).ok


def test_unknown_kik_schema_is_named(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "kik.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE ZKIKMESSAGE (Z_PK INTEGER PRIMARY KEY, ZTEXT VARCHAR);"
        "CREATE TABLE ZKIKUSER (Z_PK INTEGER PRIMARY KEY);"
    )
    conn.close()
    with pytest.raises(ParseError, match=r"kik\.sqlite.*ZKIKMESSAGE|zkikmessage lacks"):
        parse_all(KIK, path)
