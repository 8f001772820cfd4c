"""Backing up a workspace to one file, and restoring it into an empty one (docs/backup.md).

The archive is a tar file (gzip-compressed when its name ends in ``.gz`` or ``.tgz``). Its
first member, ``manifest.json``, names every other member with its SHA-256: a consistent
snapshot of the database (SQLite's online backup API, or ``pg_dump``), every registered blob,
the custody anchor, the signed checkpoints up to the snapshot's head, and the checkpoint
signing key's PUBLIC half. The private signing key is never included.

A backup is written to a temporary file beside its target, read back and checked (member
hashes, and the snapshot's custody chain against the anchor and signed checkpoints), and only
then renamed into place. A restore checks the archive the same way, places it into an empty
workspace and runs the workspace verify (:func:`verify_workspace`) before accepting it; on any
failure it removes what it placed. It never writes into a workspace that is in use.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any, cast

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
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
from vigil.errors import AccessDenied, IntegrityError, ParseError, UserError
from vigil.evidence import checkpoints, custody
from vigil.evidence.chain import verify_chain
from vigil.evidence.store import BlobStore
from vigil.services import access, audit
from vigil.services.evidence.verify import verify_workspace
from vigil.services.workspace import Workspace, open_workspace

FORMAT, FORMAT_VERSION = "vigil-backup", 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database/vigil.sqlite3", "postgresql": "database/vigil.pgdump"}
ANCHOR, CHECKPOINTS = "custody-anchor.json", "custody-checkpoints.jsonl"
PUBLIC_KEY = "checkpoint-signing.pub.pem"
STAGING, PLACING = ".vigil-restore", "placing.json"
"""A restore's work folder in the target VIGIL_HOME, and the note it leaves while placing."""
_BLOB = re.compile(r"blobs/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
_CHUNK = 1 << 20
Progress = Callable[[int], None] | None


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


@dataclass(slots=True)
class _Snapshot:
    revision: str | None
    head: tuple[int, str]
    entries: list[dict[str, Any]]
    blobs: dict[str, int]  # sha256 -> size
    stored: list[checkpoints.Checkpoint] = field(default_factory=list)
    """The database's copies of the signed checkpoints (none before schema 0010)."""


class _Hashing:
    """A reader that hashes (and counts) what passes through it."""

    def __init__(self, fh: IO[bytes], progress: Progress = None) -> None:
        self.fh, self.h, self.n, self.progress = fh, hashlib.sha256(), 0, progress

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.h.update(data)
        self.n += len(data)
        if self.progress is not None:
            self.progress(len(data))
        return data


# --- reading a database snapshot -------------------------------------------------------------


def _read_sqlite(path: Path) -> _Snapshot:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as s:
            rev = MigrationContext.configure(s.connection()).get_current_revision()
            blobs = {b.sha256: b.size for b in s.execute(select(Blob)).scalars()}
            has = "custody_checkpoints" in inspect(s.connection()).get_table_names()
            stored = checkpoints.stored_after(s, 0) if has else []
            return _Snapshot(rev, custody.head(s), custody.all_entries(s), blobs, stored)
    finally:
        engine.dispose()


_COPY_ESC = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _copy_value(raw: str) -> str | None:
    if raw == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: _COPY_ESC.get(m.group(1), m.group(1)), raw)


def _copy_rows(sql: str) -> dict[str, list[dict[str, str | None]]]:
    """The rows of every ``COPY ... FROM stdin`` block of a plain-text dump (text format)."""
    out: dict[str, list[dict[str, str | None]]] = {}
    lines = iter(sql.split("\n"))
    for line in lines:
        m = re.fullmatch(r'COPY (?:"?\w+"?\.)?"?(\w+)"? \((.*)\) FROM stdin;', line)
        if m is None:
            continue
        cols = [c.strip().strip('"') for c in m.group(2).split(",")]
        rows = out.setdefault(m.group(1), [])
        for row in lines:
            if row == "\\.":
                break
            rows.append(dict(zip(cols, map(_copy_value, row.split("\t")), strict=True)))
    return out


