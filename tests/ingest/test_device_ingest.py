"""Device databases through the ingest service: stored counts, the exhibit left byte-identical,
and corrupt, encrypted or locked databases refused with a clear error and nothing stored."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.ingest.device_fixtures import (
    android_mmssms,
    chatstorage,
    ios_sms_db,
    msgstore,
    msgstore_legacy,
    write_locked,
)

from vigil.db.tables.conversations import (
    AttachmentRow,
    ConversationRow,
    MessageRow,
    ParticipantRow,
    SkippedRow,
)
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import ParseError
from vigil.ingest.formats._sqlite_source import check_original
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace


def count(ws: Workspace, table: type) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("build", "name", "parser", "convs", "msgs", "parts", "atts", "skipped"),
    [
        (ios_sms_db, "sms.db", "ios_sms_db", 3, 9, 7, 3, 0),
        (android_mmssms, "mmssms.db", "android_mmssms", 2, 6, 5, 1, 0),
        (msgstore, "msgstore.db", "whatsapp_msgstore", 3, 8, 7, 1, 0),
        (msgstore_legacy, "msgstore.db", "whatsapp_msgstore", 2, 6, 5, 1, 1),
        (chatstorage, "ChatStorage.sqlite", "whatsapp_ios", 2, 7, 5, 1, 0),
    ],
)
def test_ingest_stores_exact_counts_and_leaves_the_file_untouched(
    ws: Workspace,
    tmp_path: Path,
    build: Callable[[Path], Path],
    name: str,
    parser: str,
    convs: int,
    msgs: int,
    parts: int,
    atts: int,
    skipped: int,
) -> None:
    path = build(tmp_path / name)
    before, stamp = sha(path), path.stat().st_mtime_ns
    summary = ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert summary.parser == parser
    assert (len(summary.conversations), summary.messages, summary.participants) == (
        convs, msgs, parts,
    )  # fmt: skip
    assert count(ws, ConversationRow) == convs and count(ws, MessageRow) == msgs
    assert count(ws, ParticipantRow) == parts and count(ws, AttachmentRow) == atts
    assert count(ws, SkippedRow) == skipped
    assert sha(path) == before and path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ws") == [name]
    with ws.sessions() as s:
        blob = s.execute(select(Exhibit.blob_sha256)).scalar_one()
    assert blob == before  # the stored exhibit is the file's own bytes
    assert sha(ws.store.path_for(blob)) == before  # and parsing did not change the stored copy
    assert verify_workspace(ws).ok


def test_ingest_in_a_worker_process_stores_the_same(ws: Workspace, tmp_path: Path) -> None:
    path = msgstore(tmp_path / "msgstore.db")
    summary = ingest_file(ws, "OP-TEST", path, pipeline=True)
    assert (summary.messages, summary.participants) == (8, 7)


def _refused(ws: Workspace, path: Path, pattern: str, fmt: str = "auto") -> None:
    before = sha(path)
    with pytest.raises(ParseError, match=pattern):
        ingest_file(ws, "OP-TEST", path, fmt=fmt, pipeline=False)
    assert sha(path) == before
    assert count(ws, Exhibit) == 0 and count(ws, Blob) == 0
    assert count(ws, ConversationRow) == 0 and count(ws, MessageRow) == 0
    assert list(ws.store.iter_blob_names()) == []
    assert verify_workspace(ws).ok


def test_corrupt_database_is_refused_and_nothing_stored(ws: Workspace, tmp_path: Path) -> None:
    path = msgstore(tmp_path / "msgstore.db")
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # page 2 overwritten
    path.write_bytes(bytes(data))
    _refused(ws, path, r"msgstore\.db: the database is corrupt \(database disk image is malformed")


def test_truncated_database_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = ios_sms_db(tmp_path / "sms.db")
    path.write_bytes(path.read_bytes()[:8192])
    _refused(ws, path, r"sms\.db: the database is corrupt")


def test_encrypted_database_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "msgstore.db.crypt14"
    path.write_bytes(bytes(range(256)) * 64)
    _refused(
        ws,
        path,
        r"msgstore\.db\.crypt14, byte offset 0: not a SQLite database",
        fmt="whatsapp_msgstore",
    )
    header_only = tmp_path / "cache4.db"
    header_only.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    _refused(ws, header_only, r"cache4\.db: not a readable SQLite database", fmt="ios_sms_db")


_MSGSTORE_INSERT = "INSERT INTO message (chat_row_id, from_me, key_id, timestamp, text_data) VALUES (1, 1, ?, 1, ?)"


def test_locked_original_is_refused_by_check(tmp_path: Path) -> None:
    """A database another program is writing (an app still running on a mounted image) is
    refused before its bytes are read; once the writer is gone its hot journal is refused."""
    path = msgstore(tmp_path / "msgstore.db")
    assert check_original(path) == []
    with (
        write_locked(path, _MSGSTORE_INSERT) as pid,
        pytest.raises(
            ParseError, match=rf"msgstore\.db: the database is locked: process {pid} is writing"
        ),
    ):
        check_original(path)
    with pytest.raises(ParseError, match=r"hot rollback journal \(msgstore\.db-journal\)"):
        check_original(path)


def test_wal_beside_the_database_is_noted(tmp_path: Path) -> None:
    path = msgstore(tmp_path / "msgstore.db")
    (tmp_path / "msgstore.db-wal").write_bytes(b"\x00" * 32)
    notes = check_original(path)
    assert len(notes) == 1 and "msgstore.db-wal (32 bytes)" in notes[0]


def test_wal_mode_database_is_read_without_writing_beside_it(ws: Workspace, tmp_path: Path) -> None:
    path = chatstorage(tmp_path / "ChatStorage.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()  # checkpointed on close: only the main file is left
    before = sha(path)
    summary = ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert summary.messages == 7
    assert any("WAL mode" in n for n in summary.notes)
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "ws") == ["ChatStorage.sqlite"]


def test_locked_database_is_refused_at_ingest_and_nothing_stored(
    ws: Workspace, tmp_path: Path
) -> None:
    """Through the ingest service: refused while another program writes the database, then
    while its interrupted change lies in a hot journal; a -wal file is noted."""
    path = msgstore(tmp_path / "msgstore.db")
    with write_locked(path, _MSGSTORE_INSERT) as pid:
        _refused(ws, path, rf"msgstore\.db: the database is locked: process {pid}")
    _refused(ws, path, r"hot rollback journal \(msgstore\.db-journal\)")
    (tmp_path / "clean").mkdir()
    clean = msgstore(tmp_path / "clean" / "msgstore.db")
    (clean.parent / "msgstore.db-wal").write_bytes(b"\x00" * 32)
    s = ingest_file(ws, "OP-TEST", clean, pipeline=False)
    assert s.messages > 0 and any("msgstore.db-wal" in n for n in s.notes)
