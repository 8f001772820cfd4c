"""`verify` ties exhibits, acquisitions and ingested conversations to the custody entries that
recorded them, and names each kind of change a hostile database writer could make."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from vigil.db.tables.evidence import Exhibit
from vigil.evidence.digests import BLOCK, MerkleBuilder, MessageDigest, message_row
from vigil.services.evidence.exhibits import register_file
from vigil.services.evidence.verify import VerifyReport, verify_workspace
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chats"


def _build(ws: Workspace, tmp_path: Path, shared_fixtures: Path) -> None:
    """Two plain exhibits (JS/1, JS/2), a Telegram chat, and a UFDR with one attachment."""
    for i in range(2):
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(f"file {i}".encode())
        register_file(ws, "OP-TEST", p, source="s", acquired_by="Jane Smith")
    ingest_file(ws, "OP-TEST", shared_fixtures / "chats/telegram/chat-analytics/DM_2A_7M.json")
    ufdr = tmp_path / "phone.ufdr"
    with zipfile.ZipFile(ufdr, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.xml", (FIXTURES / "ufdr" / "report.xml").read_bytes())
        zf.writestr("files/Image/pitch.jpg", b"\xff\xd8\xff\xe0synthetic-jpeg\xff\xd9")
    ingest_file(ws, "OP-TEST", ufdr)


def _kinds(rep: VerifyReport) -> set[str]:
    assert rep.records is not None
    return {d.kind for d in rep.records.discrepancies}


def test_a_clean_workspace_ties_every_record(
    ws: Workspace, tmp_path: Path, shared_fixtures: Path
) -> None:
    _build(ws, tmp_path, shared_fixtures)
    rep = verify_workspace(ws)
    assert rep.ok and rep.records is not None
    assert rep.records.discrepancies == [] and rep.records.untied == []
    assert rep.records.exhibits == 5  # two files, two chat exhibits, one attachment
    assert rep.records.acquisitions == 5
    with ws.sessions() as s:
        n_conv = s.execute(text("SELECT count(*) FROM conversations")).scalar_one()
        n_msg = s.execute(text("SELECT count(*) FROM messages")).scalar_one()
    assert rep.records.conversations == n_conv >= 2
    assert rep.records.messages == n_msg > 8


def _forge_blob(ws: Workspace, conn: Connection) -> str:
    """Forged bytes stored properly, with their own correct hashes."""
    data = b"forged bytes"
    stored = ws.store.put_stream(io.BytesIO(data))
    d = stored.digests
    conn.execute(
        text("INSERT INTO blobs (sha256, sha1, md5, size, stored_at) VALUES (:a, :b, :c, :d, :e)"),
        {"a": d.sha256, "b": d.sha1, "c": d.md5, "d": d.size, "e": "2026-01-01 00:00:00.000000"},
    )
    return d.sha256


def _first_msg_conv(conn: Connection) -> int:
    return int(conn.execute(text("SELECT min(conversation_id) FROM messages")).scalar_one())


Tamper = Callable[[Workspace, Connection], None]


def _repoint(ws: Workspace, c: Connection) -> None:
    sha = _forge_blob(ws, c)
    c.execute(text("UPDATE exhibits SET blob_sha256 = :s WHERE ref = 'JS/1'"), {"s": sha})


def _insert_exhibit(ws: Workspace, c: Connection) -> None:
    sha = _forge_blob(ws, c)
    c.execute(
        text(
            "INSERT INTO exhibits (case_id, ref, initials, seq, blob_sha256, original_name, "
            "mime_type, size, registered_at, registered_by_id, tool_version) SELECT case_id, "
            "'JS/99', initials, 99, :s, 'planted.txt', mime_type, 12, registered_at, "
            "registered_by_id, tool_version FROM exhibits WHERE ref = 'JS/1'"
        ),
        {"s": sha},
    )


def _delete_exhibit(ws: Workspace, c: Connection) -> None:
    c.execute(
        text(
            "DELETE FROM acquisitions WHERE exhibit_id = (SELECT id FROM exhibits WHERE ref='JS/2')"
        )
    )
    c.execute(text("DELETE FROM exhibits WHERE ref = 'JS/2'"))


def _delete_conversation(ws: Workspace, c: Connection) -> None:
    conv = _first_msg_conv(c)
    for table in ("messages", "attachments", "skipped_records"):
        c.execute(text(f"DELETE FROM {table} WHERE conversation_id = :c"), {"c": conv})
    for table in ("findings", "assessments", "participants"):
        try:
            with c.begin_nested():
                c.execute(text(f"DELETE FROM {table} WHERE conversation_id = :c"), {"c": conv})
        except Exception:  # a table this schema names differently: nothing of it to delete
            pass
    c.execute(text("DELETE FROM conversations WHERE id = :c"), {"c": conv})


def _sql(*statements: str) -> Tamper:
    def run(ws: Workspace, c: Connection) -> None:
        conv = _first_msg_conv(c)
        for st in statements:
            c.execute(text(st), {"c": conv})

    return run


TAMPERS: dict[str, tuple[Tamper, str]] = {
    "repoint an exhibit at forged bytes": (_repoint, "EXHIBIT REPOINTED"),
    "rename an exhibit": (
        _sql("UPDATE exhibits SET original_name = 'other.txt' WHERE ref = 'JS/1'"),
        "EXHIBIT EDITED",
    ),
    "edit a blob's recorded MD5": (
        _sql(
            f"UPDATE blobs SET md5 = '{'0' * 32}' WHERE sha256 = (SELECT blob_sha256 FROM "
            "exhibits WHERE ref = 'JS/1')"
        ),
        "BLOB EDITED",
    ),
    "edit an acquisition": (
        _sql(
            "UPDATE acquisitions SET acquired_by = 'mallory' WHERE id = (SELECT min(id) FROM "
            "acquisitions)"
        ),
        "ACQUISITION EDITED",
    ),
    "delete an acquisition": (
        _sql("DELETE FROM acquisitions WHERE id = (SELECT min(id) FROM acquisitions)"),
        "ROW DELETED",
    ),
    "delete an exhibit": (_delete_exhibit, "ROW DELETED"),
    "plant an exhibit": (_insert_exhibit, "ROW INSERTED"),
    "edit a message": (
        _sql(
            "UPDATE messages SET text = 'see you at the park' WHERE conversation_id = :c AND "
            "seq = 3"
        ),
        "MESSAGE EDITED",
    ),
    "change who sent a message": (
        _sql("UPDATE messages SET sender_id = NULL WHERE conversation_id = :c AND seq = 2"),
        "MESSAGE EDITED",
    ),
    "move a message in time": (
        _sql(
            "UPDATE messages SET sent_at = '2001-01-01 00:00:00.000000' WHERE "
            "conversation_id = :c AND seq = 4"
        ),
        "MESSAGE EDITED",
    ),
    "delete a message": (
        _sql("DELETE FROM messages WHERE conversation_id = :c AND seq = 5"),
        "MESSAGE DELETED",
    ),
    "insert a message": (
        _sql(
            "INSERT INTO messages (conversation_id, seq, text, source_location, is_edited, "
            "is_deleted, is_system, has_attachments) VALUES (:c, 999, 'planted', 'x', false, "
            "false, false, false)"  # (SQLite reads false as 0; PostgreSQL wants a boolean)
        ),
        "MESSAGE INSERTED",
    ),
    "rename a participant": (
        _sql(
            "UPDATE participants SET display_name = 'someone else' WHERE id = (SELECT min(id) "
            "FROM participants WHERE conversation_id = :c)"
        ),
        "PARTICIPANT EDITED",
    ),
    "repoint an attachment": (
        _sql(
            "UPDATE attachments SET exhibit_id = (SELECT id FROM exhibits WHERE ref = 'JS/1') "
            "WHERE exhibit_id IS NOT NULL"
        ),
        "ATTACHMENT EDITED",
    ),
    "change a conversation's count": (
        _sql("UPDATE conversations SET message_count = message_count - 1 WHERE id = :c"),
        "CONVERSATION EDITED",
    ),
    "delete a whole conversation": (_delete_conversation, "ROW DELETED"),
}


@pytest.mark.parametrize("what", list(TAMPERS))
def test_each_kind_of_record_tampering_is_named_on_every_verify(
    what: str, ws: Workspace, tmp_path: Path, shared_fixtures: Path
) -> None:
    _build(ws, tmp_path, shared_fixtures)
    assert verify_workspace(ws).ok
    tamper, kind = TAMPERS[what]
    with ws.engine.begin() as c:
        tamper(ws, c)
    first = verify_workspace(ws)
    assert not first.ok and kind in _kinds(first), _kinds(first)
    assert first.records is not None
    assert all(d.message for d in first.records.discrepancies)
    (tmp_path / "later").mkdir()
    p = tmp_path / "later" / "f.txt"
    p.write_bytes(b"an ordinary later exhibit")
    register_file(ws, "OP-TEST", p, source="s", acquired_by="Jane Smith")
    again = verify_workspace(ws)  # neither the failed verify nor a later write hides it
    assert not again.ok and kind in _kinds(again)


def test_a_repointed_exhibit_names_both_hashes(
    ws: Workspace, tmp_path: Path, shared_fixtures: Path
) -> None:
    _build(ws, tmp_path, shared_fixtures)
    with ws.sessions() as s:
        was = s.execute(select(Exhibit.blob_sha256).where(Exhibit.ref == "JS/1")).scalar_one()
    with ws.engine.begin() as c:
        _repoint(ws, c)
    rep = verify_workspace(ws)
    assert rep.records is not None
    [d] = [d for d in rep.records.discrepancies if d.kind == "EXHIBIT REPOINTED"]
    assert "JS/1" in d.message and was in d.message and d.seq is not None
    assert rep.problems == []  # the forged bytes hash correctly: only the tie catches it


def _rfc6962(leaves: list[bytes]) -> bytes:
    """The tree hash as RFC 6962 section 2.1 defines it, recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33])
