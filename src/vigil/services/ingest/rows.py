"""Parsed conversations turned into ready-to-insert rows, with no database in reach.

:class:`RowBuilder` walks a :class:`~vigil.model.Conversation` once and hands a
:class:`RowSink` what the database needs, in the order it is to be written: the conversation's
start, its participants (the sink answers with their row ids), batches of message rows,
attachments, and the conversation's end (the participants, skipped records and notes a streaming
parser added while its messages were read, and the counts). Inline, the sink is the database
writer (:class:`vigil.services.ingest.store.ConversationWriter`); in the ingest worker process
it is the pipe to that writer (:mod:`vigil.services.ingest.pipe`). One builder for both paths is
what makes them store the same rows in the same order.

This module imports nothing heavier than the domain model: the worker process loads it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from vigil.evidence.digests import EMPTY_ROOT, MessageDigest, time_text
from vigil.ingest.base import HEAD_BYTES
from vigil.ingest.encodings import as_utf8, wide_encoding
from vigil.model import Attachment, Conversation, Message, Participant, SkippedRecord

if TYPE_CHECKING:
    from vigil.ingest.base import ParseOptions, Parser

BATCH = 5000
"""Message rows per batch handed to the sink (and per frame from the worker process)."""

LEAN_COLUMNS: tuple[str, ...] = (
    "seq", "sender_id", "sent_at", "local_time_text", "tz_assumed", "text", "source_location",
)  # fmt: skip
"""Bound per row for the common message: sender, time, text and location only."""

ID_COLUMNS: tuple[str, ...] = (*LEAN_COLUMNS[:6], "source_id", "source_location")
"""Bound per row for a common message that carries the platform's message id (device databases,
where nearly every message has one): the lean row plus ``source_id``."""

FULL_COLUMNS: tuple[str, ...] = (
    "seq", "sender_id", "sent_at", "local_time_text", "tz_assumed", "text", "source_id",
    "reply_to_source_id", "reply_to_seq", "forwarded_from", "is_edited", "is_deleted",
    "is_system", "has_attachments", "source_location", "time_note",
)  # fmt: skip
"""Bound per row for any other message. Both statements carry the conversation id as a literal
(see ``ConversationWriter``), so rows can be built before the conversation has an id."""

FULL, LEAN, WITH_ID = 0, 1, 2
"""The ``kind`` of a batch of rows: which columns they bind (``LEAN`` and ``FULL`` are 1 and 0, the
``True``/``False`` of the earlier ``lean`` flag)."""

COLUMNS: dict[int, tuple[str, ...]] = {FULL: FULL_COLUMNS, LEAN: LEAN_COLUMNS, WITH_ID: ID_COLUMNS}

Row = tuple[Any, ...]
Values = list[Any]
"""A batch of message rows, flattened: row after row of values in column order."""

READ_BUFFER = 1024 * 1024
"""Bytes the parser's stream reads from the stored exhibit at a time."""

_HOURS_MINUTES = tuple(f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60))
_SECONDS = tuple(f"{sec:02d}." for sec in range(60))
_DAYS: dict[int, str] = {}


def utc_text(sent: datetime) -> str:
    """``sent`` (aware, UTC) as SQLite stores it: ``YYYY-MM-DD HH:MM:SS.ffffff``.

    The same text as ``sent.replace(tzinfo=None).isoformat(" ", "microseconds")``, built from
    cached pieces in a quarter of the time (this runs once per message on ingest).
    """
    day = sent.toordinal()
    prefix = _DAYS.get(day)
    if prefix is None:
        if len(_DAYS) > 100_000:
            _DAYS.clear()
        prefix = _DAYS[day] = sent.date().isoformat() + " "
    us = sent.microsecond
    return (
        prefix
        + _HOURS_MINUTES[sent.hour * 60 + sent.minute]
        + _SECONDS[sent.second]
        + (f"{us:06d}" if us else "000000")
    )


