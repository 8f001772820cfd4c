"""The ingest pipeline: a worker process parses and builds rows while this process writes them.

For a large file the ingest spends its time in two halves of about the same size: parsing and
building message rows (pure Python), and inserting and committing them (mostly in the database
driver). A thread cannot overlap them (the sqlite3 driver takes the GIL back for every row, so a
second Python thread starves it), but a second process can: the worker runs the parser and the
same :class:`~vigil.services.ingest.rows.RowBuilder` as the inline path, and streams what the
builder produces, call by call, to the :class:`~vigil.services.ingest.rows.RowSink` in this
process (the database writer), which stays the only thing touching the database. The
transaction is still one per file and belongs to this process.

Protocol, on one socket pair with ``multiprocessing.connection`` framing::

    worker -> parent  b"H"                              HELLO, once its interpreter is up
    parent -> worker  Job, pickled                      once, when the exhibit is registered
    worker -> parent  b"M" + marshal((op, pos, args))   a sink call (rows on SQLite: plain
                      b"P" + pickle((op, pos, args))    values, so marshal; anything else pickle)
    parent -> worker  marshal(list of row ids)          the answer to a PARTICIPANTS call
    parent -> worker  b""                               goodbye, after DONE; the worker exits 0

``op`` is one of the sink's calls (BEGIN, PARTICIPANTS, ROWS, ATTACHMENTS, END) or DONE, ERROR
(an exception from the parser or builder, with its traceback text) or UNUSABLE (the worker could
not load the job, e.g. a parser class it cannot import). ``pos`` is how many bytes of the exhibit
the parser has read, for the progress callback. Only new participants need an answer (their ids
go into the rows), so the worker runs ahead of the writer by what the socket holds, and waits
only for a sender it has not seen before. A worker that cannot take the job (no HELLO, UNUSABLE,
a parser that does not pickle) costs nothing but its start-up: the caller parses inline, and
nothing has reached the database from the worker.

Start method: a fresh interpreter (``subprocess`` running :func:`_serve_fd`), not ``fork``.
The caller holds an open database connection with a transaction in progress, and may have other
threads (the web app serves requests from a thread pool): a forked child would inherit the
connection, the transaction's state and any lock another thread held at the fork. It would be
safe only if the child never ran a finalizer on those objects and left with ``os._exit``, which
is hard to guarantee for third-party parsers and plugin code. ``multiprocessing``'s ``spawn``
would be safe too, but it re-imports the caller's main module in the child (the whole CLI) and
starts a resource-tracker process that outlives the ingest. The worker gets the socket and
nothing else (every other descriptor is closed), and the parent's ``sys.path``. The worker is
started as soon as the file is known to be large, so that its interpreter start-up overlaps
hashing and copying the file into the evidence store; it reads the stored copy, never the
original, so it parses exactly the bytes that were hashed.

Errors: an exception in the worker is sent back and raised here, the same type and message as
inline (a ``ParseError`` from a truncated file is the same ``ParseError``); a non-Vigil exception
gets the worker's traceback as its ``__cause__``. A worker that stops without saying DONE and
exiting cleanly (killed, crashed) raises :class:`IngestWorkerError`. Either way the transaction
rolls back and nothing is stored. Any way out of the ingest kills and reaps a worker still
running, so none is left behind; a worker whose parent dies finds its socket closed and exits.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import pickle
import signal
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigil.errors import VigilError
from vigil.services.ingest.rows import RowSink, Tail, Values, parse_into

if TYPE_CHECKING:
    from vigil.ingest.base import ParseOptions, Parser
    from vigil.model import Attachment, Participant

MIN_BYTES = 8 * 1024 * 1024
"""Files at least this large go through the worker by default; smaller ones are parsed inline
(starting an interpreter costs more than the overlap gains below a few MB)."""

SOCKET_BUFFER = 4 * 1024 * 1024
"""Bytes in flight between the worker and the writer: about five batches of rows, so that
neither waits for the other at every batch (Linux caps it at ``net.core.wmem_max``)."""

BEGIN, PARTICIPANTS, ROWS, ATTACHMENTS, END, DONE, ERROR, UNUSABLE = range(8)

HELLO = b"H"
BOOT_SECONDS = 60.0
"""How long to wait for a worker's HELLO before parsing inline instead."""