def test_the_incremental_tree_is_rfc_6962(n: int) -> None:
    leaves = [f"leaf {i}".encode() for i in range(n)]
    b = MerkleBuilder()
    for leaf in leaves:
        b.add_leaf(leaf)
    assert b.root() == _rfc6962(leaves).hex()


def test_message_blocks_and_order_matter() -> None:
    rows = [
        (i, 1, "2024-01-02 03:04:05.000000", None, None, f"m{i}", None, None, None, None,
         0, 0, 0, 0, f"loc{i}", None)
        for i in range(1, BLOCK * 2 + 3)
    ]  # fmt: skip
    a, b = MessageDigest(), MessageDigest()
    for r in rows:
        a.add(r)
    swapped = rows[:]
    swapped[BLOCK], swapped[BLOCK + 1] = swapped[BLOCK + 1], swapped[BLOCK]
    for r in swapped:
        b.add(r)
    assert a.count == b.count == len(rows) and a.root() != b.root()
    assert a.root() == a.root()  # asking does not change it
    from datetime import UTC, datetime

    read_back = (1, 1, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), None, None, "m1", None, None,
                 None, None, False, False, False, False, "loc1", None)  # fmt: skip
    assert message_row(read_back) == rows[0]


def test_a_repointed_exhibit_is_never_shown(
    ws: Workspace, tmp_path: Path, shared_fixtures: Path
) -> None:
    from vigil.errors import IntegrityError
    from vigil.services.evidence.exhibits import open_content

    _build(ws, tmp_path, shared_fixtures)
    with open_content(ws, "OP-TEST", "JS/1", "check the file") as fh:
        assert fh.read() == b"file 0"
    with ws.engine.begin() as c:
        _repoint(ws, c)
    with (
        pytest.raises(IntegrityError, match=r"JS/1.*now points at stored bytes"),
        open_content(ws, "OP-TEST", "JS/1", "check the file") as fh,
    ):
        fh.read()
