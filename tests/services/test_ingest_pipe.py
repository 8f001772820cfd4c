"""The ingest pipeline (a worker process parses while this one writes) stores what inline does.

Each file is ingested twice into one workspace, into case OP-TEST without the worker and into
OP-PIPE through it, and everything stored for the two cases is compared with the ids replaced by
what they point at. Failures (a parse error in the worker, a killed worker, an error in the
writer) must leave nothing stored and no process behind.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import types
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy import event, func, select

from vigil.config import Settings
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import (
    AttachmentRow,
    ConversationRow,
    Ingest,
    MessageRow,
    ParticipantRow,
    SkippedRow,
)
from vigil.db.tables.evidence import Blob, CustodyEntry, Exhibit
from vigil.errors import ParseError
from vigil.hookspecs import hookimpl
from vigil.ingest.base import ParseOptions, Parser, Sniff
from vigil.model import Conversation, Message, Participant, SkippedRecord
from vigil.plugins import get_plugin_manager
from vigil.services.cases import create_case
from vigil.services.evidence.verify import verify_workspace
from vigil.services.ingest.pipe import (
    MIN_BYTES,
    IngestWorkerError,
    RemoteTraceback,
    live_workers,
    wanted,
)
from vigil.services.ingest.run import ingest_file
from vigil.services.ingest.store import IngestSummary
from vigil.services.workspace import Workspace, init_workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chats"
BASE = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


class StreamingParser:
    """A plugin parser for these tests: ``sender<TAB>text`` lines, read lazily.

    Like the real streaming parsers it yields the conversation first and grows its lists while
    the messages are consumed: senders named ``late-*`` are never listed (the writer adds them),
    others are listed when first seen, and at the end a participant who never wrote, a display
    name for ``p0``, a note and the skipped lines are added. A line without a tab is skipped;
    the line ``!FAIL`` raises a ParseError, as a damaged record would, and ``!BUG`` a
    LookupError, as a bug would.
    """

    name = "test_streaming"
    description = "test-only streaming text format"

    def sniff(self, head: bytes, name: str) -> Sniff:
        return Sniff(0.0, "only chosen by name in tests")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        conv = Conversation("test", "streamed", participants=[Participant("p0")])
        conv.messages = self._messages(stream, name, conv)
        yield conv

    def _messages(self, stream: BinaryIO, name: str, conv: Conversation) -> Iterator[Message]:
        listed = {"p0"}
        for n, raw in enumerate(stream, start=1):
            line = raw.decode("utf-8").rstrip("\n")
            if line == "!FAIL":
                raise ParseError("record cannot be read", file=name, location=f"line {n}")
            if line == "!BUG":
                raise LookupError(f"a bug in the parser at line {n}")
            if "\t" not in line:
                conv.skipped.append(SkippedRecord(f"line {n}", "no tab", line))
                continue
            sender, text = line.split("\t", 1)
            if sender not in listed and not sender.startswith("late-"):
                conv.participants.append(Participant(sender, sender.upper()))
                listed.add(sender)
            at = BASE + timedelta(seconds=n)
            yield Message(
                sender,
                text,
                at,
                f"line {n}",
                local_time_text=at.isoformat(),
                tz_assumed="UTC",
                source_id=str(n) if n % 7 == 0 else None,
                reply_to=str(n - 7) if n % 14 == 0 else None,
                is_system=n % 11 == 0,
            )
        conv.participants.append(Participant("silent", "Never Wrote"))
        conv.participants.append(Participant("p0", "Person Zero"))
        conv.notes.append("test parser: all lines read")


class _Plugin:
    def __init__(self, parser: Parser) -> None:
        self.parser = parser

    @hookimpl
    def vigil_parsers(self) -> list[Parser]:
        return [self.parser]


@pytest.fixture()
def streaming() -> Iterator[None]:
    """Registers :class:`StreamingParser` (as ``test_streaming``) for one test."""
    plugin = _Plugin(StreamingParser())
    get_plugin_manager().register(plugin, name="test-streaming")
    yield
    get_plugin_manager().unregister(plugin)


def streaming_file(
    path: Path, lines: int, fail_at: int | None = None, failure: str = "!FAIL"
) -> Path:
    """A file for :class:`StreamingParser`: a new sender every 1,000 lines, some skipped."""
    with path.open("w", encoding="utf-8") as fh:
        for n in range(1, lines + 1):
            if n == fail_at:
                fh.write(failure + "\n")
            elif n % 997 == 0:
                fh.write("no tab on this line\n")
            else:
                who = f"late-{n // 3000}" if n % 3 == 0 else f"p{n // 1000}"
                fh.write(f"{who}\tmessage {n}\n")
    return path


def whatsapp_zip(path: Path) -> Path:
    """A WhatsApp export zip: one attachment present, one named but missing, one omitted."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "WhatsApp Chat with Sam.txt",
            "12/03/2024, 09:15 - Sam: IMG-1.jpg (file attached)\n"
            "12/03/2024, 09:16 - Sam: IMG-2.jpg (file attached)\nsecond line\n"
            "12/03/2024, 09:17 - Alex: <Media omitted>\n"
            "12/03/2024, 09:18 - Alex: plain text\n",
        )
        zf.writestr("IMG-1.jpg", b"\xff\xd8\xff\xe0synthetic-jpeg\xff\xd9")
    return path