_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[2]); "
    "from vigil.services.ingest.pipe import _serve_fd; _serve_fd(int(sys.argv[1]))"
)

_LIVE: dict[int, subprocess.Popen[bytes]] = {}


class IngestWorkerError(VigilError):
    """The ingest worker process stopped without finishing (killed, crashed, unreadable reply)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in the ingest worker, as text."""


def wanted(size: int, pipeline: bool | None) -> bool:
    """Whether a file of ``size`` bytes goes through the worker; ``pipeline`` forces the choice."""
    if pipeline is not None:
        return pipeline
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return cores >= 2 and size >= MIN_BYTES


def maybe_start(size: int, pipeline: bool | None) -> Worker | None:
    """A worker for a file of ``size`` bytes when one is wanted and can be started, else None."""
    if not wanted(size, pipeline):
        return None
    try:
        return Worker()
    except (OSError, ValueError):  # no interpreter to start: parse inline
        return None


def live_workers() -> list[int]:
    """Process ids of the workers this process started and has not reaped yet."""
    return list(_LIVE)


@dataclass(frozen=True, slots=True)
class Job:
    """What the worker parses, and how its rows are to be built."""

    parser: Parser
    blob: str
    name: str
    options: ParseOptions
    sqlite: bool


class Worker:
    """A worker process, started before the file is stored and given its job afterwards."""

    def __init__(self) -> None:
        path = [str(p) for p in sys.path]
        mine, theirs = socket.socketpair()
        for end in (mine, theirs):  # let the worker run a few batches ahead (capped by the OS)
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(theirs.fileno()), json.dumps(path)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        _LIVE[self._proc.pid] = self._proc
        self._conn = Connection(mine.detach())
        self._name = ""

    @property
    def pid(self) -> int:
        return self._proc.pid

    def run(
        self,
        parser: Parser,
        blob: Path,
        name: str,
        options: ParseOptions,
        sink: RowSink,
        sqlite: bool,
        progress: Callable[[int], None] | None,
    ) -> bool:
        """Have the worker parse ``blob`` into ``sink``; False when it cannot take the job (the
        caller then parses inline; nothing has been sent to ``sink``)."""
        self._name = name
        try:
            job = pickle.dumps(
                Job(parser, str(blob), name, options, sqlite), pickle.HIGHEST_PROTOCOL
            )
        except Exception:  # e.g. a parser holding a lock or a lambda
            return False
        if not self._ready():
            return False
        self._send(job)
        return self._pump(sink, progress)

    def _ready(self) -> bool:
        """Whether the worker started: it says HELLO once its interpreter is up."""
        try:
            return self._conn.poll(BOOT_SECONDS) and self._conn.recv_bytes() == HELLO
        except (EOFError, OSError):  # it could not start (no usable interpreter, import error)
            return False

    def close(self) -> None:
        """Stop the worker if it still runs, and reap it. Safe to call more than once."""
        self._conn.close()
        proc = self._proc
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        _LIVE.pop(proc.pid, None)

    def _pump(self, sink: RowSink, progress: Callable[[int], None] | None) -> bool:
        conn, done = self._conn, 0
        while True:
            try:
                frame = conn.recv_bytes()
            except (EOFError, OSError):
                raise self._died() from None
            body = memoryview(frame)[1:]
            op, pos, args = marshal.loads(body) if frame[:1] == b"M" else pickle.loads(body)
            if progress is not None and pos > done:
                progress(pos - done)
                done = pos
            if op == ROWS:
                sink.rows(*args)
            elif op == PARTICIPANTS:
                self._send(marshal.dumps(sink.participants(args)))
            elif op == BEGIN:
                sink.begin(*args)
            elif op == ATTACHMENTS:
                sink.attachments(args)
            elif op == END:
                sink.end(args)
            elif op == DONE:
                self._send(b"")
                if self._proc.wait() != 0:
                    raise self._died()
                return True
            elif op == ERROR:
                raise _rebuilt(*args)
            elif op == UNUSABLE:
                return False
            else:  # pragma: no cover - both ends are this module
                raise IngestWorkerError(
                    f"{self._name}: unknown frame {op!r} from the ingest worker"
                )

    def _send(self, data: bytes) -> None:
        try:
            self._conn.send_bytes(data)
        except OSError:
            raise self._died() from None

    def _died(self) -> IngestWorkerError:
        try:
            code = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            how = "its connection closed while it still runs"
        else:
            if code < 0:
                how = f"killed by {signal.Signals(-code).name}"
            else:
                how = f"exit code {code}"
        return IngestWorkerError(
            f"{self._name}: the ingest worker process stopped before it finished ({how})",
            hint="nothing from this file was stored; run the ingest again, and if it keeps "
            "failing, report it with the file's format",
        )


