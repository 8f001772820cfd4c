"""The backup archive itself: the manifest format and its checks, reading the tar file through a
reader that hashes (and counts) what passes, writing one member, reading a database snapshot (an
SQLite copy or a ``pg_dump`` archive, through the PostgreSQL client programs) and checking it
against the custody anchor and signed checkpoints, and the small helpers that taking a backup
(:mod:`vigil.services.backup.make`) and restoring one (:mod:`vigil.services.backup.restore`) share.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from alembic.runtime.migration import MigrationContext
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from vigil.config import Settings
from vigil.db.tables.evidence import Blob
from vigil.errors import ParseError, UserError
from vigil.evidence import checkpoints, custody
from vigil.evidence.chain import verify_chain

FORMAT, FORMAT_VERSION = "vigil-backup", 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database/vigil.sqlite3", "postgresql": "database/vigil.pgdump"}
ANCHOR, CHECKPOINTS = "custody-anchor.json", "custody-checkpoints.jsonl"
PUBLIC_KEY = "checkpoint-signing.pub.pem"
_BLOB = re.compile(r"blobs/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
_CHUNK = 1 << 20
Progress = Callable[[int], None] | None


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


def _add(tar: tarfile.TarFile, name: str, fh: IO[bytes], size: int, progress: Progress) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = size, int(time.time())
    info.mode = 0o444 if name.startswith("blobs/") else 0o600
    src = _Hashing(fh, progress)
    tar.addfile(info, cast(IO[bytes], src))
    return src.h.hexdigest()