def stored_time(sent: datetime, sqlite: bool) -> Any:
    """A message time in the stored form: naive UTC (ISO text on SQLite)."""
    if sent.tzinfo is UTC:  # what the parsers give: skip the conversion
        return utc_text(sent) if sqlite else sent.replace(tzinfo=None)
    naive = sent.astimezone(UTC).replace(tzinfo=None) if sent.tzinfo else sent
    return naive.isoformat(" ", "microseconds") if sqlite else naive


@dataclass(slots=True)
class Tail:
    """A conversation's end: its lists as complete as the parser left them, and the counts."""

    participants: list[Participant]
    skipped: list[SkippedRecord]
    notes: list[str]
    messages: int
    first_at: datetime | None
    last_at: datetime | None
    messages_root: str = EMPTY_ROOT
    """Merkle root of the rows sent (:mod:`vigil.evidence.digests`), for the custody log."""


class RowSink(Protocol):
    """Where :class:`RowBuilder` sends a conversation, call by call, in writing order."""

    def begin(self, platform: str, title: str | None, source_id: str | None) -> None:
        """A new conversation starts; what follows belongs to it until :meth:`end`."""
        ...

    def participants(self, new: list[Participant]) -> list[int]:
        """Store participants not seen before in this conversation; return their row ids."""
        ...

    def rows(self, kind: int, values: Values) -> None:
        """Insert message rows: ``values`` holds them one after the other, each in the order of
        ``COLUMNS[kind]`` (flat, so that one multi-row INSERT can take many rows without
        building a tuple per row where the rows are written)."""
        ...

    def attachments(self, items: list[tuple[int, Attachment]]) -> None:
        """Attachments with the seq of their message, in message order."""
        ...

    def end(self, tail: Tail) -> None:
        """The conversation is complete."""
        ...


class RowBuilder:
    """Builds message rows for a sink: sequence numbers, sender ids, stored times, flags."""

    def __init__(self, sink: RowSink, sqlite: bool, batch: int = BATCH) -> None:
        self.sink = sink
        self.sqlite = sqlite
        self.batch = batch

    def conversation(self, conv: Conversation) -> None:
        """Send ``conv`` to the sink, consuming its messages once."""
        sink, sqlite = self.sink, self.sqlite
        lean_batch = self.batch * len(LEAN_COLUMNS)
        id_batch = self.batch * len(ID_COLUMNS)
        full_batch = self.batch * len(FULL_COLUMNS)
        sink.begin(conv.platform, conv.title, conv.source_id)
        ids: dict[str, int] = {}
        initial: dict[str, Participant] = {}
        for p in list(conv.participants):
            initial.setdefault(p.platform_id, p)
        if initial:
            ids.update(zip(initial, sink.participants(list(initial.values())), strict=True))
        seq_of: dict[str, int] = {}
        lean: Values = []  # rows with only the common columns set
        with_id: Values = []  # the same plus the platform's message id
        full: Values = []
        atts: list[tuple[int, Attachment]] = []
        first: datetime | None = None
        last: datetime | None = None
        digest = MessageDigest()
        add = digest.add
        n = 0
        for m in conv.messages:
            n += 1
            sender_id = None
            if m.sender is not None:
                sender_id = ids.get(m.sender)
                if sender_id is None:
                    known = conv.participant(m.sender) or Participant(m.sender, m.sender)
                    sender_id = ids[m.sender] = sink.participants([known])[0]
            sent: Any = m.sent_at
            if sent is not None:
                if first is None or last is None:
                    first = last = sent
                elif sent < first:
                    first = sent
                elif sent > last:
                    last = sent
                if sqlite and sent.tzinfo is UTC:  # the common case, without a call
                    sent = utc_text(sent)
                else:
                    sent = stored_time(sent, sqlite)
            plain = (
                m.reply_to is None
                and m.forwarded_from is None
                and m.time_note is None
                and not m.attachments
                and not (m.is_edited or m.is_deleted or m.is_system)
            )
            if plain and m.source_id is not None:
                sid = m.source_id
                if sid not in seq_of:
                    seq_of[sid] = n
                with_id += (
                    n, sender_id, sent, m.local_time_text, m.tz_assumed, m.text, sid,
                    m.source_location,
                )  # fmt: skip
                add(
                    (n, sender_id, sent if sqlite else time_text(sent), m.local_time_text,
                     m.tz_assumed, m.text, sid, None, None, None, 0, 0, 0, 0,
                     m.source_location, None)
                )  # fmt: skip
                if len(with_id) >= id_batch:
                    sink.rows(WITH_ID, with_id)
                    with_id = []
                continue
            if plain:
                lean += (
                    n,
                    sender_id,
                    sent,
                    m.local_time_text,
                    m.tz_assumed,
                    m.text,
                    m.source_location,
                )
                add(
                    (n, sender_id, sent if sqlite else time_text(sent), m.local_time_text,
                     m.tz_assumed, m.text, None, None, None, None, 0, 0, 0, 0,
                     m.source_location, None)
                )  # fmt: skip
                if len(lean) >= lean_batch:
                    sink.rows(LEAN, lean)
                    lean = []
                continue
            if m.source_id is not None:
                seq_of.setdefault(m.source_id, n)
            row = self._full(n, sender_id, sent, m, seq_of)
            full += row
            add(digested(row, sqlite))
            for a in m.attachments:
                atts.append((n, a))
            if len(atts) >= self.batch:
                sink.attachments(atts)
                atts = []
            if len(full) >= full_batch:
                sink.rows(FULL, full)
                full = []
        if lean:
            sink.rows(LEAN, lean)
        if with_id:
            sink.rows(WITH_ID, with_id)
        if full:
            sink.rows(FULL, full)
        if atts:
            sink.attachments(atts)
        sink.end(
            Tail(list(conv.participants), list(conv.skipped), list(conv.notes), n, first, last,
                 digest.root())
        )  # fmt: skip

    def _full(
        self, seq: int, sender_id: int | None, sent: Any, m: Message, seq_of: dict[str, int]
    ) -> Row:
        """One row in FULL_COLUMNS order; ``sent`` is already in the stored form."""
        flags: tuple[Any, ...] = (m.is_edited, m.is_deleted, m.is_system, bool(m.attachments))
        if self.sqlite:  # the driver binds plain ints faster than bools
            flags = tuple(int(f) for f in flags)
        return (
            seq, sender_id, sent, m.local_time_text, m.tz_assumed, m.text, m.source_id,
            m.reply_to, seq_of.get(m.reply_to) if m.reply_to else None, m.forwarded_from,
            *flags, m.source_location, m.time_note,
        )  # fmt: skip


