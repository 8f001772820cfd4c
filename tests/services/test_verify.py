"""`verify` names each kind of tampering with the store or the custody log in the database."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import delete, select, text, update

from vigil.db.tables.evidence import CustodyEntry
from vigil.evidence.chain import entry_hash
from vigil.services.evidence.exhibits import register_file
from vigil.services.evidence.verify import VerifyReport, verify_workspace
from vigil.services.workspace import Workspace


def _setup(ws: Workspace, tmp_path: Path, n: int = 4) -> list[str]:
    shas = []
    for i in range(n):
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(f"file {i}".encode())
        r = register_file(ws, "OP-TEST", p, source="s", acquired_by="Jane Smith")
        shas.append(r.exhibit.sha256)
    return shas


def _all_problems(rep: VerifyReport) -> list[str]:
    chain = [f"{p.kind}: {p.message}" for p in rep.chain.problems] if rep.chain else []
    return rep.problems + chain


def test_clean_workspace_verifies_and_logs(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    rep = verify_workspace(ws)
    assert rep.ok, _all_problems(rep)
    assert rep.blobs_checked == 4
    with ws.sessions() as s:
        last = s.execute(select(CustodyEntry).order_by(CustodyEntry.seq.desc())).scalars().first()
    assert last is not None and last.action == "verify"
    assert verify_workspace(ws).ok  # the verify entry itself chains


def test_changed_blob_bytes_named(ws: Workspace, tmp_path: Path) -> None:
    shas = _setup(ws, tmp_path)
    p = ws.store.path_for(shas[1])
    os.chmod(p, 0o644)
    p.write_bytes(b"file X")
    rep = verify_workspace(ws)
    assert not rep.ok
    [problem] = rep.problems
    assert shas[1] in problem and "bytes changed" in problem and "JS/2" in problem


def test_missing_blob_named(ws: Workspace, tmp_path: Path) -> None:
    shas = _setup(ws, tmp_path)
    p = ws.store.path_for(shas[2])
    p.unlink()
    rep = verify_workspace(ws)
    assert not rep.ok
    assert any("missing" in x and "JS/3" in x for x in rep.problems)


def _chain_kinds(rep: VerifyReport) -> set[str]:
    assert rep.chain is not None
    return {p.kind for p in rep.chain.problems}


def test_edited_log_entry_named(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        c.execute(update(CustodyEntry).where(CustodyEntry.seq == 5).values(actor="mallory"))
    rep = verify_workspace(ws)
    assert _chain_kinds(rep) == {"edited"}
    assert rep.chain is not None and rep.chain.problems[0].seq == 5


def test_edited_and_rehashed_log_entry_named(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.sessions.begin() as s:
        row = s.get(CustodyEntry, 5)
        assert row is not None
        row.purpose = "rewritten"
        d = {
            k: getattr(row, k)
            for k in (
                "seq",
                "recorded_at",
                "actor",
                "action",
                "object_type",
                "object_id",
                "case_ref",
                "purpose",
                "tool_version",
                "prev_hash",
            )
        }
        d["details"] = json.loads(row.details)
        row.entry_hash = entry_hash(d)
    rep = verify_workspace(ws)
    assert _chain_kinds(rep) == {"edited"}


def test_deleted_log_entry_named(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        c.execute(delete(CustodyEntry).where(CustodyEntry.seq == 4))
    rep = verify_workspace(ws)
    assert _chain_kinds(rep) == {"deleted"}


def test_deleted_last_entries_named(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        top = c.execute(text("SELECT max(seq) FROM custody_log")).scalar_one()
        c.execute(delete(CustodyEntry).where(CustodyEntry.seq >= top - 1))
        c.execute(text("UPDATE custody_head SET seq = :s"), {"s": top - 2})
    rep = verify_workspace(ws)
    assert "deleted" in _chain_kinds(rep)


def test_inserted_log_entry_named(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        rows = c.execute(select(CustodyEntry).order_by(CustodyEntry.seq.desc())).all()
        for r in rows:
            if r.seq >= 5:
                c.execute(
                    update(CustodyEntry).where(CustodyEntry.seq == r.seq).values(seq=r.seq + 1)
                )
        prev = c.execute(select(CustodyEntry).where(CustodyEntry.seq == 4)).one()
        forged = {
            "seq": 5,
            "recorded_at": prev.recorded_at,
            "actor": "mallory",
            "action": "view",
            "object_type": "exhibit",
            "object_id": "JS/1",
            "case_ref": "OP-TEST",
            "purpose": "backdated",
            "tool_version": prev.tool_version,
            "details": {},
            "prev_hash": prev.entry_hash,
        }
        c.execute(
            CustodyEntry.__table__.insert().values(
                **{**forged, "details": "{}"}, entry_hash=entry_hash(forged)
            )
        )
    rep = verify_workspace(ws)
    assert "inserted" in _chain_kinds(rep)
    assert rep.chain is not None
    assert any(p.kind == "inserted" and p.seq == 5 for p in rep.chain.problems)


def test_reordered_log_entries_named(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        c.execute(update(CustodyEntry).where(CustodyEntry.seq == 5).values(seq=-1))
        c.execute(update(CustodyEntry).where(CustodyEntry.seq == 6).values(seq=5))
        c.execute(update(CustodyEntry).where(CustodyEntry.seq == -1).values(seq=6))
    rep = verify_workspace(ws)
    assert _chain_kinds(rep) == {"reordered"}


def test_unregistered_blob_is_a_warning_not_a_failure(ws: Workspace, tmp_path: Path) -> None:
    import io

    _setup(ws, tmp_path, 1)
    ws.store.put_stream(io.BytesIO(b"orphan from an interrupted registration"))
    rep = verify_workspace(ws)
    assert rep.ok
    assert any("not registered" in w for w in rep.warnings)


_FIELDS = ("seq", "recorded_at", "actor", "action", "object_type", "object_id", "case_ref",
           "purpose", "tool_version", "prev_hash")  # fmt: skip


def _rewrite_from(ws: Workspace, first: int) -> None:
    """What a hostile database writer does: edit entry ``first``, recompute every later hash
    and link, move the database's head, and rewrite the anchor file to match."""
    with ws.sessions.begin() as s:
        rows = s.execute(
            select(CustodyEntry).where(CustodyEntry.seq >= first).order_by(CustodyEntry.seq)
        ).scalars()
        prev = None
        for row in rows:
            if row.seq == first:
                row.purpose = "rewritten by mallory"
            if prev is not None:
                row.prev_hash = prev
            d = {k: getattr(row, k) for k in _FIELDS}
            d["details"] = json.loads(row.details)
            row.entry_hash = prev = entry_hash(d)
            last_seq = row.seq
        s.execute(text("UPDATE custody_head SET entry_hash = :h"), {"h": prev})
    ws.settings.anchor_path.write_text(json.dumps({"seq": last_seq, "entry_hash": prev}))


