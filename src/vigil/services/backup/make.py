"""Taking a backup (:func:`backup`): a consistent snapshot of the database, the custody anchor,
the signed checkpoints up to the snapshot's head and the signing key's public half are written to
a work folder beside the target and checked, packed with every registered blob into a temporary
archive (manifest first), read back and checked again, and only then renamed into place and
logged. The archive format and the reading and checking live in
:mod:`vigil.services.backup.archive`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import make_url

from vigil import tool_version
from vigil.config import Settings
from vigil.errors import AccessDenied, IntegrityError, UserError
from vigil.evidence import checkpoints, custody
from vigil.services import access, audit
from vigil.services.backup.archive import (
    ANCHOR,
    CHECKPOINTS,
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PUBLIC_KEY,
    Progress,
    _add,
    _bullets,
    _chain_problems,
    _copy,
    _fsync_dir,
    _kind,
    _pg,
    _pg_uri,
    _read_pgdump,
    _read_sqlite,
    _scan,
    _Snapshot,
    _where,
)
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    sha256: str
    size: int
    database: str
    schema_revision: str | None
    head_seq: int
    head_hash: str
    checkpoint_at: str | None
    blobs: int
    blob_bytes: int
    key_id: str | None


# --- backup ----------------------------------------------------------------------------------


def backup(ws: Workspace, out: Path, progress: Progress = None) -> BackupReport:
    """Write a verified backup of the workspace to the new file ``out`` (see the module doc).
    Administrators only: a backup holds every case's material. Logged once it is in place."""
    out = out.expanduser()
    if out.exists():
        raise UserError(
            f"{out} already exists", hint="give a new file name; a backup never overwrites"
        )
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder", hint="create it first")
    with ws.transaction() as session:
        user = access.acting(session, ws)
        if not user.may("admin"):
            raise AccessDenied(
                f"the {user.role_label} role may not back up the workspace (a backup holds "
                "every case's material)",
                hint="ask an administrator",
            )
    settings, kind = ws.settings, _kind(ws.settings)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmp:
        work = Path(tmp)
        snap = _snapshot(settings, kind, work / "db")
        public = checkpoints.load_public(settings.signing_key_path)
        anchor = _write_records(settings, snap, work, public)
        problems = _chain_problems(snap, anchor, work / CHECKPOINTS, public)
        if problems:
            raise IntegrityError(
                f"{_where(settings)} does not verify, so no backup was written:"
                + _bullets(problems),
                hint="run `vigil evidence verify` and resolve what it names first",
            )
        manifest = _manifest(ws, kind, snap, work, public)
        part = work / "archive.part"
        _write_tar(part, out.name.endswith((".gz", ".tgz")), manifest, work, ws, progress)
        (work / "check").mkdir()
        scan = _scan(part, work / "check", None, public, None)
        if scan.problems:
            raise IntegrityError(
                f"{out}: the archive did not read back as written, so it was not kept:"
                + _bullets(scan.problems),
                hint="check the disk (space, errors) and try again",
            )
        os.replace(part, out)
        _fsync_dir(out.parent)
    with ws.transaction() as session:
        audit.record(
            session,
            ws.actor,
            "admin",
            audit.Subject("workspace", str(settings.resolved_home)),
            details={"operation": "backup", "out": out.name, "sha256": scan.sha256,
                     "head_seq": snap.head[0], "blobs": len(snap.blobs)},
            now=ws.now(),
        )  # fmt: skip
    cp = manifest["checkpoint"] or {}
    return BackupReport(
        out, scan.sha256, scan.size, kind, snap.revision, snap.head[0], snap.head[1], cp.get("at"),
        len(snap.blobs), sum(snap.blobs.values()), manifest["key_id"],
    )  # fmt: skip


def _snapshot(settings: Settings, kind: str, dest: Path) -> _Snapshot:
    """A consistent copy of the database at ``dest``, taken while others may be writing."""
    if kind == "sqlite":
        src = sqlite3.connect(str(make_url(settings.url).database), timeout=60)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)  # in one step: one read transaction, so one consistent state
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            dst.close()
            src.close()
        return _read_sqlite(dest)
    uri, password = _pg_uri(settings.url)
    args = ["--format=custom", "--no-owner", "--no-privileges", f"--file={dest}", f"--dbname={uri}"]
    _pg("pg_dump", args, password)  # (pg_dump reads in one repeatable-read transaction)
    return _read_pgdump(dest)