def digested(row: Row, sqlite: bool) -> Row:
    """A FULL_COLUMNS row in the form :mod:`vigil.evidence.digests` hashes (FULL_COLUMNS is
    that module's MESSAGE_FIELDS order)."""
    if sqlite:  # time already text, flags already ints
        return row
    out = list(row)
    out[2] = time_text(out[2])
    for i in (10, 11, 12, 13):
        out[i] = int(out[i])
    return tuple(out)


def parse_into(
    parser: Parser,
    blob: Path,
    name: str,
    options: ParseOptions,
    sink: RowSink,
    sqlite: bool,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Parse the stored exhibit at ``blob`` with ``parser`` and send every conversation to
    ``sink``; ``progress`` is called with the number of bytes read as they are read."""
    builder = RowBuilder(sink, sqlite)
    with blob.open("rb") as raw:
        codec = wide_encoding(raw.read(HEAD_BYTES))
        raw.seek(0)
        if codec is not None:  # UTF-16/32: the parser reads a UTF-8 copy
            with as_utf8(raw, codec, progress) as utf8:
                for conv in parser.parse(utf8, name, options):
                    builder.conversation(conv)
            return
        stream = io.BufferedReader(_Counting(raw, progress), READ_BUFFER)
        for conv in parser.parse(stream, name, options):
            builder.conversation(conv)


class _Counting(io.RawIOBase):
    """A seekable raw stream that reports the furthest position read."""

    def __init__(self, inner: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self._inner = inner
        self._progress = progress
        self._high = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._inner.readinto(b)  # type: ignore[attr-defined]
        pos = self._inner.tell()
        if self._progress is not None and pos > self._high:
            self._progress(pos - self._high)
        self._high = max(self._high, pos)
        return int(n or 0)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()
