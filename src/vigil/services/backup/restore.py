"""Restoring a backup (:func:`restore`) into an empty workspace: the archive is checked against
its manifest and the snapshot's custody chain while it is unpacked into a staging folder, then
placed, loaded, upgraded when older and run through the workspace verify before it is accepted
and logged; on any failure what was placed is removed again. A workspace in use (or any that is
not empty) is never written to.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.config import Settings
from vigil.db import session as dbs
from vigil.db.tables.evidence import Blob, CustodyEntry
from vigil.errors import IntegrityError, UserError
from vigil.evidence import checkpoints, custody
from vigil.evidence.store import BlobStore
from vigil.services import audit
from vigil.services.backup.archive import (
    ANCHOR,
    CHECKPOINTS,
    Progress,
    _bullets,
    _fsync_dir,
    _kind,
    _pg,
    _pg_uri,
    _scan,
    _where,
    read_manifest,
)
from vigil.services.evidence.verify import verify_workspace
from vigil.services.workspace import Workspace, open_workspace

STAGING, PLACING = ".vigil-restore", "placing.json"
"""A restore's work folder in the target VIGIL_HOME, and the note it leaves while placing."""


@dataclass(frozen=True, slots=True)
class RestoreReport:
    archive: Path
    target: str
    database: str
    backup_created_at: str
    schema_revision: str | None
    upgraded_from: str | None
    head_seq: int
    blobs: int
    blob_bytes: int
    checkpoints: int
    warnings: list[str] = field(default_factory=list)


# --- restore ---------------------------------------------------------------------------------


def restore(
    target: Settings | Workspace, archive: Path, progress: Progress = None
) -> RestoreReport:
    """Restore the backup ``archive`` into the empty workspace ``target`` names. The archive is
    checked, placed, and verified with the workspace verify before it is accepted; on any
    failure what was placed is removed again. A workspace in use is never written to."""
    settings = target.settings if isinstance(target, Workspace) else target
    archive = archive.expanduser()
    if not archive.is_file():
        raise UserError(f"{archive}: no such file", hint="check the path")
    m = read_manifest(archive)
    kind, where = _kind(settings), _where(settings)
    if m["database"]["kind"] != kind:
        raise UserError(
            f"{archive} is a backup of a {m['database']['kind']} workspace; {where} is {kind}",
            hint="restore it into the same kind of database (set or unset VIGIL_DATABASE_URL)",
        )
    older = _check_revision(m, archive)
    staging = settings.resolved_home / STAGING
    _clear_staging(staging, where)
    _require_empty(settings, m, archive)
    public = _require_key(settings, m)
    staging.mkdir(parents=True)
    placed: list[Path] = []
    loaded = False
    try:
        scan = _scan(archive, staging, staging / "blobs", public, progress)
        if scan.problems:
            raise IntegrityError(
                f"{archive} does not verify, so nothing was restored into {where}:"
                + _bullets(scan.problems),
                hint="use another backup: this one was altered or damaged after it was written",
            )
        note = {"archive": str(archive), "sha256": scan.sha256, "started": _now().isoformat()}
        (staging / PLACING).write_text(json.dumps(note), encoding="utf-8")
        _place(settings, staging, placed)
        if kind == "postgresql":
            uri, password = _pg_uri(settings.url)
            loaded = True
            args = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
            _pg("pg_restore", [*args, f"--dbname={uri}", str(staging / "db")], password)
            rws = open_workspace(settings, check=False)
        else:
            staged = replace(settings, database_url=f"sqlite:///{staging / 'db'}")
            rws = open_workspace(staged, check=False)
        if isinstance(target, Workspace):
            rws = replace(rws, clock=target.clock)
        try:
            warnings, held = _accept(rws, m, scan.sha256, archive, where, older, progress)
            revision = dbs.current_revision(rws.engine)
        finally:
            rws.engine.dispose()
        if kind == "sqlite":
            _move_db(staging / "db", Path(str(make_url(settings.url).database)), placed)
    except BaseException:
        _undo(settings, placed, loaded, staging)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(
        archive, where, kind, m["created_at"], revision, older, m["custody"]["head_seq"],
        m["blobs"], m["blob_bytes"], held, warnings,
    )  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


