"""Shared reading of app databases (SQLite files from a phone extraction).

Every database is opened **read-only and immutable** (``file:PATH?mode=ro&immutable=1``):
SQLite then takes no locks, writes no journal, ``-wal`` or ``-shm`` file and never changes a
byte of the file. When the parser's stream is a plain file, its path is opened directly; any
other stream (an in-memory buffer, a wrapped reader) is first copied to a private temporary
file, because SQLite can only read files, and the copy is deleted afterwards.

:func:`head_tables` reads the table names from the ``CREATE TABLE`` statements SQLite keeps in
plain text in the schema table, which sits in the first pages of the file: enough to bid on a
database from its first 64 KiB (:func:`bid`). :func:`open_db` checks the header, opens the
database and turns SQLite's errors (corrupt, encrypted, locked, not a database) into a
:class:`~vigil.errors.ParseError` naming the file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import Sniff

MAGIC = b"SQLite format 3\x00"
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OWNER = "owner"
"""Platform id of the device owner, whose own number or account the databases rarely name."""

_CREATE = re.compile(rb"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"`\[']?(\w+)", re.I)


def head_tables(head: bytes) -> set[str]:
    """Names of the tables whose ``CREATE TABLE`` text is in ``head`` (lower case)."""
    if not head.startswith(MAGIC):
        return set()
    return {m.group(1).decode("ascii", "replace").lower() for m in _CREATE.finditer(head)}


def bid(head: bytes, required: tuple[str, ...], label: str) -> Sniff:
    """0.95 for a SQLite file whose schema creates every table in ``required``; a low bid for
    one that creates some of them (its schema may run past the first bytes); 0 otherwise."""
    if not head.startswith(MAGIC):
        return Sniff(0.0, "not a SQLite database (no 'SQLite format 3' header)")
    tables = head_tables(head)
    found = [t for t in required if t in tables]
    if len(found) == len(required):
        return Sniff(0.95, f"SQLite database with the {label} tables ({', '.join(required)})")
    if found:
        return Sniff(
            0.35,
            f"SQLite database with some {label} tables ({', '.join(found)}); "
            f"not seen in the first bytes: {', '.join(t for t in required if t not in found)}",
        )
    return Sniff(0.0, f"SQLite database without the {label} tables ({', '.join(required)})")


class Db:
    """An open read-only database with its table and column names (lower case)."""

    def __init__(self, conn: sqlite3.Connection, name: str, header: bytes) -> None:
        self.conn = conn
        self.name = name
        self.notes: list[str] = []
        """Notes every conversation read from this database carries."""
        if header[18] == 2 or header[19] == 2:
            self.notes.append(
                "the database is in WAL mode: only the main file was read; records still in "
                "its -wal file (if the extraction holds one) are not included"
            )
        self.tables: set[str] = {
            str(r[0]).lower()
            for r in self.query("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
        self._columns: dict[str, set[str]] = {}

    def columns(self, table: str) -> set[str]:
        """Column names of ``table`` (empty when there is no such table)."""
        cols = self._columns.get(table)
        if cols is None:
            if table.lower() not in self.tables:
                cols = set()
            else:
                rows = self.query(f"PRAGMA table_info({_quote(table)})")
                cols = {str(r[1]).lower() for r in rows}
            self._columns[table] = cols
        return cols

    def require(self, table: str, needed: tuple[str, ...], what: str) -> None:
        """Raise a ParseError naming the columns of ``table`` that ``what`` needs but lacks."""
        missing = [c for c in needed if c not in self.columns(table)]
        if missing:
            raise ParseError(
                f"table {table} lacks column(s) {', '.join(missing)}: an unknown {what} schema "
                "version, not read",
                file=self.name,
                expected=f"the {what} columns {', '.join(needed)}",
            )

    def cursor(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """The executed cursor of ``sql``, for hot loops that iterate it themselves (and turn
        a ``sqlite3.Error`` raised while iterating into :func:`sqlite_error`)."""
        try:
            return self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.name) from exc

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql``; SQLite errors become a ParseError naming the file."""
        try:
            yield from self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.name) from exc


def _quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def sqlite_error(exc: sqlite3.Error, name: str) -> ParseError:
    """A clear error for what SQLite reported while reading ``name``."""
    text = str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return ParseError(
            f"the database is locked ({text}): another program holds it",
            file=name,
            hint="close the app or program using it, or ingest a copy made from the extraction",
        )
    if "not a database" in low or "encrypted" in low:
        return ParseError(
            f"not a readable SQLite database ({text}); it may be encrypted or damaged",
            file=name,
            expected="a decrypted SQLite database from the extraction",
        )
    if "malformed" in low or "corrupt" in low:
        return ParseError(
            f"the database is corrupt ({text})",
            file=name,
            hint="re-export the database from the extraction; a forensic SQLite tool may "
            "recover records from a damaged file",
        )
    return ParseError(f"SQLite could not read the database: {text}", file=name)


