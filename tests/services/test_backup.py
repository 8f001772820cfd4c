"""`vigil admin backup` / `restore`: round trips on SQLite and PostgreSQL, refusals, tampering."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.clirun import child, in_process
from tests.pg import fresh_database

from vigil.config import Settings
from vigil.db.tables.conversations import MessageRow
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import AccessDenied, IntegrityError, UserError
from vigil.evidence import checkpoints, custody
from vigil.evidence.chain import entry_hash
from vigil.services.access import as_user
from vigil.services.backup import MANIFEST, STAGING, backup, restore
from vigil.services.cases import create_case
from vigil.services.evidence.exhibits import register_file
from vigil.services.evidence.verify import VerifyReport, verify_workspace
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace, init_workspace, open_workspace

CHAT = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "chats"
    / "whatsapp"
    / "en-GB_android_24h.txt"
)


def _populate(ws: Workspace, tmp_path: Path) -> None:
    """Two registered files and an ingested (benign) chat, through the real services."""
    files = [("notes.txt", b"officer notes\n"), ("bytes.bin", bytes(range(256)) * 40)]
    for name, data in files:
        p = tmp_path / name
        p.write_bytes(data)
        register_file(ws, "OP-TEST", p, source="handset", acquired_by="Jane Smith")
    assert ingest_file(ws, "OP-TEST", CHAT).messages > 0


def _state(ws: Workspace) -> dict[str, Any]:
    with ws.sessions() as s:
        return {
            "exhibits": sorted(
                (e.ref, e.blob_sha256, e.original_name, e.size)
                for e in s.execute(select(Exhibit)).scalars()
            ),
            "blobs": sorted(tuple(r) for r in s.execute(select(Blob.sha256, Blob.size))),
            "messages": sorted(
                (m.conversation_id, m.seq, m.text, str(m.sent_at))
                for m in s.execute(select(MessageRow)).scalars()
            ),
        }


def _entries(ws: Workspace) -> list[dict[str, Any]]:
    with ws.sessions() as s:
        return custody.all_entries(s)


def _problems(rep: VerifyReport) -> list[str]:
    return rep.problems + ([p.message for p in rep.chain.problems] if rep.chain else [])


def _with_key(ws: Workspace, home: Path, **kw: Any) -> Settings:
    """Settings for a new, empty home holding a copy of ``ws``'s signing key (as an
    administrator restoring from their separately kept key would)."""
    key = home / "keys" / "checkpoint-signing.pem"
    key.parent.mkdir(parents=True)
    shutil.copyfile(ws.settings.signing_key_path, key)
    os.chmod(key, 0o600)
    return Settings(home=home, user="tester", database_url=None, **kw)


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:*") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _write(archive: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _assert_empty(settings: Settings) -> None:
    home = settings.resolved_home
    assert not (home / "vigil.db").exists()
    assert not settings.anchor_path.exists() and not settings.checkpoint_path.exists()
    assert not (home / STAGING).exists()
    assert not [p for p in settings.evidence_dir.rglob("*") if p.is_file()]


SQLITE_SNAPSHOT = pytest.mark.sqlite_only(
    reason="reads or edits the archive's SQLite snapshot; test_postgres_round_trip covers the "
    "pg_dump one"
)


@SQLITE_SNAPSHOT
def test_sqlite_round_trip(ws: Workspace, tmp_path: Path) -> None:
    _populate(ws, tmp_path)
    before, head = _state(ws), _entries(ws)[-1]
    rep = backup(ws, tmp_path / "nightly.tar.gz")
    assert rep.path.stat().st_mode & 0o777 == 0o600  # it holds every case's material
    assert (rep.head_seq, rep.head_hash) == (head["seq"], head["entry_hash"])
    assert rep.blobs == 3 and rep.database == "sqlite" and rep.key_id is not None
    logged = _entries(ws)[-1]  # the backup itself is on the live record, with the file's hash
    assert logged["action"] == "admin" and logged["details"]["operation"] == "backup"
    assert logged["details"]["sha256"] == rep.sha256

    members = _members(rep.path)
    assert next(iter(members)) == MANIFEST
    manifest = json.loads(members[MANIFEST])
    assert manifest["custody"]["head_seq"] == rep.head_seq
    assert {f"blobs/{s[:2]}/{s[2:4]}/{s}" for s, _ in before["blobs"]} < set(members)
    private = ws.settings.signing_key_path.read_bytes()
    assert b"PRIVATE KEY" not in b"".join(members.values()) and private not in members.values()
    assert members["checkpoint-signing.pub.pem"].startswith(b"-----BEGIN PUBLIC KEY")

    target = _with_key(ws, tmp_path / "restored")
    r = restore(target, rep.path)
    assert (r.head_seq, r.blobs, r.upgraded_from) == (rep.head_seq, 3, None)
    new = open_workspace(target)  # the schema is current
    assert _state(new) == before
    for sha, _ in before["blobs"]:
        assert new.store.rehash(sha).sha256 == sha
    restored = _entries(new)
    assert restored[: rep.head_seq] == _entries(ws)[: rep.head_seq]
    assert [e["action"] for e in restored[rep.head_seq :]] == ["verify", "admin"]
    assert restored[-1]["details"]["sha256"] == rep.sha256
    check = verify_workspace(new)
    assert check.ok, _problems(check)
    assert check.blobs_checked == 3 and check.checkpoints > 0
    assert not (target.resolved_home / STAGING).exists()


@SQLITE_SNAPSHOT
def test_a_checkpoint_committed_but_not_yet_in_the_file_is_backed_up(
    ws: Workspace, tmp_path: Path
) -> None:
    """The database's copy commits with the entries; the file line follows the commit. A
    snapshot taken between the two still carries every checkpoint it covers."""
    from vigil.evidence import checkpoints
    from vigil.services.backup import _snapshot, _write_records

    _populate(ws, tmp_path)
    path = ws.settings.checkpoint_path
    lines = path.read_text().splitlines(True)
    work = tmp_path / "work"
    work.mkdir()
    snap = _snapshot(ws.settings, "sqlite", work / "db")
    path.write_text("".join(lines[:-1]))  # the newest commit's line is not written yet
    public = checkpoints.load_public(ws.settings.signing_key_path)
    _write_records(ws.settings, snap, work, public)
    assert (work / "custody-checkpoints.jsonl").read_text().splitlines(True) == lines


def _edit_snapshot(members: dict[str, bytes], tmp_path: Path, what: str) -> None:
    """Change the snapshot database, then fix up the manifest's member hashes so that only what
    lies beyond them (the custody chain, the registered hashes) can tell."""
    import hashlib

    db = tmp_path / "snap.sqlite3"
    db.write_bytes(members["database/vigil.sqlite3"])
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    if what == "custody entry":  # rewritten, with its hash recomputed
        row = dict(con.execute("SELECT * FROM custody_log WHERE seq = 3").fetchone())
        row["actor"], row["details"] = "mallory", json.loads(row["details"])
        con.execute("UPDATE custody_log SET actor = ?, entry_hash = ? WHERE seq = 3",
                    ("mallory", entry_hash(row)))  # fmt: skip
    else:  # a blob's registered MD5: only the full verify after placing re-hashes with it
        con.execute("UPDATE blobs SET md5 = ? WHERE rowid = 1", ("0" * 32,))
    con.commit()
    con.close()
    members["database/vigil.sqlite3"] = data = db.read_bytes()
    manifest = json.loads(members[MANIFEST])
    manifest["members"]["database/vigil.sqlite3"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    members[MANIFEST] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    "tamper",
    [
        "blob bytes",
        pytest.param("custody entry", marks=SQLITE_SNAPSHOT),
        pytest.param("registered MD5", marks=SQLITE_SNAPSHOT),
    ],
)
def test_tampered_archive_refused_and_target_left_empty(
    ws: Workspace, tmp_path: Path, tamper: str
) -> None:
    _populate(ws, tmp_path)
    archive = backup(ws, tmp_path / "b.tar.gz").path
    members = _members(archive)
    if tamper == "blob bytes":
        name = next(n for n, d in members.items() if d == b"officer notes\n")
        members[name] = b"officer NOTES\n"
        expect = [name, "altered", "nothing was restored"]
    elif tamper == "custody entry":
        _edit_snapshot(members, tmp_path, tamper)
        expect = ["custody log", "entry 3", "nothing was restored"]
    else:
        _edit_snapshot(members, tmp_path, tamper)
        expect = ["does not verify, so it was removed again", "bytes changed", "MD5 now"]
    bad = tmp_path / "bad.tar.gz"
    _write(bad, members)
    target = _with_key(ws, tmp_path / "restored")
    with pytest.raises(IntegrityError) as exc:
        restore(target, bad)
    assert str(bad) in exc.value.message
    assert all(x in exc.value.message for x in expect), exc.value.message
    _assert_empty(target)
    assert restore(target, archive).head_seq > 0  # the untouched backup still restores


def test_backup_from_a_newer_vigil_refused(ws: Workspace, tmp_path: Path) -> None:
    archive = backup(ws, tmp_path / "b.tar").path
    members = _members(archive)
    manifest = json.loads(members[MANIFEST])
    manifest["schema_revision"], manifest["tool_version"] = "9999", "vigil 99.0"
    members[MANIFEST] = json.dumps(manifest).encode()
    newer = tmp_path / "newer.tar.gz"
    _write(newer, members)
    target = _with_key(ws, tmp_path / "restored")
    with pytest.raises(UserError, match=r"made by vigil 99\.0 at schema revision 9999"):
        restore(target, newer)
    _assert_empty(target)


def test_older_backup_into_live_workspace_refused(ws: Workspace, tmp_path: Path) -> None:
    _populate(ws, tmp_path)
    rep = backup(ws, tmp_path / "b.tar")
    (tmp_path / "later.txt").write_bytes(b"registered after the backup\n")
    register_file(ws, "OP-TEST", tmp_path / "later.txt", source="s", acquired_by="Jane Smith")
    live_before, entries_before = _state(ws), _entries(ws)
    with pytest.raises(UserError) as exc:
        restore(ws, rep.path)
    msg = exc.value.message
    now = entries_before[-1]["seq"]
    assert f"ends at custody entry {rep.head_seq}" in msg and f"is at entry {now}" in msg
    assert f"roll the evidence history back by {now - rep.head_seq} entries" in msg
    assert f"It is a backup of this workspace (entry {rep.head_seq} is the same" in msg
    assert str(rep.checkpoint_at) in msg and "new, empty VIGIL_HOME" in (exc.value.hint or "")
    assert _state(ws) == live_before and _entries(ws) == entries_before
    assert verify_workspace(ws).ok

    other, _, _ = init_workspace(Settings(home=tmp_path / "other", user="tester"))
    with pytest.raises(UserError, match="is a live workspace") as exc:
        restore(other, rep.path)
    assert "never overwrites or merges" in exc.value.message


def test_restore_needs_the_workspace_signing_key(ws: Workspace, tmp_path: Path) -> None:
    _populate(ws, tmp_path)
    archive = backup(ws, tmp_path / "b.tar").path
    bare = Settings(home=tmp_path / "bare", user="tester", database_url=None)
    with pytest.raises(UserError, match="never hold the private key") as exc:
        restore(bare, archive)
    assert str(bare.signing_key_path) in exc.value.message
    _assert_empty(bare)
    other_key = tmp_path / "other.pem"
    checkpoints.load_or_create_key(other_key)
    wrong = Settings(
        home=tmp_path / "wrong", user="tester", database_url=None, signing_key=other_key
    )
    with pytest.raises(UserError, match="were signed with key"):
        restore(wrong, archive)
    _assert_empty(wrong)
    right = Settings(home=tmp_path / "right", user="tester", database_url=None,
                     signing_key=ws.settings.signing_key_path)  # fmt: skip
    assert restore(right, archive).blobs == 3


def test_backup_is_for_administrators(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(AccessDenied):
        backup(as_user(ws, "an.investigator"), tmp_path / "b.tar")
    assert not (tmp_path / "b.tar").exists()


def test_backup_refuses_changed_evidence_and_leaves_nothing(ws: Workspace, tmp_path: Path) -> None:
    _populate(ws, tmp_path)
    sha = _state(ws)["exhibits"][0][1]
    blob = ws.store.path_for(sha)
    os.chmod(blob, 0o644)
    blob.write_bytes(b"X" * blob.stat().st_size)
    with pytest.raises(IntegrityError) as exc:
        backup(ws, tmp_path / "b.tar")
    assert str(blob) in exc.value.message and "no backup was written" in exc.value.message
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".b.tar", "b.tar"))]
    with pytest.raises(UserError, match="already exists"):
        (tmp_path / "taken.tar").write_bytes(b"")
        backup(ws, tmp_path / "taken.tar")


def test_backup_while_another_writes_restores_and_verifies(ws: Workspace, tmp_path: Path) -> None:
    _populate(ws, tmp_path)
    started, stop = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def write() -> None:
        writer = open_workspace(ws.settings)
        try:
            for i in range(400):
                if stop.is_set():
                    break
                p = tmp_path / f"w{i}.txt"
                p.write_bytes(f"concurrent file {i}\n".encode())
                register_file(writer, "OP-TEST", p, source="s", acquired_by="Jane Smith")
                if i == 2:
                    started.set()
        except BaseException as exc:  # (shown by the assertion below, not lost in the thread)
            failed.append(exc)
            started.set()
        finally:
            writer.engine.dispose()

    t = threading.Thread(target=write)
    t.start()
    try:
        assert started.wait(120) and not failed, failed
        rep = backup(ws, tmp_path / "b.tar")
    finally:
        stop.set()
        t.join()
    assert not failed, failed
    assert rep.blobs >= 6  # the writer's files up to the snapshot are in it
    target = _with_key(ws, tmp_path / "restored")
    restore(target, rep.path)
    new = open_workspace(target)
    assert len(_state(new)["blobs"]) == rep.blobs
    check = verify_workspace(new)
    assert check.ok, _problems(check)


def _cli(
    home: Path, *args: str, key: Path | None = None, alone: bool = False
) -> subprocess.CompletedProcess[str]:
    """``vigil args`` in this process (tests/clirun.py), or with ``alone`` through the real
    executable in a process of its own (the backup and the first restore below)."""
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "cli.tester", "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    env.pop("VIGIL_SIGNING_KEY", None)
    if key is not None:
        env["VIGIL_SIGNING_KEY"] = str(key)
    return child(args, env, timeout=120) if alone else in_process(args, env)


def test_cli_backup_restore_and_refusal(tmp_path: Path) -> None:
    home, new = tmp_path / "ws", tmp_path / "new"
    assert _cli(home, "admin", "init").returncode == 0
    assert _cli(home, "case", "create", "OP-CLI", "--title", "CLI").returncode == 0
    (tmp_path / "a.txt").write_text("hello\n")
    r = _cli(home, "evidence", "add", str(tmp_path / "a.txt"), "--case", "OP-CLI",
             "--source", "s", "--acquired-by", "Jane Smith")  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = tmp_path / "b.tar.gz"
    r = _cli(home, "admin", "backup", "--out", str(out), alone=True)
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout and "signing key" in r.stdout
    key = home / "keys" / "checkpoint-signing.pem"
    r = _cli(new, "admin", "restore", str(out), "--json", key=key, alone=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["blobs"] == 1
    r = _cli(new, "admin", "restore", str(out), key=key)
    assert r.returncode == 3
    assert r.stderr.startswith("error:") and "roll the evidence history back" in r.stderr
    assert "what to do:" in r.stderr
    r = _cli(tmp_path / "empty", "admin", "restore", str(tmp_path / "a.txt"))
    assert r.returncode == 4 and "a.txt" in r.stderr and "not a tar archive" in r.stderr


@pytest.fixture()
def pg_url_2(pg_server: str) -> Iterator[str]:
    """A second fresh, empty database on the session's PostgreSQL server (the restore target)."""
    with fresh_database(pg_server) as url:
        yield url