def _check_revision(m: dict[str, Any], archive: Path) -> str | None:
    """None for a backup at this Vigil's schema; the revision of an older one (upgraded after
    loading); refused for one this Vigil does not know (made by a newer Vigil)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("vigil.db") / "migrations"))
    script = ScriptDirectory.from_config(cfg)
    rev, head = m["schema_revision"], script.get_current_head()
    if rev == head:
        return None
    if rev not in {s.revision for s in script.walk_revisions()}:
        raise UserError(
            f"{archive} was made by {m['tool_version']} at schema revision {rev}, which this "
            f"Vigil ({tool_version()}, schema {head}) does not know",
            hint="restore it with that Vigil version or a newer one",
        )
    return str(rev)


def _clear_staging(staging: Path, where: str) -> None:
    if (staging / PLACING).is_file():
        try:
            note = json.loads((staging / PLACING).read_text(encoding="utf-8"))
        except ValueError:
            note = {}
        raise UserError(
            f"an earlier restore of {note.get('archive', 'a backup')} into {where} stopped after "
            f"it began placing files ({note.get('started', 'time unknown')}); what it placed was "
            "never verified or accepted",
            hint="restore into a new, empty VIGIL_HOME (and database), or empty this one first",
        )
    shutil.rmtree(staging, ignore_errors=True)  # unpacked files of a restore that stopped early


def _require_empty(settings: Settings, m: dict[str, Any], archive: Path) -> None:
    where, n = _where(settings), int(m["custody"]["head_seq"])
    tables: list[str] = []
    top, at_n = 0, None
    db = make_url(settings.url).database
    if _kind(settings) == "postgresql" or (db and Path(db).exists()):
        engine = (
            create_engine(f"sqlite:///{db}")
            if _kind(settings) == "sqlite"
            else (dbs.make_engine(settings.url))
        )
        try:
            tables = inspect(engine).get_table_names()
            if "custody_log" in tables:
                with Session(engine) as s:
                    top = s.execute(select(func.max(CustodyEntry.seq))).scalar_one() or 0
                    at_n = s.execute(
                        select(CustodyEntry.entry_hash).where(CustodyEntry.seq == n)
                    ).scalar_one_or_none()
        except DBAPIError as exc:
            raise UserError(
                f"the database of {where} cannot be read: {exc.orig}",
                hint="point VIGIL_DATABASE_URL at an existing, empty database",
            ) from None
        finally:
            engine.dispose()
    if top:
        raise UserError(_live(settings, archive, m, top, at_n), hint=(
            "to look at the backup, restore it into a new, empty VIGIL_HOME (with PostgreSQL, "
            "also a new, empty database); the live workspace stays as it is"
        ))  # fmt: skip
    reasons = [f"its database already has {len(tables)} tables"] if tables else []
    stored = sum(1 for _ in BlobStore(settings.evidence_dir).iter_blob_names())
    if stored:
        reasons.append(f"its evidence store {settings.evidence_dir} holds {stored} files")
    reasons += [
        f"{p} already exists"
        for p in (settings.anchor_path, settings.checkpoint_path)
        if p.is_file() and p.stat().st_size
    ]
    if reasons:
        raise UserError(
            f"{where} is not an empty workspace: {'; '.join(reasons)}. A restore only writes "
            f"into an empty one, so {archive} was not restored and nothing was changed",
            hint="set VIGIL_HOME to a new, empty folder (and VIGIL_DATABASE_URL to a new, empty "
            "database) and restore again",
        )


def _live(settings: Settings, archive: Path, m: dict[str, Any], top: int, at_n: str | None) -> str:
    where, n = _where(settings), int(m["custody"]["head_seq"])
    then = (m.get("checkpoint") or {}).get("at") or m["created_at"]
    found, _ = checkpoints.read_all(settings.checkpoint_path)
    now = f" (last signed checkpoint {found[-1].at})" if found else ""
    if top > n:
        msg = (
            f"{archive} is older than the live workspace at {where}: the backup ends at custody "
            f"entry {n} (last signed checkpoint {then}), the workspace is at entry {top}{now}. "
            f"Restoring it would roll the evidence history back by {top - n} "
            f"entr{'y' if top - n == 1 else 'ies'}, so it was refused; nothing was changed"
        )
    else:
        msg = (
            f"{where} is a live workspace (its custody log is at entry {top}{now}); the backup "
            f"{archive} ends at entry {n} ({then}). A restore never overwrites or merges into a "
            "workspace in use, so it was refused; nothing was changed"
        )
    if at_n is not None and at_n != m["custody"]["head_hash"]:
        msg += f". Entry {n} differs between them: the backup is not of this workspace"
    elif at_n is not None:
        msg += f". It is a backup of this workspace (entry {n} is the same in both)"
    return msg


def _require_key(settings: Settings, m: dict[str, Any]) -> Ed25519PublicKey | None:
    """The public half of the target's signing key, which must be the one that signed the
    backup's checkpoints (None when the backup has none)."""
    want, path = m.get("key_id"), settings.signing_key_path
    if want is None:
        return None
    if not path.is_file():
        raise UserError(
            f"the checkpoint signing key {path} is missing: the backup's checkpoints were signed "
            f"with key {want}, and backups never hold the private key",
            hint=f"copy that workspace's key file (kept apart from its backups) to {path} with "
            "mode 0600, or point VIGIL_SIGNING_KEY at it, then restore again",
        )
    try:
        public = checkpoints.load_or_create_key(path).public_key()  # (an existing file: read)
    except ValueError as exc:
        raise UserError(f"{path}: {exc}", hint="use the workspace's signing key file") from None
    if checkpoints.key_id(public) != want:
        raise UserError(
            f"the signing key {path} is key {checkpoints.key_id(public)}, but the backup's "
            f"checkpoints were signed with key {want}",
            hint="use the signing key of the workspace the backup was made from",
        )
    return public


