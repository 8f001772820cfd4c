"""Verifying the evidence store and the custody log of a workspace."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import UserError
from vigil.evidence import checkpoints, custody
from vigil.evidence.chain import ChainReport, Problem, verify_chain
from vigil.evidence.timestamp import Timestamp, request_timestamp
from vigil.services import audit
from vigil.services.evidence.records import RecordsReport, check_records
from vigil.services.workspace import Workspace


@dataclass(slots=True)
class VerifyReport:
    blobs_checked: int = 0
    bytes_checked: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chain: ChainReport | None = None
    checkpoints: int = 0
    """Signed checkpoints checked."""
    records: RecordsReport | None = None
    """Exhibits, acquisitions and conversations compared with the entries that recorded
    them (:mod:`vigil.services.evidence.records`)."""

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and (self.chain is None or self.chain.ok)
            and (self.records is None or not self.records.discrepancies)
        )


def _check_checkpoints(
    ws: Workspace,
    rep: VerifyReport,
    entries: list[dict[str, Any]],
    stored: list[checkpoints.Checkpoint],
) -> None:
    """Add what the signed checkpoints show (:mod:`vigil.evidence.checkpoints`) to ``rep``:
    the file's and the database's copies (``stored``) against each other and the log."""
    assert rep.chain is not None
    key_path = ws.settings.signing_key_path
    found, unreadable = checkpoints.read_all(ws.settings.checkpoint_path)
    public = checkpoints.load_public(key_path)
    rep.problems.extend(unreadable)
    if public is None:
        if found or stored:
            rep.problems.append(f"the checkpoint signing key {key_path} is missing")
        elif entries:
            rep.warnings.append(
                "no signed checkpoints yet (a workspace made before them): the next change "
                "starts them"
            )
        return
    if not found and entries:
        rep.problems.append(
            f"the checkpoint file {ws.settings.checkpoint_path} is missing or empty though the "
            "workspace signs its checkpoints"
        )
        return
    rep.problems.extend(_compare_copies(found, stored))
    named = {p.seq for p in rep.chain.problems}
    hashes = {int(e["seq"]): str(e["entry_hash"]) for e in entries}
    seen: set[Problem] = set()
    for copy in (found, stored):
        for p in checkpoints.check(copy, public, hashes):
            if p.seq not in named and p not in seen:
                seen.add(p)
                rep.chain.problems.append(p)
    rep.checkpoints = len({cp.seq for cp in found} | {cp.seq for cp in stored})


def _compare_copies(
    in_file: list[checkpoints.Checkpoint], in_db: list[checkpoints.Checkpoint]
) -> list[str]:
    """Differences between the checkpoint file and the database's copies. Checkpoints in the
    file from before the database kept copies (older than its first) are not missed."""
    out: list[str] = []
    file_by = {cp.seq: cp for cp in in_file}
    db_by = {cp.seq: cp for cp in in_db}
    for seq, cp in sorted(db_by.items()):
        other = file_by.get(seq)
        if other is None:
            out.append(
                f"the checkpoint file lacks the checkpoint of entry {seq} ({cp.at}) that the "
                "database holds: lines were removed from the file"
            )
        elif other != cp:
            out.append(f"the checkpoint of entry {seq} differs between the file and the database")
    if db_by:
        first = min(db_by)
        for seq in sorted(s for s in file_by if s >= first and s not in db_by):
            out.append(
                f"the database lacks the checkpoint of entry {seq} that the checkpoint file "
                "holds: checkpoint rows were deleted from the database"
            )
    return out


def verify_workspace(ws: Workspace, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Re-hash every stored blob, walk the custody chain, and log the verification."""
    rep = VerifyReport()
    with ws.sessions() as session:
        blobs = session.execute(select(Blob).order_by(Blob.sha256)).scalars().all()
        users: dict[str, list[str]] = defaultdict(list)
        for ex, case_ref in session.execute(
            select(Exhibit, Case.ref).join(Case, Case.id == Exhibit.case_id)
        ):
            users[ex.blob_sha256].append(f"{case_ref} {ex.ref}")
        entries = custody.all_entries(session)
        stored = checkpoints.stored_after(session, 0)
        rep.records = check_records(session, entries)
    known = set()
    for b in blobs:
        known.add(b.sha256)
        who = ", ".join(users.get(b.sha256, [])) or "no exhibit"
        if not ws.store.exists(b.sha256):
            rep.problems.append(f"blob {b.sha256} ({who}) is missing from the store")
            continue
        d = ws.store.rehash(b.sha256)
        rep.blobs_checked += 1
        rep.bytes_checked += d.size
        if progress is not None:
            progress(d.size)
        changed = [
            f"{name} now {now}"
            for name, now, was in (
                ("SHA-256", d.sha256, b.sha256),
                ("SHA-1", d.sha1, b.sha1),
                ("MD5", d.md5, b.md5),
                ("size", str(d.size), str(b.size)),
            )
            if now != was
        ]
        if changed:
            rep.problems.append(
                f"blob {b.sha256} ({who}): bytes changed since registration ({'; '.join(changed)})"
            )
    for partial, size in ws.store.partial_files():
        rep.warnings.append(
            f"partial file {partial} ({size:,} bytes) left by a write that did not finish (a "
            "crash or a kill while hashing); never evidence. `vigil admin init` clears it "
            "when no one is writing"
        )
    for name in ws.store.iter_blob_names():
        if name not in known:
            rep.warnings.append(
                f"stored file {name} is not registered (an interrupted registration); "
                "it is never shown as evidence"
            )
    anchor = custody.read_anchor(ws.settings.anchor_path)
    if anchor is None and entries:
        rep.problems.append(
            f"the custody anchor file {ws.settings.anchor_path} is missing: deleted entries at "
            "the end of the log could not be seen (restore the file from a backup)"
        )
    rep.chain = verify_chain(entries, anchor)
    _check_checkpoints(ws, rep, entries, stored)
    # a failed verify is recorded, but moves neither the anchor nor the checkpoints: what it
    # found stays findable by every later verify
    with ws.transaction(checkpoint=rep.ok) as session:
        ws.ensure_user(session)
        audit.record(
            session,
            ws.actor,
            "verify",
            audit.Subject("workspace", str(ws.settings.resolved_home)),
            details={
                "blobs_checked": rep.blobs_checked,
                "problems": len(rep.problems)
                + len(rep.chain.problems)
                + len(rep.records.discrepancies),
                "entries_checked": rep.chain.entries,
            },
            now=ws.now(),
        )
    return rep