def ufdr(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.xml", (FIXTURES / "ufdr" / "report.xml").read_bytes())
        zf.writestr("files/Image/pitch.jpg", b"\xff\xd8\xff\xe0synthetic-jpeg\xff\xd9")
    return path


def repeated(path: Path, source: Path, copies: int) -> Path:
    chunk = source.read_bytes()
    path.write_bytes((chunk if chunk.endswith(b"\n") else chunk + b"\n") * copies)
    return path


def stored(ws: Workspace, case_ref: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything an ingest stored for ``case_ref``, in id order, ids replaced by their targets."""
    with ws.sessions() as s:
        case_id = s.execute(select(Case.id).where(Case.ref == case_ref)).scalar_one()
        exhibits = s.execute(
            select(Exhibit).where(Exhibit.case_id == case_id).order_by(Exhibit.id)
        ).scalars()
        ex_key = {e.id: (e.original_name, e.derived_path, e.blob_sha256) for e in exhibits}
        convs = (
            s.execute(
                select(ConversationRow)
                .where(ConversationRow.case_id == case_id)
                .order_by(ConversationRow.id)
            )
            .scalars()
            .all()
        )
        conv_key = {c.id: i for i, c in enumerate(convs)}
        parts = (
            s.execute(
                select(ParticipantRow)
                .where(ParticipantRow.conversation_id.in_(list(conv_key)))
                .order_by(ParticipantRow.id)
            )
            .scalars()
            .all()
        )
        part_key = {p.id: (conv_key[p.conversation_id], p.platform_id) for p in parts}
        keys = {
            "conversation_id": conv_key,
            "sender_id": part_key,
            "exhibit_id": ex_key,
            "parent_exhibit_id": ex_key,
        }
        dropped = {"id", "case_id", "created_at", "created_by_id", "registered_at", "ref", "seq"}

        def rows(table: Any, where: Any) -> list[tuple[Any, ...]]:
            out = []
            for r in s.execute(select(table).where(where).order_by(table.id)).scalars():
                values = []
                for col in table.__table__.columns:
                    v = getattr(r, col.key)
                    if col.key in keys and v is not None:
                        v = keys[col.key][v]
                    if col.key not in dropped or (table is MessageRow and col.key == "seq"):
                        values.append((col.key, v))
                out.append(tuple(values))
            return out

        in_case = ConversationRow.case_id == case_id
        return {
            "exhibits": rows(Exhibit, Exhibit.case_id == case_id),
            "conversations": rows(ConversationRow, in_case),
            "participants": rows(
                ParticipantRow, ParticipantRow.conversation_id.in_(list(conv_key))
            ),
            "messages": rows(MessageRow, MessageRow.conversation_id.in_(list(conv_key))),
            "attachments": rows(AttachmentRow, AttachmentRow.conversation_id.in_(list(conv_key))),
            "skipped": rows(SkippedRow, SkippedRow.exhibit_id.in_(list(ex_key))),
            "ingests": rows(Ingest, Ingest.case_id == case_id),
            "custody": [
                (e.action, e.object_type)
                for e in s.execute(
                    select(CustodyEntry)
                    .where(CustodyEntry.case_ref == case_ref)
                    .order_by(CustodyEntry.seq)
                ).scalars()
            ],
        }


def comparable(summary: IngestSummary) -> IngestSummary:
    """The summary without the exhibit references (numbered per workspace, so they differ)."""
    return dataclasses.replace(
        summary, exhibit_ref="", derived_exhibits=[""] * len(summary.derived_exhibits)
    )


def worker_processes() -> list[int]:
    """This process's children that run the ingest worker (a zombie counts: it has no cmdline,
    but then its parent link still shows in /proc/PID/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and (b"ingest.pipe" in cmdline or not cmdline):
            found.append(int(stat.parent.name))
    return found


def both_ways(ws: Workspace, path: Path, **kw: Any) -> tuple[IngestSummary, IngestSummary]:
    """Ingest ``path`` inline into OP-TEST and through the worker into OP-PIPE; check that the
    worker was really used, and that it is gone afterwards. The zone is given, so that the
    notes do not name the case."""
    kw.setdefault("tz", "Europe/London")
    inline = ingest_file(ws, "OP-TEST", path, pipeline=False, **kw)
    seen: list[int] = []
    piped = ingest_file(
        ws, "OP-PIPE", path, pipeline=True, progress=lambda _: seen.extend(live_workers()), **kw
    )
    assert seen, "the worker process was not used"
    assert not live_workers() and not worker_processes()
    assert not Path(f"/proc/{seen[0]}").exists()
    return inline, piped


@pytest.fixture()
def two_cases(ws: Workspace) -> Workspace:
    create_case(ws, "OP-PIPE", "Pipeline", None, "Europe/London")
    return ws


SHARED_FILES = [
    "whatsapp/whatstk/lorem-2000.txt",
    "whatsapp/whatstk/pokemon.txt",
    "whatsapp/WhatsR/englishiosampm.txt",
    "whatsapp/WhatsR/englishandroid24h.txt",
    "whatsapp/chat-miner/test_mmddyyyy_12hrs.txt",
    "whatsapp/rwhatsapp/sample.txt",
    "telegram/chat-miner/test_batch_export.json",
    "discord/chat-analytics/SV_5A_5M.json",
    "meta/chat-analytics/messenger_2A_7M.json",
]


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_fixture_stored_the_same(
    two_cases: Workspace, shared_fixtures: Path, name: str
) -> None:
    inline, piped = both_ways(two_cases, shared_fixtures / "chats" / name)
    assert comparable(piped) == comparable(inline)
    assert stored(two_cases, "OP-PIPE") == stored(two_cases, "OP-TEST")
    assert inline.messages > 0


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: FIXTURES / "telegram" / "full_export.json",
        lambda tmp: FIXTURES / "sms" / "backup.xml",
        lambda tmp: FIXTURES / "snapchat" / "chat_history.json",
        lambda tmp: ufdr(tmp / "phone.ufdr"),
        lambda tmp: whatsapp_zip(tmp / "WhatsApp Chat with Sam.zip"),
        lambda tmp: repeated(tmp / "WhatsApp Chat with Lorem.txt", FIXTURES / "whatsapp" / "en-GB_android_24h.txt", 3000),
    ],
    ids=["telegram", "sms", "snapchat", "ufdr-attachments", "whatsapp-zip", "whatsapp-batches"],
)  # fmt: skip
def test_formats_and_attachments_stored_the_same(
    two_cases: Workspace, tmp_path: Path, make: Any
) -> None:
    inline, piped = both_ways(two_cases, make(tmp_path))
    assert comparable(piped) == comparable(inline)
    assert stored(two_cases, "OP-PIPE") == stored(two_cases, "OP-TEST")
    assert verify_workspace(two_cases).ok