def _read_pgdump(path: Path) -> _Snapshot:
    """The custody log, head, blobs and schema revision held in a ``pg_dump`` custom archive."""
    tables = ("alembic_version", "custody_head", "custody_log", "blobs", "custody_checkpoints")
    args = ["--data-only", "--file=-", *(f"--table={t}" for t in tables), str(path)]
    rows = _copy_rows(_pg("pg_restore", args, None).decode("utf-8"))
    entries = [
        {k: int(v or 0) if k == "seq" else json.loads(v or "{}") if k == "details" else v
         for k, v in row.items()}
        for row in rows.get("custody_log", [])
    ]  # fmt: skip
    heads = rows.get("custody_head") or [{"seq": "0", "entry_hash": "0" * 64}]
    revs = rows.get("alembic_version") or [{"version_num": None}]
    return _Snapshot(
        revs[0]["version_num"],
        (int(heads[0]["seq"] or 0), str(heads[0]["entry_hash"])),
        sorted(entries, key=lambda e: int(e["seq"])),
        {str(r["sha256"]): int(r["size"] or 0) for r in rows.get("blobs", [])},
        sorted(
            (checkpoints.Checkpoint(int(r["seq"] or 0), str(r["entry_hash"]), str(r["at"]),
                                    str(r["key_id"]), str(r["sig"]))
             for r in rows.get("custody_checkpoints", [])),
            key=lambda cp: cp.seq,
        ),
    )  # fmt: skip


def _pg(tool: str, args: list[str], password: str | None) -> bytes:
    """Run a PostgreSQL client program; its standard output, or a UserError naming why not."""
    found = shutil.which(tool)
    if found is None:
        raise UserError(
            f"{tool} not found: PostgreSQL backups and restores use the PostgreSQL client programs",
            hint="install the PostgreSQL client, the server's major version or newer",
        )
    env = {**os.environ, "PGCLIENTENCODING": "UTF8"}
    if password:
        env["PGPASSWORD"] = password  # (never on the command line, where `ps` shows it)
    r = subprocess.run([found, *args], capture_output=True, env=env, check=False)
    if r.returncode != 0:
        why = r.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise UserError(f"{tool} failed: {' / '.join(why)}", hint="nothing was kept; fix and retry")
    return r.stdout


def _pg_uri(url: str) -> tuple[str, str | None]:
    """A libpq URI for ``url`` without its password, and the password."""
    u = make_url(url)
    bare = u.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), u.password


# --- checking a snapshot ---------------------------------------------------------------------


def _chain_problems(
    snap: _Snapshot, anchor: dict[str, Any] | None, cps: Path, public: Ed25519PublicKey | None
) -> list[str]:
    """What is wrong with the snapshot's custody chain, its anchor and signed checkpoints."""
    rep = verify_chain(snap.entries, anchor)
    found, unreadable = checkpoints.read_all(cps)
    problems = [*unreadable, *(f"custody log {p.kind}: {p.message}" for p in rep.problems)]
    if anchor is None and snap.entries:
        problems.append("the custody anchor is missing")
    if public is None:
        if found:
            problems.append("the signed checkpoints cannot be checked: no public key")
        return problems
    named = {p.seq for p in rep.problems}
    hashes = {int(e["seq"]): str(e["entry_hash"]) for e in snap.entries}
    problems += [
        f"checkpoint: {p.message}"
        for p in checkpoints.check(found, public, hashes)
        if p.seq not in named
    ]
    return problems