@dataclass(frozen=True, slots=True)
class CheckpointCopy:
    path: Path
    seq: int
    entry_hash: str
    stamp: Timestamp | None = None
    """The TSA's time-stamp of the checkpoint, when one was asked for."""


def export_checkpoint(ws: Workspace, out: Path, tsa_url: str | None = None) -> CheckpointCopy:
    """Write the newest signed checkpoint and the public key to ``out`` (JSON), for an officer
    to lodge outside the workspace (e-mail, the case file): any later rewrite of the entries
    it covers can then be shown against it, even by someone who can write every file here.

    ``tsa_url``: also have an RFC 3161 time-stamping authority stamp the checkpoint's signed
    bytes (:mod:`vigil.evidence.timestamp`); the token goes into the file.
    """
    found, _ = checkpoints.read_all(ws.settings.checkpoint_path)
    public = checkpoints.load_public(ws.settings.signing_key_path)
    if not found or public is None:
        raise UserError(
            "this workspace has no signed checkpoint yet",
            hint="any change (e.g. `vigil evidence verify`) makes one",
        )
    cp = found[-1]
    stamp = request_timestamp(tsa_url, cp.signed_bytes()) if tsa_url else None
    details: dict[str, Any] = {"entry_hash": cp.entry_hash, "out": out.name}
    if stamp is not None:
        details |= {"tsa_url": tsa_url, "tsa_time": custody.utc_iso(stamp.gen_time),
                    "tsa_serial": str(stamp.serial_number)}  # fmt: skip
    with ws.transaction() as session:
        ws.ensure_user(session)
        audit.record(
            session,
            ws.actor,
            "export",
            audit.Subject("checkpoint", str(cp.seq)),
            details=details,
            now=ws.now(),
        )
    doc = {
        "what": "a signed checkpoint of a Vigil workspace's custody log",
        "workspace": str(ws.settings.resolved_home),
        "checkpoint": checkpoints.as_json(cp),
        "public_key": checkpoints.public_pem(public).decode("ascii"),
        "check": "the signature (base64, Ed25519) is over the compact key-sorted JSON of "
        '{"at", "entry_hash", "seq"}; the custody log must hold an entry with this hash '
        "(docs/evidence.md)",
    }
    if stamp is not None:
        doc["timestamp"] = {
            **stamp.as_json(),
            "tsa_url": tsa_url,
            "stamped": "SHA-256 of the checkpoint's signed bytes (the compact key-sorted JSON "
            'of {"at", "entry_hash", "seq"}); check with `openssl ts -verify` '
            "(docs/evidence.md)",
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    return CheckpointCopy(out, cp.seq, cp.entry_hash, stamp)