def test_zip_attachments_through_the_worker(two_cases: Workspace, tmp_path: Path) -> None:
    # the worker sends the attachment; the writer registers the member as a derived exhibit
    _, piped = both_ways(two_cases, whatsapp_zip(tmp_path / "WhatsApp Chat with Sam.zip"))
    assert len(piped.derived_exhibits) == 1
    statuses = [dict(a)["status"] for a in stored(two_cases, "OP-PIPE")["attachments"]]
    assert statuses == ["present", "missing", "omitted"]


def test_streamed_lists_and_late_senders(
    two_cases: Workspace, tmp_path: Path, streaming: None
) -> None:
    # 12,000 lines: several batches, senders first seen mid-stream (each needs an id from the
    # writer), unlisted senders, a participant added after the last message, skipped lines
    f = streaming_file(tmp_path / "stream.txt", 12_000)
    inline, piped = both_ways(two_cases, f, fmt="test_streaming")
    assert comparable(piped) == comparable(inline)
    got = stored(two_cases, "OP-PIPE")
    assert got == stored(two_cases, "OP-TEST")
    names = {dict(p)["platform_id"]: dict(p)["display_name"] for p in got["participants"]}
    assert names["silent"] == "Never Wrote" and names["p0"] == "Person Zero"
    assert names["late-3"] == "late-3" and names["p11"] == "P11"
    assert len(got["skipped"]) == 12 and piped.notes == ["test parser: all lines read"]
    assert piped.messages == 12_000 - 12 == len(got["messages"])
    rows = [dict(r) for r in got["messages"]]
    seq_at = {int(r["source_location"].split()[1]): r["seq"] for r in rows}
    for row in rows:  # each value landed in its own row and column
        line = int(row["source_location"].split()[1])
        assert row["text"] == f"message {line}" and row["is_system"] == (line % 11 == 0)
        who = f"late-{line // 3000}" if line % 3 == 0 else f"p{line // 1000}"
        assert row["sender_id"] == (0, who)
        assert row["reply_to_seq"] == (None if line % 14 else seq_at.get(line - 7))