def _parse_manifest(data: bytes, archive: Path) -> dict[str, Any]:
    def bad(why: str) -> ParseError:
        return ParseError(why, file=str(archive), location=MANIFEST, expected="a Vigil backup")

    try:
        m = json.loads(data)
    except ValueError:
        raise bad("not JSON") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise bad(f"not a {FORMAT} manifest")
    if not isinstance(m.get("format_version"), int) or m["format_version"] > FORMAT_VERSION:
        raise bad(f"format version {m.get('format_version')!r}, newer than this Vigil reads")
    db, c, cp = m.get("database"), m.get("custody"), m.get("checkpoint")
    if not isinstance(db, dict) or db.get("kind") not in DATABASE:
        raise bad("no database kind")
    if not isinstance(c, dict) or not isinstance(c.get("head_seq"), int):
        raise bad("no custody head")
    types = {
        "members": dict,
        "created_at": str,
        "tool_version": str,
        "blobs": int,
        "blob_bytes": int,
    }
    for k, t in types.items():
        if not isinstance(m.get(k), t):
            raise bad(f"no {k!r}")
    if not (cp is None or isinstance(cp, dict)) or not isinstance(c.get("head_hash"), str):
        raise bad("a malformed custody head or checkpoint")
    fixed = {DATABASE[m["database"]["kind"]], ANCHOR, CHECKPOINTS, PUBLIC_KEY}
    for name, want in m["members"].items():
        b = _BLOB.fullmatch(name)
        ok = name in fixed or (b is not None and b[3][:2] == b[1] and b[3][2:4] == b[2])
        if not ok or not isinstance(want, dict) or not isinstance(want.get("size"), int):
            raise bad(f"member {name!r} is not one a backup holds")
        if b is not None and want.get("sha256") != b[3]:
            raise bad(f"member {name!r} is listed with another SHA-256 than its name")
    return m


@dataclass(slots=True)
class _Scan:
    manifest: dict[str, Any]
    sha256: str
    size: int
    problems: list[str]


def _open_tar(archive: Path, raw: _Hashing) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=cast(IO[bytes], raw), mode="r|*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise ParseError(f"not a tar archive ({exc})", file=str(archive)) from None


