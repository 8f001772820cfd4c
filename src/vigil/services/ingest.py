"""Ingesting chat evidence: register the file, parse it as a stream, store it in one transaction."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables import (
    AttachmentRow,
    Blob,
    ConversationRow,
    Exhibit,
    IngestRow,
    ParticipantRow,
    SkippedRow,
)
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.evidence.mime import guess_mime
from vigil.evidence.refs import initials
from vigil.evidence.store import Stored
from vigil.ingest.base import HEAD_BYTES, ParseOptions
from vigil.ingest.detect import Choice, detect
from vigil.ingest.safezip import iter_member_chunks, open_zip
from vigil.model import AttachmentStatus, Conversation, Message, Participant
from vigil.plugins import parsers
from vigil.services.cases import check_tz, get_case
from vigil.services.evidence import check_persona, record_in_session
from vigil.services.workspace import Workspace

BATCH = 5000
MESSAGE_COLUMNS: tuple[str, ...] = (
    "conversation_id", "seq", "sender_id", "sent_at", "local_time_text", "tz_assumed", "text",
    "source_id", "reply_to_source_id", "reply_to_seq", "forwarded_from", "is_edited",
    "is_deleted", "is_system", "has_attachments", "source_location", "time_note",
)  # fmt: skip


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


def _sha256_of(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(4 * 1024 * 1024):
            h.update(block)
    return h.hexdigest()


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(8192)


def _existing(ws: Workspace, case_ref: str, sha: str) -> tuple[Exhibit | None, IngestRow | None]:
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        ex = s.execute(
            select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.blob_sha256 == sha)
        ).scalar_one_or_none()
        row = None
        if ex is not None:
            row = s.execute(
                select(IngestRow).where(IngestRow.exhibit_id == ex.id)
            ).scalar_one_or_none()
        return ex, row


def ingest_file(
    ws: Workspace,
    case_ref: str,
    path: Path,
    *,
    fmt: str = "auto",
    tz: str | None = None,
    source: str | None = None,
    acquired_by: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    persona: str | None = None,
) -> IngestSummary:
    """Register ``path`` as an exhibit of ``case_ref`` and store the conversations in it.

    Everything (exhibit, derived exhibits, conversations, custody entries) is written in one
    transaction; on any failure nothing is kept. Ingesting the same bytes again changes nothing.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such file", hint="check the path")
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        case_tz = case.default_tz
    zone_name, tz_source = (tz, "--tz") if tz else (case_tz, f"case {case_ref} default")
    zone = check_tz(zone_name)
    if persona is not None:
        with ws.sessions() as s:
            check_persona(s, case_ref, persona, ws.now())
    ex, done = _existing(ws, case_ref, _sha256_of(path))
    if ex is not None and done is not None:
        return _already(path, ex, done)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    choice = detect(head, path.name, parsers(), fmt)
    options = ParseOptions(tz=zone, tz_source=tz_source, mapping=dict(mapping or {}))
    with path.open("rb") as fh:
        stored = ws.store.put_stream(fh, ws.settings.hash_chunk_bytes)
    try:
        return _ingest(
            ws, case_ref, path, stored, choice, options, ex, source, acquired_by, progress, persona
        )
    except BaseException:
        if not stored.already_present:
            _drop_unregistered(ws, stored)
        raise


def _drop_unregistered(ws: Workspace, stored: Stored) -> None:
    with ws.sessions.begin() as s:
        custody.lock(s)
        if s.get(Blob, stored.digests.sha256) is None:
            with contextlib.suppress(FileNotFoundError):
                stored.path.unlink()


def _already(path: Path, ex: Exhibit, row: IngestRow) -> IngestSummary:
    return IngestSummary(
        file=str(path),
        exhibit_ref=ex.ref,
        already_ingested=True,
        parser=row.parser,
        detection=row.detection,
        tz_assumed=row.tz_assumed,
        tz_source=row.tz_source,
        messages=row.messages,
        participants=row.participants,
        notes=[f"exhibit {ex.ref} was already ingested; nothing changed"],
        first_at=row.first_at,
        last_at=row.last_at,
    )


