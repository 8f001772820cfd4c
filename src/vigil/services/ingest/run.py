"""Ingesting chat evidence: register the file, parse it as a stream, store it in one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import select

from vigil import tool_version
from vigil.db.tables.conversations import Ingest
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.evidence.mime import guess_mime
from vigil.evidence.refs import initials
from vigil.evidence.store import Stored
from vigil.ingest.base import HEAD_BYTES, Limits, ParseOptions
from vigil.ingest.detect import Choice, detect
from vigil.ingest.encodings import utf8_head, wide_encoding
from vigil.ingest.formats._sqlite_source import check_original
from vigil.plugins import parsers
from vigil.services import access, audit
from vigil.services.cases import check_tz, get_case
from vigil.services.casework.cover import check_messages
from vigil.services.evidence.exhibits import check_persona, record_in_session
from vigil.services.ingest.pipe import Worker, maybe_start
from vigil.services.ingest.rows import parse_into
from vigil.services.ingest.store import ConversationSummary, ConversationWriter, IngestSummary
from vigil.services.workspace import Workspace

__all__ = ["ConversationSummary", "IngestSummary", "ingest_file"]


SQLITE_HEADER = b"SQLite format 3\x00"


def _sha256_of(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(4 * 1024 * 1024):
            h.update(block)
    return h.hexdigest()


def _existing(ws: Workspace, case_ref: str, sha: str) -> tuple[Exhibit | None, Ingest | None]:
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        ex = s.execute(
            select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.blob_sha256 == sha)
        ).scalar_one_or_none()
        row = None
        if ex is not None:
            row = s.execute(select(Ingest).where(Ingest.exhibit_id == ex.id)).scalar_one_or_none()
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
    pipeline: bool | None = None,
) -> IngestSummary:
    """Register ``path`` as an exhibit of ``case_ref`` and store the conversations in it.

    Everything (exhibit, derived exhibits, conversations, custody entries) is written in one
    transaction; on any failure nothing is kept. Ingesting the same bytes again changes nothing.

    Large files are parsed in a worker process while this one writes (see
    :mod:`vigil.services.ingest.pipe`); ``pipeline`` forces that on (True) or off (False)
    whatever the size. The stored result is the same either way.
    """
    if not path.is_file():
        raise UserError(f"{path}: no such file", hint="check the path")
    worker = maybe_start(path.stat().st_size, pipeline)
    try:
        return _ingest_file(
            ws, case_ref, path, fmt, tz, source, acquired_by, mapping, progress, persona, worker
        )
    finally:
        if worker is not None:
            worker.close()


def _ingest_file(
    ws: Workspace,
    case_ref: str,
    path: Path,
    fmt: str,
    tz: str | None,
    source: str | None,
    acquired_by: str | None,
    mapping: Mapping[str, str] | None,
    progress: Callable[[int], None] | None,
    persona: str | None,
    worker: Worker | None,
) -> IngestSummary:
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        case_tz = case.default_tz
    zone_name, tz_source = (tz, "--tz") if tz else (case_tz, f"case {case_ref} default")
    zone = check_tz(zone_name)
    if persona is not None:  # an unknown persona is refused; cover is checked per message
        with ws.sessions() as s:
            check_persona(s, persona)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    # a database another program is writing (or left half-changed) is refused before its bytes
    # are read; a -wal file beside it is noted (see formats/_sqlite_source.check_original)
    early = check_original(path) if head.startswith(SQLITE_HEADER) else []
    ex, done = _existing(ws, case_ref, _sha256_of(path))
    if ex is not None and done is not None:
        return _already(path, ex, done)
    codec = wide_encoding(head)  # UTF-16/32: parsers bid on (and later read) it as UTF-8
    choice = detect(head if codec is None else utf8_head(head, codec), path.name, parsers(), fmt)
    mime = guess_mime(head, path.name)
    options = ParseOptions(
        tz=zone,
        tz_source=tz_source,
        mapping=dict(mapping or {}),
        limits=Limits.from_settings(ws.settings),
    )
    with path.open("rb") as fh:
        stored = ws.store.put_stream(fh, ws.settings.hash_chunk_bytes)
    try:
        return _ingest(
            ws,
            case_ref,
            path,
            stored,
            choice,
            options,
            ex,
            source,
            acquired_by,
            progress,
            persona,
            mime,
            worker,
            early,
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


def _already(path: Path, ex: Exhibit, row: Ingest) -> IngestSummary:
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
    persona: str | None,
    mime: str,
    worker: Worker | None,
    early_notes: list[str] | None = None,
) -> IngestSummary:
    now = ws.now()
    officer_name = acquired_by or ws.actor
    with ws.transaction() as session:
        user = ws.ensure_user(session)
        case = get_case(session, case_ref)
        access.require_act(session, ws, "write", case_ref)
        if ex is None:
            ex, _, _ = record_in_session(
                ws,
                session,
                case_ref,
                stored,
                mime=mime,
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
            notes=list(early_notes or []),
        )
        audit.record(
            session,
            ws.actor,
            "ingest",
            audit.Subject("exhibit", ex.ref, case_ref),
            purpose="parse chat evidence into conversations",
            details={"parser": choice.parser.name, "sha256": stored.digests.sha256},
            now=now,
        )
        writer = ConversationWriter(ws, session, case.id, ex, summary, stored, choice.parser, path)
        blob = ws.store.path_for(stored.digests.sha256)
        parse = (choice.parser, blob, path.name, options, writer, writer.sqlite, progress)
        if worker is None or not worker.run(*parse):
            parse_into(*parse)
        writer.close()
        if persona is not None:
            check = check_messages(ws, session, case_ref, ex, persona)
            summary.uncovered = check.uncovered
            note = check.note(case_ref)
            if note:
                summary.notes.append(note)
        session.add(
            Ingest(
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
        audit.record(
            session,
            ws.actor,
            "derive",
            audit.Subject("conversations", ex.ref, case_ref),
            details={
                "conversations": len(summary.conversations),
                "messages": summary.messages,
                "skipped": len(summary.skipped),
                "tz_assumed": str(options.tz),
                "derived_exhibits": summary.derived_exhibits,
                "digests": writer.digests,
            },
            now=now,
        )
    return summary