def _first(tar: tarfile.TarFile, archive: Path) -> tuple[tarfile.TarInfo, dict[str, Any]]:
    """The first member, which must be the manifest, and the manifest read from it."""
    first = tar.next()
    src = tar.extractfile(first) if first is not None and first.name == MANIFEST else None
    if first is None or src is None:
        raise ParseError(f"does not start with {MANIFEST}: not a Vigil backup", file=str(archive))
    return first, _parse_manifest(src.read(), archive)


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of a backup, read from its first member (nothing else is read)."""
    with archive.open("rb") as fh, _open_tar(archive, _Hashing(fh)) as tar:
        return _first(tar, archive)[1]


def _scan(
    archive: Path,
    dest: Path,
    blobs: Path | None,
    public: Ed25519PublicKey | None,
    progress: Progress,
) -> _Scan:
    """Read every member of ``archive`` and check it against the manifest and the snapshot's
    custody chain. The database and small members are written to ``dest``; blobs to ``blobs``
    (or, when None, only hashed)."""
    problems: list[str] = []
    seen: set[str] = set()
    with archive.open("rb") as fh:
        raw = _Hashing(fh)
        try:
            with _open_tar(archive, raw) as tar:
                first, m = _first(tar, archive)
                db_name = DATABASE[m["database"]["kind"]]
                for member in tar:
                    if member is first:  # (iterating yields the members already read too)
                        continue
                    want, name = m["members"].get(member.name), member.name
                    src = tar.extractfile(member) if member.isfile() else None
                    if want is None or src is None or name in seen:
                        problems.append(f"member {name} is not in the manifest (or is there twice)")
                        continue
                    seen.add(name)
                    if name == db_name:
                        to: Path | None = dest / "db"
                    elif name.startswith("blobs/"):
                        to = None if blobs is None else blobs / name.removeprefix("blobs/")
                    else:
                        to = dest / name
                    sha, size = _copy(src, to, progress if name.startswith("blobs/") else None)
                    if to is not None and name.startswith("blobs/"):
                        os.chmod(to, 0o444)
                    if (sha, size) != (want.get("sha256"), want["size"]):
                        problems.append(
                            f"member {name} has SHA-256 {sha} ({size:,} bytes), the manifest "
                            f"says {want.get('sha256')} ({want['size']:,} bytes): it was altered"
                        )
            while raw.read(_CHUNK):
                pass
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise ParseError(f"damaged or cut short ({exc})", file=str(archive)) from None
    problems += [f"member {n} is missing" for n in sorted(set(m["members"]) - seen)]
    if not problems:
        problems += _check_snapshot(m, dest, public)
    return _Scan(m, raw.h.hexdigest(), raw.n, problems)


def _check_snapshot(m: dict[str, Any], dest: Path, public: Ed25519PublicKey | None) -> list[str]:
    kind = m["database"]["kind"]
    try:
        snap = _read_sqlite(dest / "db") if kind == "sqlite" else _read_pgdump(dest / "db")
    except DBAPIError as exc:
        return [f"the database snapshot cannot be read: {exc.orig}"]
    except (UserError, ValueError, KeyError, UnicodeDecodeError) as exc:
        return [f"the database snapshot cannot be read: {exc}"]
    problems = []
    c = m["custody"]
    if snap.head != (c["head_seq"], c["head_hash"]) or snap.revision != m["schema_revision"]:
        problems.append(
            f"the database snapshot ends at custody entry {snap.head[0]} (schema "
            f"{snap.revision}), the manifest says {c['head_seq']} (schema {m['schema_revision']})"
        )
    listed = {n.rsplit("/", 1)[1]: w["size"] for n, w in m["members"].items() if n[:6] == "blobs/"}
    for sha in sorted(set(snap.blobs) | set(listed)):
        if listed.get(sha) != snap.blobs.get(sha):
            problems.append(
                f"blob {sha}: registered in the snapshot with {snap.blobs.get(sha, 'no')} bytes, "
                f"archived with {listed.get(sha, 'no')} bytes"
            )
    pub = dest / PUBLIC_KEY
    if public is not None and pub.is_file() and pub.read_bytes() != checkpoints.public_pem(public):
        problems.append("the public key in the archive is not the workspace's signing key")
    try:
        anchor = custody.read_anchor(dest / ANCHOR)
    except (ValueError, AssertionError):
        return [*problems, f"{ANCHOR} is not a custody anchor"]
    return problems + _chain_problems(snap, anchor, dest / CHECKPOINTS, public)


def _copy(src: IO[bytes], to: Path | None, progress: Progress) -> tuple[str, int]:
    """Hash ``src`` (and write it to a new file ``to``, synced); its SHA-256 and size."""
    h, n = hashlib.sha256(), 0
    if to is not None:
        to.parent.mkdir(parents=True, exist_ok=True)
    with open(to, "xb") if to is not None else contextlib.nullcontext() as out:
        while chunk := src.read(_CHUNK):
            h.update(chunk)
            n += len(chunk)
            if out is not None:
                out.write(chunk)
            if progress is not None:
                progress(len(chunk))
        if out is not None:
            out.flush()
            os.fsync(out.fileno())
    return h.hexdigest(), n


def _where(settings: Settings) -> str:
    if settings.database_url and make_url(settings.url).get_backend_name() != "sqlite":
        bare = make_url(settings.url).set(password=None).render_as_string(hide_password=False)
        return f"the database {bare} (evidence in {settings.resolved_home})"
    return str(settings.resolved_home)


def _kind(settings: Settings) -> str:
    return "sqlite" if make_url(settings.url).get_backend_name() == "sqlite" else "postgresql"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _bullets(items: list[str], most: int = 20) -> str:
    more = [f"... and {len(items) - most} more"] if len(items) > most else []
    return "".join(f"\n  - {x}" for x in [*items[:most], *more])


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


def _add(tar: tarfile.TarFile, name: str, fh: IO[bytes], size: int, progress: Progress) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = size, int(time.time())
    info.mode = 0o444 if name.startswith("blobs/") else 0o600
    src = _Hashing(fh, progress)
    tar.addfile(info, cast(IO[bytes], src))
    return src.h.hexdigest()


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