def _ingest(
    ws: Workspace,
    case_ref: str,
    path: Path,
    stored: Stored,
    choice: Choice,
    options: ParseOptions,
    ex: Exhibit | None,
    source: str | None,
    acquired_by: str | None,
    progress: Callable[[int], None] | None,
    persona: str | None = None,
) -> IngestSummary:
    now = ws.now()
    officer_name = acquired_by or ws.actor
    with ws.transaction() as session:
        user = ws.ensure_user(session)
        case = get_case(session, case_ref)
        if ex is None:
            ex, _, _ = record_in_session(
                ws,
                session,
                case_ref,
                stored,
                mime=guess_mime(_head(path), path.name),
                officer=initials(officer_name),
                original_name=path.name,
                original_path=str(path.resolve()),
                source=source or f"chat evidence ingested from {path.name}",
                acquired_by=officer_name,
                when=now,
                when_text=None,
                tz_assumed=None,
                parent_id=None,
                derived_path=None,
                persona=persona,
            )
        else:
            ex = session.merge(ex)
        summary = IngestSummary(
            file=str(path),
            exhibit_ref=ex.ref,
            already_ingested=False,
            parser=choice.parser.name,
            detection=choice.explanation,
            tz_assumed=str(options.tz),
            tz_source=options.tz_source,
        )
        custody.append(
            session,
            actor=ws.actor,
            action="ingest",
            object_type="exhibit",
            object_id=ex.ref,
            case_ref=case_ref,
            purpose="parse chat evidence into conversations",
            details={"parser": choice.parser.name, "sha256": stored.digests.sha256},
            now=now,
        )
        writer = _Writer(ws, session, case.id, ex, summary, stored)
        with ws.store.open(stored.digests.sha256) as raw:
            stream = io.BufferedReader(_Counting(raw, progress), 1024 * 1024)
            for conv in choice.parser.parse(stream, path.name, options):
                writer.conversation(conv)
        writer.close()
        session.add(
            IngestRow(
                exhibit_id=ex.id,
                case_id=case.id,
                parser=choice.parser.name,
                detection=choice.explanation,
                tz_assumed=str(options.tz),
                tz_source=options.tz_source,
                conversations=len(summary.conversations),
                messages=summary.messages,
                participants=summary.participants,
                skipped=len(summary.skipped),
                first_at=summary.first_at,
                last_at=summary.last_at,
                notes="\n".join(summary.notes),
                tool_version=tool_version(),
                created_at=now,
                created_by_id=user.id,
            )
        )
        custody.append(
            session,
            actor=ws.actor,
            action="derive",
            object_type="conversations",
            object_id=ex.ref,
            case_ref=case_ref,
            details={
                "conversations": len(summary.conversations),
                "messages": summary.messages,
                "skipped": len(summary.skipped),
                "tz_assumed": str(options.tz),
                "derived_exhibits": summary.derived_exhibits,
            },
            now=now,
        )
    return summary


class _Writer:
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
        batch: list[tuple[Any, ...]] = []
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
            if m.source_id is not None:
                seq_of.setdefault(m.source_id, n)
            if m.sent_at is not None:
                first = m.sent_at if first is None or m.sent_at < first else first
                last = m.sent_at if last is None or m.sent_at > last else last
            batch.append(self._message(row.id, n, sender_id, m, seq_of))
            for a in m.attachments:
                atts.append(self._attachment(row.id, n, a))
            if len(batch) >= BATCH:
                self._insert_messages(batch)
                batch.clear()
        if batch:
            self._insert_messages(batch)
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

    def _message(
        self, conv_id: int, seq: int, sender_id: int | None, m: Message, seq_of: dict[str, int]
    ) -> tuple[Any, ...]:
        """One row in MESSAGE_COLUMNS order, with the time already in the stored form."""
        sent: Any = m.sent_at
        if sent is not None:
            naive = sent.astimezone(UTC).replace(tzinfo=None) if sent.tzinfo else sent
            sent = naive.isoformat(" ", "microseconds") if self._sqlite else naive
        return (
            conv_id, seq, sender_id, sent, m.local_time_text, m.tz_assumed, m.text, m.source_id,
            m.reply_to, seq_of.get(m.reply_to) if m.reply_to else None, m.forwarded_from,
            m.is_edited, m.is_deleted, m.is_system, bool(m.attachments), m.source_location,
            m.time_note,
        )  # fmt: skip

    def _insert_messages(self, rows: list[tuple[Any, ...]]) -> None:
        """Bulk insert through the driver's executemany: the hot path for millions of rows."""
        self.session.connection().exec_driver_sql(self._insert_sql, rows)

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