def _rebuilt(blob: bytes | None, kind: str, message: str, trace: str) -> BaseException:
    """The worker's exception, raised here: itself when it travels, else a stand-in."""
    exc: BaseException | None = None
    if blob is not None:
        with contextlib.suppress(Exception):
            exc = pickle.loads(blob)
    if exc is None:
        exc = IngestWorkerError(f"{kind}: {message}")
    if not isinstance(exc, VigilError) or isinstance(exc, IngestWorkerError):
        exc.__cause__ = RemoteTraceback(trace)
    return exc


class _RemoteSink:
    """The worker's end: each sink call becomes a frame to the writer."""

    def __init__(self, conn: Connection, sqlite: bool) -> None:
        self.conn = conn
        self.sqlite = sqlite
        self.pos = 0
        self.broken = False

    def advance(self, n: int) -> None:
        self.pos += n

    def send(self, op: int, args: Any, plain: bool = False) -> None:
        frame = None
        if plain:  # SQLite rows are ints, text and None: marshal is twice as fast as pickle
            with contextlib.suppress(ValueError):
                frame = b"M" + marshal.dumps((op, self.pos, args))
        if frame is None:
            frame = b"P" + pickle.dumps((op, self.pos, args), pickle.HIGHEST_PROTOCOL)
        try:
            self.conn.send_bytes(frame)
        except OSError:
            self.broken = True
            raise

    def begin(self, platform: str, title: str | None, source_id: str | None) -> None:
        self.send(BEGIN, (platform, title, source_id))

    def participants(self, new: list[Participant]) -> list[int]:
        self.send(PARTICIPANTS, new)
        try:
            return list(marshal.loads(self.conn.recv_bytes()))
        except (EOFError, OSError):
            self.broken = True
            raise

    def rows(self, kind: int, values: Values) -> None:
        self.send(ROWS, (kind, values), plain=self.sqlite)

    def attachments(self, items: list[tuple[int, Attachment]]) -> None:
        self.send(ATTACHMENTS, items)

    def end(self, tail: Tail) -> None:
        self.send(END, tail)

    def error(self, exc: Exception) -> None:
        """Send ``exc`` so that the writer raises it: pickled if it survives the trip."""
        trace = "".join(traceback.format_exception(exc))
        blob: bytes | None = None
        with contextlib.suppress(Exception):
            data = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
            back = pickle.loads(data)
            if type(back) is type(exc) and str(back) == str(exc):
                blob = data
        with contextlib.suppress(Exception):
            self.send(ERROR, (blob, type(exc).__qualname__, str(exc), trace))


def _serve_fd(fd: int) -> None:
    """The worker process's main: serve one job on the socket ``fd``, then exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    conn = Connection(fd)
    try:
        conn.send_bytes(HELLO)
        data = conn.recv_bytes()
    except (EOFError, OSError):  # the parent did not need us after all
        return
    try:
        job: Job = pickle.loads(data)
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.send_bytes(b"P" + pickle.dumps((UNUSABLE, 0, repr(exc))))
        return
    sink = _RemoteSink(conn, job.sqlite)
    try:
        parse_into(
            job.parser, Path(job.blob), job.name, job.options, sink, job.sqlite, sink.advance
        )
        sink.send(DONE, None)
    except Exception as exc:
        if not sink.broken:  # else the parent has gone: nobody to tell
            sink.error(exc)
        return
    with contextlib.suppress(EOFError, OSError):
        conn.recv_bytes()  # the goodbye: exit 0 only once the parent has everything