@pytest.mark.postgres
def test_postgres_round_trip(pg_url: str, pg_url_2: str, tmp_path: Path) -> None:
    src = Settings(home=tmp_path / "pg-ws", user="tester", database_url=pg_url)
    ws, _, _ = init_workspace(src)
    create_case(ws, "OP-TEST", "Test operation", "Test unit", "Europe/London")
    _populate(ws, tmp_path)
    before = _state(ws)
    rep = backup(ws, tmp_path / "pg.tar.gz")
    assert rep.database == "postgresql" and rep.blobs == 3
    assert "database/vigil.pgdump" in _members(rep.path)

    target = Settings(home=tmp_path / "pg-new", user="tester", database_url=pg_url_2,
                      signing_key=src.signing_key_path)  # fmt: skip
    r = restore(target, rep.path)
    assert r.head_seq == rep.head_seq and r.database == "postgresql"
    new = open_workspace(target)
    assert _state(new) == before
    assert _entries(new)[: rep.head_seq] == _entries(ws)[: rep.head_seq]
    check = verify_workspace(new)
    assert check.ok, _problems(check)

    with pytest.raises(UserError, match="roll the evidence history back"):
        restore(new, rep.path)  # the restored workspace is now live, and ahead of the backup
    assert _state(new) == before
    new.engine.dispose()
    ws.engine.dispose()