@pytest.mark.sqlite_only(reason="SQLite's limit on bound parameters per statement")
def test_a_low_parameter_limit_splits_the_inserts(
    two_cases: Workspace, tmp_path: Path, streaming: None
) -> None:
    # an SQLite built to bind at most 100 parameters a statement (older builds bind 999): 6 full
    # or 14 lean rows per INSERT, and batches that do not divide evenly; the same rows result
    f = streaming_file(tmp_path / "stream.txt", 7_000)
    inline = ingest_file(two_cases, "OP-TEST", f, fmt="test_streaming", tz="UTC", pipeline=False)

    def low_limit(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)

    event.listen(two_cases.engine, "connect", low_limit)
    two_cases.engine.dispose()
    try:
        with two_cases.engine.connect() as c:
            limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
            assert c.connection.dbapi_connection.getlimit(limit) == 100
        limited = ingest_file(
            two_cases, "OP-PIPE", f, fmt="test_streaming", tz="UTC", pipeline=False
        )
    finally:
        event.remove(two_cases.engine, "connect", low_limit)
        two_cases.engine.dispose()
    assert comparable(limited) == comparable(inline)
    assert stored(two_cases, "OP-PIPE") == stored(two_cases, "OP-TEST")


@pytest.mark.postgres
def test_stored_the_same_on_postgres(pg_url: str, tmp_path: Path, shared_fixtures: Path) -> None:
    pg, _, _ = init_workspace(Settings(home=tmp_path / "pgws", database_url=pg_url, user="pg.t"))
    create_case(pg, "OP-TEST", "Inline", None, "UTC")
    create_case(pg, "OP-PIPE", "Pipeline", None, "UTC")
    for f in (
        shared_fixtures / "chats" / "whatsapp" / "whatstk" / "lorem-2000.txt",
        FIXTURES / "telegram" / "full_export.json",
        ufdr(tmp_path / "phone.ufdr"),
        repeated(tmp_path / "WhatsApp Chat.txt", FIXTURES / "whatsapp" / "de_ios_24h.txt", 2000),
    ):
        inline, piped = both_ways(pg, f)
        assert comparable(piped) == comparable(inline)
    assert stored(pg, "OP-PIPE") == stored(pg, "OP-TEST")
    pg.engine.dispose()