def _path_of(stream: BinaryIO) -> Path | None:
    """The path of the regular file ``stream`` reads, at position 0, if it is one."""
    try:
        raw_name = stream.name
    except (AttributeError, ValueError):
        return None
    if not isinstance(raw_name, str):
        return None
    path = Path(raw_name)
    return path if path.is_file() else None


@contextlib.contextmanager
def open_db(stream: BinaryIO, name: str) -> Iterator[Db]:
    """Open the database in ``stream`` read-only and immutable, checking its header first."""
    stream.seek(0)
    header = stream.read(100)
    if not header.startswith(MAGIC):
        raise ParseError(
            "not a SQLite database (the file does not start with 'SQLite format 3')",
            file=name,
            location="byte offset 0",
            expected="a SQLite database",
        )
    if len(header) < 100:
        raise ParseError("the SQLite header is cut short", file=name, expected="100 header bytes")
    path = _path_of(stream)
    tmp: str | None = None
    try:
        if path is None:
            tmp = tempfile.mkdtemp(prefix="vigil-db-")
            path = Path(tmp) / "copy.sqlite"
            stream.seek(0)
            with path.open("xb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
            os.chmod(path, 0o400)
        uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro&immutable=1"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise sqlite_error(exc, name) from exc
        try:
            yield Db(conn, name, header)
        finally:
            conn.close()
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def apple_time(value: Any) -> tuple[datetime | None, str | None]:
    """An Apple (Core Data) timestamp: seconds since 2001-01-01 UTC, or nanoseconds in iOS 11+
    ``sms.db`` (a value past 10**11 cannot be seconds). Returns the time and a note when odd."""
    if value is None or value == "":
        return None, "no time in the database"
    try:
        v = float(value)
        if abs(v) > 1e11:
            return APPLE_EPOCH + timedelta(microseconds=int(value) // 1000), None
        return APPLE_EPOCH + timedelta(seconds=v), "Apple time read as seconds (before iOS 11)"
    except (TypeError, ValueError, OverflowError):
        return None, f"time value {value!r} is not a number"


def unix_ms(value: Any) -> datetime | None:
    """Milliseconds since 1970-01-01 UTC (None when not a usable number)."""
    try:
        return UNIX_EPOCH + timedelta(milliseconds=int(value))
    except (TypeError, ValueError, OverflowError):
        return None


_PENDING_BYTE = 0x40000000  # where SQLite's unix VFS takes its POSIX locks (sqlite3.c)
_LOCK_SPAN = 2 + 510  # the pending and reserved bytes and the shared range


def check_original(path: Path) -> list[str]:
    """Check a database file *where the extraction holds it* before its bytes are copied.

    Raises a :class:`ParseError` naming the file when another program is writing it (it holds
    SQLite's reserved, pending or exclusive lock: the file may be half-way through a change) or
    when a ``-journal`` next to it is hot (a change was interrupted, so the main file may hold
    half of it). Returns notes for a ``-wal`` file beside it (newer records that are not in the
    main file). Nothing is written and no lock is taken; the check reads lock state with
    ``fcntl(F_GETLK)`` on Linux and is skipped elsewhere. Meant for the ingest service, which
    sees the path; a parser only sees the stored copy. (Closing the descriptor it opens drops
    any POSIX lock *this* process holds on the file, as POSIX does; the ingest process holds
    none on an exhibit.)
    """
    notes: list[str] = []
    writer = _writer_lock(path)
    if writer:
        raise ParseError(
            f"the database is locked: {writer} is writing to it",
            file=path.name,
            hint="close the app or program using it (or wait for it to finish), then ingest again",
        )
    journal = path.with_name(path.name + "-journal")
    if journal.is_file() and journal.stat().st_size > 0:
        raise ParseError(
            f"a hot rollback journal ({journal.name}) lies beside the database: a change to it "
            "was interrupted and the main file may hold half of it",
            file=path.name,
            hint="make a working copy of both files, open the copy in SQLite to roll the change "
            "back, and ingest that copy (keep the originals as they are)",
        )
    wal = path.with_name(path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        notes.append(
            f"{wal.name} ({wal.stat().st_size:,} bytes) lies beside the database: records in it "
            "are not read; ingest a checkpointed working copy to include them"
        )
    return notes


def _writer_lock(path: Path) -> str | None:
    """Who holds a write lock on SQLite's lock bytes of ``path`` ("process N"), if anyone."""
    try:
        import fcntl
        import struct
    except ImportError:  # not a POSIX system
        return None
    if sys.platform != "linux":  # the struct flock layout below is Linux's
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        query = struct.pack("hhqqi4x", fcntl.F_RDLCK, os.SEEK_SET, _PENDING_BYTE, _LOCK_SPAN, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
    finally:
        os.close(fd)
    kind, _, _, _, pid = struct.unpack("hhqqi4x", answer)
    return None if kind == fcntl.F_UNLCK else f"process {pid}"