def _place(settings: Settings, staging: Path, placed: list[Path]) -> None:
    """Move the checked blobs, anchor and checkpoints into the (empty) workspace."""
    ev = settings.evidence_dir
    if not ev.exists():
        ev.mkdir(parents=True)
        placed.append(ev)
    blobs = ev / "blobs"
    shutil.rmtree(blobs, ignore_errors=True)  # (it held no files: checked)
    (staging / "blobs").mkdir(exist_ok=True)
    os.replace(staging / "blobs", blobs)
    placed.append(blobs)
    (ev / "tmp").mkdir(exist_ok=True)
    for name, to in ((ANCHOR, settings.anchor_path), (CHECKPOINTS, settings.checkpoint_path)):
        if (staging / name).is_file():
            os.replace(staging / name, to)
            placed.append(to)
    _fsync_dir(ev)
    _fsync_dir(settings.resolved_home)


def _accept(
    rws: Workspace, m: dict[str, Any], sha: str, archive: Path, where: str, older: str | None,
    progress: Progress,
) -> tuple[list[str], int]:  # fmt: skip
    """Check the loaded database is the manifest's, upgrade it if older, run the workspace
    verify and record the restore; the verify's warnings and checkpoint count."""
    c = m["custody"]
    with rws.sessions() as s:
        head = custody.head(s)
        n_blobs = s.execute(select(func.count()).select_from(Blob)).scalar_one()
    if head != (c["head_seq"], c["head_hash"]) or n_blobs != m["blobs"]:
        raise IntegrityError(
            f"{archive}: the loaded database ends at custody entry {head[0]} with {n_blobs} "
            f"blobs; the manifest says entry {c['head_seq']} and {m['blobs']} blobs",
            hint="use another backup",
        )
    if older is not None:
        dbs.upgrade(rws.engine)
    rep = verify_workspace(rws, progress)
    if not rep.ok:
        chain = [f"custody log {p.kind}: {p.message}" for p in rep.chain.problems] if rep.chain else []  # fmt: skip
        raise IntegrityError(
            f"{archive}: the restored workspace does not verify, so it was removed again and "
            f"{where} is as it was:" + _bullets(rep.problems + chain),
            hint="use another backup",
        )
    with rws.transaction() as s:
        rws.ensure_user(s)
        audit.record(
            s,
            rws.actor,
            "admin",
            audit.Subject("workspace", str(rws.settings.resolved_home)),
            details={"operation": "restore", "archive": archive.name, "sha256": sha,
                     "backup_created_at": m["created_at"], "backup_head_seq": c["head_seq"],
                     "backup_tool_version": m["tool_version"], "schema_upgraded_from": older},
            now=rws.now(),
        )  # fmt: skip
    return [*rep.warnings, *(rep.chain.warnings if rep.chain else [])], rep.checkpoints


def _move_db(src: Path, dst: Path, placed: list[Path]) -> None:
    """Put the verified SQLite database in place: one rename, after its log is folded in."""
    con = sqlite3.connect(src)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    for stale in (Path(f"{dst}-wal"), Path(f"{dst}-shm")):  # of the empty database replaced
        stale.unlink(missing_ok=True)
    shutil.move(src, dst)
    placed.append(dst)
    _fsync_dir(dst.parent)


def _undo(settings: Settings, placed: list[Path], loaded: bool, staging: Path) -> None:
    """Remove what a failed restore placed: the workspace is empty again."""
    if loaded:
        with contextlib.suppress(Exception):
            engine = dbs.make_engine(settings.url)
            try:
                names = inspect(engine).get_table_names()  # (it had none before: checked)
                if names:
                    quote = engine.dialect.identifier_preparer.quote
                    with engine.begin() as c:
                        c.execute(
                            text(f"DROP TABLE IF EXISTS {', '.join(map(quote, names))} CASCADE")
                        )
            finally:
                engine.dispose()
    for p in reversed(placed):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)
