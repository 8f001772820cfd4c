"""Writing parsed conversations inside the ingest transaction: bulk inserts, participants,
attachments registered as derived exhibits, skipped records, and the summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables import AttachmentRow, ConversationRow, Exhibit, ParticipantRow, SkippedRow
from vigil.evidence.mime import guess_mime
from vigil.evidence.store import Stored
from vigil.ingest.safezip import iter_member_chunks, open_zip
from vigil.model import AttachmentStatus, Conversation, Message, Participant
from vigil.services.evidence import record_in_session
from vigil.services.workspace import Workspace

BATCH = 5000
MESSAGE_COLUMNS: tuple[str, ...] = (
    "conversation_id", "seq", "sender_id", "sent_at", "local_time_text", "tz_assumed", "text",
    "source_id", "reply_to_source_id", "reply_to_seq", "forwarded_from", "is_edited",
    "is_deleted", "is_system", "has_attachments", "source_location", "time_note",
)  # fmt: skip
LEAN_COLUMNS: tuple[str, ...] = (
    "seq", "sender_id", "sent_at", "local_time_text", "tz_assumed", "text", "source_location",
)  # fmt: skip
"""Bound per row for the common message; see ``ConversationWriter._lean_sql``."""


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


@dataclass(slots=True)
class ConversationSummary:
    platform: str
    title: str | None
    messages: int
    participants: int
    first_at: datetime | None
    last_at: datetime | None


@dataclass(slots=True)
class IngestSummary:
    """What an ingest stored and assumed; printed by the CLI and returned as JSON."""

    file: str
    exhibit_ref: str
    already_ingested: bool
    parser: str
    detection: str
    tz_assumed: str
    tz_source: str
    conversations: list[ConversationSummary] = field(default_factory=list)
    messages: int = 0
    participants: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    derived_exhibits: list[str] = field(default_factory=list)
    first_at: datetime | None = None
    last_at: datetime | None = None


class ConversationWriter:
    """Writes parsed conversations with bulk inserts inside the ingest transaction."""

    def __init__(
        self,
        ws: Workspace,
        session: Session,
        case_id: int,
        ex: Exhibit,
        summary: IngestSummary,
        stored: Stored,
    ) -> None:
        self.ws, self.session, self.case_id, self.ex = ws, session, case_id, ex
        self.summary, self.stored = summary, stored
        self._zip: Any = None
        self._zip_fh: BinaryIO | None = None
        self._sqlite = session.get_bind().dialect.name == "sqlite"
        mark = "?" if self._sqlite else "%s"
        self._insert_sql = (
            f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(MESSAGE_COLUMNS))})"
        )

    def close(self) -> None:
        if self._zip_fh is not None:
            self._zip_fh.close()

    def _participant(self, conv_id: int, ids: dict[str, int], p: Participant) -> int:
        row = ParticipantRow(
            conversation_id=conv_id,
            platform_id=p.platform_id,
            display_name=p.display_name,
            role=str(p.role),
            role_source=None,
        )
        self.session.add(row)
        self.session.flush()
        ids[p.platform_id] = row.id
        return row.id

    def conversation(self, conv: Conversation) -> None:
        s = self.session
        row = ConversationRow(
            case_id=self.case_id,
            exhibit_id=self.ex.id,
            platform=conv.platform,
            title=conv.title,
            source_id=conv.source_id,
            parser=self.summary.parser,
            tool_version=tool_version(),
            message_count=0,
            created_at=self.ws.now(),
        )
        s.add(row)
        s.flush()
        ids: dict[str, int] = {}
        for p in list(conv.participants):
            if p.platform_id not in ids:
                self._participant(row.id, ids, p)
        seq_of: dict[str, int] = {}
        lean: list[tuple[Any, ...]] = []  # rows with only the common columns set
        full: list[tuple[Any, ...]] = []
        lean_sql = self._lean_sql(row.id)
        stored_time = self._stored_time
        atts: list[dict[str, Any]] = []
        first: datetime | None = None
        last: datetime | None = None
        n = 0
        for m in conv.messages:
            n += 1
            sender_id = None
            if m.sender is not None:
                sender_id = ids.get(m.sender)
                if sender_id is None:
                    known = conv.participant(m.sender) or Participant(m.sender, m.sender)
                    sender_id = self._participant(row.id, ids, known)
            sent: Any = m.sent_at
            if sent is not None:
                if first is None or last is None:
                    first = last = sent
                elif sent < first:
                    first = sent
                elif sent > last:
                    last = sent
                sent = stored_time(sent)
            if (
                m.source_id is None
                and m.reply_to is None
                and m.forwarded_from is None
                and m.time_note is None
                and not m.attachments
                and not (m.is_edited or m.is_deleted or m.is_system)
            ):
                lean.append(
                    (n, sender_id, sent, m.local_time_text, m.tz_assumed, m.text, m.source_location)
                )
                if len(lean) >= BATCH:
                    self._insert(lean_sql, lean)
                continue
            if m.source_id is not None:
                seq_of.setdefault(m.source_id, n)
            full.append(self._message(row.id, n, sender_id, sent, m, seq_of))
            for a in m.attachments:
                atts.append(self._attachment(row.id, n, a))
            if len(full) >= BATCH:
                self._insert(self._insert_sql, full)
        self._insert(lean_sql, lean)
        self._insert(self._insert_sql, full)
        if atts:
            s.execute(insert(AttachmentRow), atts)
        for p in conv.participants:  # participants a streaming parser added late
            if p.platform_id not in ids:
                self._participant(row.id, ids, p)
        for p in conv.participants:
            if p.display_name:
                s.execute(
                    update(ParticipantRow)
                    .where(ParticipantRow.id == ids[p.platform_id])
                    .values(display_name=p.display_name, role=str(p.role))
                )
        for sk in conv.skipped:
            s.add(
                SkippedRow(
                    exhibit_id=self.ex.id,
                    conversation_id=row.id,
                    source_location=sk.source_location,
                    reason=sk.reason,
                    raw=sk.raw,
                )
            )
            self.summary.skipped.append((sk.source_location, sk.reason))
        s.execute(
            update(ConversationRow)
            .where(ConversationRow.id == row.id)
            .values(
                message_count=n, first_at=first, last_at=last, notes="\n".join(conv.notes) or None
            )
        )
        sm = self.summary
        sm.conversations.append(
            ConversationSummary(conv.platform, conv.title, n, len(ids), first, last)
        )
        sm.messages += n
        sm.participants += len(ids)
        sm.notes.extend(conv.notes)
        if first is not None and (sm.first_at is None or first < sm.first_at):
            sm.first_at = first
        if last is not None and (sm.last_at is None or last > sm.last_at):
            sm.last_at = last

    def _stored_time(self, sent: datetime) -> Any:
        """A message time in the stored form: naive UTC (ISO text on SQLite)."""
        if sent.tzinfo is UTC:  # what the parsers give: skip the conversion
            return utc_text(sent) if self._sqlite else sent.replace(tzinfo=None)
        naive = sent.astimezone(UTC).replace(tzinfo=None) if sent.tzinfo else sent
        return naive.isoformat(" ", "microseconds") if self._sqlite else naive

    def _lean_sql(self, conv_id: int) -> str:
        """INSERT for the common message: the optional columns left NULL, the flags false."""
        mark = "?" if self._sqlite else "%s"
        flags = ("is_edited", "is_deleted", "is_system", "has_attachments")
        cols = (*LEAN_COLUMNS, "conversation_id", *flags)
        values = [mark] * len(LEAN_COLUMNS) + [str(int(conv_id))] + ["FALSE"] * 4
        return f"INSERT INTO messages ({', '.join(cols)}) VALUES ({', '.join(values)})"

    def _message(
        self,
        conv_id: int,
        seq: int,
        sender_id: int | None,
        sent: Any,
        m: Message,
        seq_of: dict[str, int],
    ) -> tuple[Any, ...]:
        """One row in MESSAGE_COLUMNS order; ``sent`` is already in the stored form."""
        flags: tuple[Any, ...] = (m.is_edited, m.is_deleted, m.is_system, bool(m.attachments))
        if self._sqlite:  # the driver binds plain ints faster than bools
            flags = tuple(int(f) for f in flags)
        return (
            conv_id, seq, sender_id, sent, m.local_time_text, m.tz_assumed, m.text, m.source_id,
            m.reply_to, seq_of.get(m.reply_to) if m.reply_to else None, m.forwarded_from,
            *flags, m.source_location, m.time_note,
        )  # fmt: skip

    def _insert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Bulk insert through the driver's executemany (the hot path), then empty ``rows``."""
        if rows:
            self.session.connection().exec_driver_sql(sql, rows)
            rows.clear()

    def _attachment(self, conv_id: int, seq: int, a: Any) -> dict[str, Any]:
        exhibit_id = None
        status = str(a.status)
        if a.status == AttachmentStatus.PRESENT and a.source_path:
            exhibit_id = self._derive(a.source_path, a.file_name or a.source_path)
            if exhibit_id is None:
                status = str(AttachmentStatus.MISSING)
        return {
            "conversation_id": conv_id,
            "message_seq": seq,
            "file_name": a.file_name,
            "mime_type": a.mime_type,
            "status": status,
            "exhibit_id": exhibit_id,
            "size": a.size,
            "source_path": a.source_path,
        }

    def _derive(self, member: str, name: str) -> int | None:
        """Register a file inside the (zip) exhibit as a derived exhibit."""
        if self._zip is None:
            self._zip_fh = self.ws.store.open(self.stored.digests.sha256)
            self._zip = open_zip(self._zip_fh, self.ex.original_name)
        if member not in self._zip.NameToInfo:
            self.summary.notes.append(f"attachment {member!r} is named but not in the archive")
            return None
        chunks = iter_member_chunks(self._zip, member, self.ex.original_name)
        stored = self.ws.store.put_stream(_ChunkReader(chunks))
        with self.ws.store.open(stored.digests.sha256) as fh:
            head = fh.read(8192)
        ex, _, _ = record_in_session(
            self.ws,
            self.session,
            self._case_ref(),
            stored,
            mime=guess_mime(head, name),
            officer=self.ex.initials,
            original_name=Path(member).name,
            original_path=None,
            source=f"extracted from exhibit {self.ex.ref}",
            acquired_by=self.ws.actor,
            when=self.ws.now(),
            when_text=None,
            tz_assumed=None,
            parent_id=self.ex.id,
            derived_path=member,
        )
        self.summary.derived_exhibits.append(ex.ref)
        return ex.id

    def _case_ref(self) -> str:
        from vigil.db.tables import Case

        case = self.session.get(Case, self.case_id)
        assert case is not None
        return case.ref


class _ChunkReader:
    """Adapts an iterator of byte chunks to ``read(n)``."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._buf = b""

    def read(self, n: int = -1, /) -> bytes:
        while n < 0 or len(self._buf) < n:
            nxt = next(self._it, None)
            if nxt is None:
                break
            self._buf += nxt
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out