def test_a_rewritten_chain_head_and_anchor_is_found_by_every_later_verify(
    ws: Workspace, tmp_path: Path
) -> None:
    _setup(ws, tmp_path)
    _rewrite_from(ws, 3)
    first = verify_workspace(ws)
    assert not first.ok and "rewritten" in _chain_kinds(first)
    assert first.checkpoints > 0
    again = verify_workspace(ws)  # the failed verify moved nothing forward
    assert not again.ok and "rewritten" in _chain_kinds(again)
    (tmp_path / "later").mkdir()
    _setup(ws, tmp_path / "later", 1)
    after_write = verify_workspace(ws)  # nor does an ordinary write since
    assert not after_write.ok and "rewritten" in _chain_kinds(after_write)


def test_an_edited_or_missing_checkpoint_file_fails(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    path = ws.settings.checkpoint_path
    lines = path.read_text().splitlines()
    doc = json.loads(lines[0])
    doc["entry_hash"] = "0" * 64
    path.write_text("\n".join([json.dumps(doc), *lines[1:]]) + "\n")
    rep = verify_workspace(ws)
    assert not rep.ok and "checkpoint" in _chain_kinds(rep)
    path.unlink()
    rep = verify_workspace(ws)
    assert not rep.ok and any("checkpoint file" in p for p in rep.problems)


def test_a_missing_anchor_fails(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    ws.settings.anchor_path.unlink()
    rep = verify_workspace(ws)
    assert not rep.ok and any("anchor file" in p for p in rep.problems)


def test_the_signing_key_is_its_owners_alone(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path, 1)
    key = ws.settings.signing_key_path
    assert key.is_file() and (key.stat().st_mode & 0o077) == 0
    assert b"PRIVATE KEY" not in key.with_name(key.name + ".pub").read_bytes()


def test_a_lodged_checkpoint_copy_checks_against_the_log(ws: Workspace, tmp_path: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from vigil.evidence.chain import canonical
    from vigil.services.evidence.verify import export_checkpoint

    _setup(ws, tmp_path)
    r = export_checkpoint(ws, tmp_path / "lodged" / "checkpoint.json")
    doc = json.loads(r.path.read_text())
    cp = doc["checkpoint"]
    key = load_pem_public_key(doc["public_key"].encode())
    signed = canonical({"at": cp["at"], "entry_hash": cp["entry_hash"], "seq": cp["seq"]})
    key.verify(base64.b64decode(cp["sig"]), signed)  # type: ignore[union-attr,call-arg]
    with ws.sessions() as s:
        row = s.get(CustodyEntry, cp["seq"])
    assert row is not None and row.entry_hash == cp["entry_hash"] == r.entry_hash


def test_partial_files_are_reported(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path, 1)
    (ws.store.tmp / "incoming-abc").write_bytes(b"x" * 1000)
    rep = verify_workspace(ws)
    assert rep.ok and any("partial file" in w and "1,000 bytes" in w for w in rep.warnings)


def test_every_checkpoint_is_kept_in_the_database_and_the_file_alike(
    ws: Workspace, tmp_path: Path
) -> None:
    from vigil.evidence import checkpoints

    _setup(ws, tmp_path)
    in_file, _ = checkpoints.read_all(ws.settings.checkpoint_path)
    with ws.sessions() as s:
        in_db = checkpoints.stored_after(s, 0)
        head = s.execute(select(CustodyEntry.seq).order_by(CustodyEntry.seq.desc())).first()
    assert in_db and in_file[-len(in_db) :] == in_db
    assert head is not None and in_db[-1].seq == head[0]  # the newest entry is covered


def test_checkpoints_deleted_from_the_database_or_the_file_are_found(
    ws: Workspace, tmp_path: Path
) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        seqs = [r[0] for r in c.execute(text("SELECT seq FROM custody_checkpoints ORDER BY seq"))]
        assert len(seqs) >= 3
        c.execute(text("DELETE FROM custody_checkpoints WHERE seq = :s"), {"s": seqs[-2]})
    rep = verify_workspace(ws)
    assert not rep.ok and any("database lacks the checkpoint" in p for p in rep.problems)


def test_lines_cut_from_the_checkpoint_file_are_found(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    path = ws.settings.checkpoint_path
    lines = path.read_text().splitlines()
    assert len(lines) >= 3
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n")  # one from the middle
    rep = verify_workspace(ws)
    assert not rep.ok and any("checkpoint file lacks" in p for p in rep.problems)


def test_a_forged_checkpoint_row_in_the_database_is_found(ws: Workspace, tmp_path: Path) -> None:
    _setup(ws, tmp_path)
    with ws.engine.begin() as c:
        c.execute(text("UPDATE custody_checkpoints SET entry_hash = :h WHERE seq = (SELECT "
                       "min(seq) FROM custody_checkpoints)"), {"h": "1" * 64})  # fmt: skip
    rep = verify_workspace(ws)
    assert not rep.ok
    assert any("differs between the file and the database" in p for p in rep.problems)
    assert "checkpoint" in _chain_kinds(rep)  # its signature no longer verifies


def test_a_checkpoint_lost_in_a_crash_after_commit_is_written_by_the_next_change(
    ws: Workspace, tmp_path: Path
) -> None:
    _setup(ws, tmp_path)
    path = ws.settings.checkpoint_path
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # committed, then killed before the file
    (tmp_path / "next").mkdir()
    _setup(ws, tmp_path / "next", 1)
    assert path.read_text().splitlines()[: len(lines)] == lines
    assert verify_workspace(ws).ok