def count(ws: Workspace, table: type) -> int:
    with ws.sessions() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def assert_nothing_stored(ws: Workspace, scratch: Path) -> None:
    for table in (Exhibit, Blob, ConversationRow, MessageRow, ParticipantRow, Ingest):
        assert count(ws, table) == 0, table
    assert list(ws.store.iter_blob_names()) == []
    assert list(ws.store.tmp.iterdir()) == []
    assert list(scratch.iterdir()) == []  # no temporary files either
    assert not live_workers() and not worker_processes()
    assert verify_workspace(ws).ok


@pytest.fixture()
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder set as the temporary folder of this process and its children."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_parse_error_in_the_worker_is_the_inline_error(
    ws: Workspace, tmp_path: Path, scratch: Path
) -> None:
    bad = tmp_path / "truncated.json"
    good = (FIXTURES / "telegram" / "full_export.json").read_bytes()
    bad.write_bytes(good[: len(good) // 2])
    errors = []
    for pipeline in (False, True):
        with pytest.raises(ParseError) as caught:
            ingest_file(ws, "OP-TEST", bad, fmt="telegram_json", pipeline=pipeline)
        errors.append(caught.value)
    inline, piped = errors
    assert type(piped) is type(inline) and str(piped) == str(inline)
    assert (piped.file, piped.location, piped.expected) == (
        inline.file,
        inline.location,
        inline.expected,
    )
    assert "truncated" in str(piped)
    assert_nothing_stored(ws, scratch)


def test_parse_error_after_rows_were_written(
    ws: Workspace, tmp_path: Path, scratch: Path, streaming: None
) -> None:
    # the writer has inserted two batches when the worker's parser fails: all rolled back
    f = streaming_file(tmp_path / "stream.txt", 15_000, fail_at=12_500)
    read: list[int] = []
    with pytest.raises(ParseError, match=r"^stream\.txt, line 12500: record cannot be read$"):
        ingest_file(ws, "OP-TEST", f, fmt="test_streaming", pipeline=True, progress=read.append)
    assert read, "the worker process was not used"
    assert_nothing_stored(ws, scratch)


def test_a_bug_in_the_worker_keeps_its_type_and_traceback(
    ws: Workspace, tmp_path: Path, scratch: Path, streaming: None
) -> None:
    f = streaming_file(tmp_path / "stream.txt", 9_000, fail_at=8_000, failure="!BUG")
    with pytest.raises(LookupError, match=r"^a bug in the parser at line 8000$") as caught:
        ingest_file(ws, "OP-TEST", f, fmt="test_streaming", pipeline=True)
    cause = caught.value.__cause__
    assert isinstance(cause, RemoteTraceback) and "in _messages" in str(cause)
    assert_nothing_stored(ws, scratch)


def test_a_killed_worker_stores_nothing(
    ws: Workspace, tmp_path: Path, scratch: Path, shared_fixtures: Path
) -> None:
    source = shared_fixtures / "chats" / "whatsapp" / "whatstk" / "lorem-2000.txt"
    big = repeated(tmp_path / "WhatsApp Chat with Lorem.txt", source, 20)
    killed: list[int] = []

    def kill_once(_: int) -> None:
        if not killed:
            killed.extend(live_workers())
            os.kill(killed[0], signal.SIGKILL)

    with pytest.raises(IngestWorkerError, match=r"worker process stopped .*\(killed by SIGKILL\)$"):
        ingest_file(ws, "OP-TEST", big, pipeline=True, progress=kill_once)
    assert killed and not Path(f"/proc/{killed[0]}").exists()
    assert_nothing_stored(ws, scratch)


def test_an_error_in_the_writer_stops_the_worker(
    ws: Workspace, tmp_path: Path, scratch: Path, shared_fixtures: Path
) -> None:
    source = shared_fixtures / "chats" / "whatsapp" / "whatstk" / "lorem-2000.txt"
    big = repeated(tmp_path / "WhatsApp Chat with Lorem.txt", source, 20)
    running: list[int] = []

    class Interrupted(Exception):
        pass

    def interrupt(_: int) -> None:
        running.extend(live_workers())
        raise Interrupted

    with pytest.raises(Interrupted):
        ingest_file(ws, "OP-TEST", big, pipeline=True, progress=interrupt)
    assert running and not Path(f"/proc/{running[0]}").exists()
    assert_nothing_stored(ws, scratch)


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not exited (a zombie has exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_worker_whose_parent_dies_exits(tmp_path: Path, shared_fixtures: Path) -> None:
    # the parent is killed mid-ingest; its worker finds the socket closed and exits by itself
    source = shared_fixtures / "chats" / "whatsapp" / "whatstk" / "lorem-2000.txt"
    big = repeated(tmp_path / "WhatsApp Chat with Lorem.txt", source, 20)
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, signal, sys
            from pathlib import Path
            from vigil.config import Settings
            from vigil.services.cases import create_case
            from vigil.services.ingest.run import ingest_file
            from vigil.services.ingest.pipe import live_workers
            from vigil.services.workspace import init_workspace

            ws, _, _ = init_workspace(Settings(home=Path(sys.argv[1]), user="t"))
            create_case(ws, "OP-DIE", "Parent dies", None, "UTC")

            def die(_):
                print(live_workers()[0], flush=True)
                os.kill(os.getpid(), signal.SIGKILL)

            ingest_file(ws, "OP-DIE", Path(sys.argv[2]), pipeline=True, progress=die)
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "ws"), str(big)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 120  # a bound for a loaded machine, not a speed check
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(worker)


def test_already_ingested_stops_the_early_worker(ws: Workspace, tmp_path: Path) -> None:
    f = FIXTURES / "telegram" / "full_export.json"
    first = ingest_file(ws, "OP-TEST", f, pipeline=True)
    again = ingest_file(ws, "OP-TEST", f, pipeline=True)
    assert again.already_ingested and again.messages == first.messages
    assert not live_workers() and not worker_processes()


def test_a_parser_the_worker_cannot_load_is_run_inline(
    two_cases: Workspace, tmp_path: Path
) -> None:
    # the parser's class lives in a module that exists only in this process: it pickles here,
    # the worker cannot import it and says so, and the file is parsed inline instead
    module = types.ModuleType("vigil_test_only_in_this_process")
    exec(
        "from tests.services.test_ingest_pipe import StreamingParser\n"
        "class HereOnly(StreamingParser):\n"
        "    name = 'test_here_only'\n",
        module.__dict__,
    )
    sys.modules[module.__name__] = module
    plugin = _Plugin(module.HereOnly())
    get_plugin_manager().register(plugin, name="test-here-only")
    try:
        f = streaming_file(tmp_path / "stream.txt", 6_000)
        inline = ingest_file(
            two_cases, "OP-TEST", f, fmt="test_here_only", tz="UTC", pipeline=False
        )
        piped = ingest_file(two_cases, "OP-PIPE", f, fmt="test_here_only", tz="UTC", pipeline=True)
    finally:
        get_plugin_manager().unregister(plugin)
        del sys.modules[module.__name__]
    assert comparable(piped) == comparable(inline)
    assert stored(two_cases, "OP-PIPE") == stored(two_cases, "OP-TEST")
    assert not live_workers() and not worker_processes()


def test_small_files_stay_inline(ws: Workspace) -> None:
    seen: list[int] = []
    ingest_file(
        ws,
        "OP-TEST",
        FIXTURES / "telegram" / "full_export.json",
        progress=lambda _: seen.extend(live_workers()),
    )
    assert seen == []
    assert not wanted(MIN_BYTES - 1, None)
    assert wanted(MIN_BYTES, None) == (len(os.sched_getaffinity(0)) >= 2)
    assert wanted(10, True) and not wanted(10 * MIN_BYTES, False)