def _write_records(
    settings: Settings, snap: _Snapshot, work: Path, public: Ed25519PublicKey | None
) -> dict[str, Any] | None:
    """Write the anchor, the checkpoints up to the snapshot's head and the public key to
    ``work``; return the anchor."""
    seq, digest = snap.head
    anchor = custody.read_anchor(settings.anchor_path)
    if anchor is not None and int(anchor.get("seq", 0)) > seq:
        anchor = {"seq": seq, "entry_hash": digest}  # someone committed after the snapshot
    if anchor is not None:
        (work / ANCHOR).write_text(json.dumps(anchor), encoding="utf-8")
    kept = []
    if settings.checkpoint_path.is_file():
        for line in settings.checkpoint_path.read_text(encoding="utf-8").splitlines(True):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                if int(json.loads(line)["seq"]) > seq:
                    continue  # made after the snapshot
            kept.append(line)  # (unreadable lines are kept, and named by the check)
    (work / CHECKPOINTS).write_text("".join(kept), encoding="utf-8")
    # a commit the snapshot holds whose checkpoint line was not written yet: from its copy
    checkpoints.append_signed(work / CHECKPOINTS, [c for c in snap.stored if c.seq <= seq])
    if public is not None:
        (work / PUBLIC_KEY).write_bytes(checkpoints.public_pem(public))
    return anchor


def _manifest(
    ws: Workspace, kind: str, snap: _Snapshot, work: Path, public: Ed25519PublicKey | None
) -> dict[str, Any]:
    members: dict[str, dict[str, Any]] = {}
    for name, path in ((DATABASE[kind], work / "db"), (ANCHOR, work / ANCHOR),
                       (CHECKPOINTS, work / CHECKPOINTS), (PUBLIC_KEY, work / PUBLIC_KEY)):  # fmt: skip
        if path.is_file():
            with path.open("rb") as fh:
                sha, size = _copy(fh, None, None)
            members[name] = {"sha256": sha, "size": size}
    for sha, size in sorted(snap.blobs.items()):
        members[f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"] = {"sha256": sha, "size": size}
    found, _ = checkpoints.read_all(work / CHECKPOINTS)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool_version": tool_version(),
        "created_at": ws.now().isoformat(),
        "created_by": ws.actor,
        "workspace": _where(ws.settings),
        "schema_revision": snap.revision,
        "database": {"kind": kind, "member": DATABASE[kind],
                     "format": "SQLite database" if kind == "sqlite" else "pg_dump custom format"},
        "custody": {"entries": len(snap.entries), "head_seq": snap.head[0],
                    "head_hash": snap.head[1]},
        "checkpoint": checkpoints.as_json(found[-1]) if found else None,
        "checkpoints": len(found),
        "key_id": checkpoints.key_id(public) if public is not None else None,
        "signing_key": "not included: the private key is backed up separately (docs/backup.md)",
        "blobs": len(snap.blobs),
        "blob_bytes": sum(snap.blobs.values()),
        "members": members,
    }  # fmt: skip


def _write_tar(
    part: Path, gz: bool, manifest: dict[str, Any], work: Path, ws: Workspace, progress: Progress
) -> None:
    db_name = manifest["database"]["member"]
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds case material
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz" if gz else "w") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            _add(tar, MANIFEST, io.BytesIO(data), len(data), None)
            for name, want in manifest["members"].items():
                blob = name.startswith("blobs/")
                path = (
                    ws.store.path_for(want["sha256"])
                    if blob
                    else work / ("db" if name == db_name else name)
                )
                try:
                    with path.open("rb") as fh:
                        got = _add(tar, name, fh, want["size"], progress if blob else None)
                except OSError as exc:
                    got = f"unreadable ({exc})"
                if got != want["sha256"]:
                    raise IntegrityError(
                        f"{path}: now {got}, registered as {want['sha256']} ({want['size']:,} "
                        "bytes), so no backup was written",
                        hint="run `vigil evidence verify` and resolve what it names first",
                    )
        raw.flush()
        os.fsync(raw.fileno())
