"""``vigil capture transcribe``: handset screenshots read by OCR into a transcript
conversation (docs/capture.md, "OCR: screenshots to transcript").

The screenshots are exhibits already (``vigil capture import``). The OCR result is kept as a
derived exhibit (JSON, its parent the first screenshot), and the conversation made from it is
stored through the ingest writer, exactly as an ingested conversation is, so triage, search
and review treat it like any other. Each message's place on its screenshot (box, confidence,
low-confidence words) goes to ``ocr_messages``. One custody entry for the derived exhibit, one
for the conversation. The transcript is a lead for a trained person to check against the
screenshots, never a verdict.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.capture import Capture, CaptureSession
from vigil.db.tables.cases import Case, Persona
from vigil.db.tables.conversations import ConversationRow, Ingest
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.ocr import OcrMessage, OcrTranscript
from vigil.errors import NotFound, UserError
from vigil.evidence import custody
from vigil.model import Conversation, Message, Participant, ParticipantRole
from vigil.ocr.engine import Engine
from vigil.ocr.image import Img
from vigil.ocr.layouts import THEMES, layout
from vigil.ocr.pipeline import Result, result_json, transcribe
from vigil.services import access, audit
from vigil.services.capture.sessions import get_session
from vigil.services.cases import check_tz, get_case
from vigil.services.evidence.exhibits import record_in_session
from vigil.services.ingest.rows import RowBuilder
from vigil.services.ingest.store import ConversationWriter, IngestSummary
from vigil.services.workspace import Workspace

MAX_PIXELS = 40_000_000
"""A screenshot larger than this is refused (a phone screen is about 2.6 million)."""


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    layout: str
    theme: str = "auto"
    left: str | None = None
    """The other party's name (default: the name a header shows, or ``other party``)."""
    right: str | None = None
    """The phone owner's (persona's) name (default: the capture session's persona)."""
    day: date | None = None
    """The reference day for Today/Yesterday (default: the screenshot's claimed time)."""
    tz: str | None = None
    """The zone the screen's clock showed (default: the claimed time's, else the workspace's)."""


@dataclass(slots=True)
class TranscriptInfo:
    case_ref: str
    exhibit_ref: str
    """The derived exhibit holding the OCR result (JSON)."""
    conversation_id: int
    transcript_id: int
    layout: str
    theme: str
    engine: str
    screenshots: list[str]
    messages: int
    repeated: int
    low_confidence: int
    first_at: datetime | None
    last_at: datetime | None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Shot:
    ref: str
    exhibit_id: int
    initials: str
    image: Img
    claimed_at: datetime | None
    claimed_tz: str | None
    persona: str | None


def _load(ws: Workspace, s: Session, ex: Exhibit) -> Img:
    from PIL import Image, UnidentifiedImageError

    if not ex.mime_type.startswith("image/"):
        raise UserError(
            f"exhibit {ex.ref} ({ex.original_name}) is {ex.mime_type}, not an image",
            hint="transcribe screenshots imported with `vigil capture import`",
        )
    try:
        with Image.open(ws.store.path_for(ex.blob_sha256)) as im:
            if im.width * im.height > MAX_PIXELS:
                raise UserError(
                    f"exhibit {ex.ref} ({ex.original_name}) is {im.width} x {im.height} pixels, "
                    f"more than {MAX_PIXELS:,}",
                    hint="transcribe phone screenshots",
                )
            return np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise UserError(
            f"exhibit {ex.ref} ({ex.original_name}) could not be read as an image: {exc}",
        ) from exc


def _gather(ws: Workspace, refs: list[str], case_ref: str | None) -> tuple[str, list[_Shot]]:
    if not refs:
        raise UserError("no screenshots named", hint="vigil capture transcribe EXHIBIT...")
    if len(set(refs)) != len(refs):
        raise UserError("an exhibit is named twice", hint="name each screenshot once, in order")
    with ws.sessions() as s:
        if case_ref is None:
            case_ref = _case_ref(s, get_session(s, ws, None, "write").case_id)
        access.require_act(s, ws, "write", case_ref)
        case = get_case(s, case_ref)
        shots: list[_Shot] = []
        for ref in refs:
            ex = _exhibit(s, case, ref)
            cap = s.execute(
                select(Capture).where(Capture.exhibit_id == ex.id).order_by(Capture.id).limit(1)
            ).scalar_one_or_none()
            persona = None
            if cap is not None:
                sess = s.get(CaptureSession, cap.session_id)
                p = s.get(Persona, sess.persona_id) if sess is not None else None
                persona = p.name_used if p is not None else None
            shots.append(_Shot(ex.ref, ex.id, ex.initials, _load(ws, s, ex),
                               cap.claimed_at if cap else None,
                               cap.claimed_tz if cap else None, persona))  # fmt: skip
        return case_ref, shots


def _case_ref(s: Session, case_id: int) -> str:
    case = s.get(Case, case_id)
    assert case is not None
    return case.ref


def _exhibit(s: Session, case: Case, ref: str) -> Exhibit:
    ex = s.execute(
        select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.ref == ref)
    ).scalar_one_or_none()
    if ex is None:
        raise NotFound(
            f"no exhibit {ref!r} in case {case.ref!r}",
            hint=f"see `vigil evidence list --case {case.ref}`",
        )
    return ex


def _reference(ws: Workspace, shots: list[_Shot], opts: TranscribeOptions) -> tuple[
    date | None, ZoneInfo, str
]:  # fmt: skip
    """The reference day, the screen clock's zone, and a note saying where both came from."""
    claimed = next((sh for sh in shots if sh.claimed_at is not None), None)
    tz_name = opts.tz or (claimed.claimed_tz if claimed else None) or ws.settings.default_timezone
    zone = check_tz(tz_name)
    src = "--tz" if opts.tz else ("the claimed time's zone" if claimed and claimed.claimed_tz
                                  else "the workspace's default zone")  # fmt: skip
    if opts.day is not None:
        return (
            opts.day,
            zone,
            f"reference day {opts.day} (given); clock times taken as {tz_name} ({src})",
        )
    if claimed is not None and claimed.claimed_at is not None:
        day = claimed.claimed_at.astimezone(zone).date()
        return (
            day,
            zone,
            (
                f"reference day {day} from the claimed time (EXIF) of {claimed.ref}; clock times "
                f"taken as {tz_name} ({src})"
            ),
        )
    return (
        None,
        zone,
        f"no reference day (no claimed time, no --date); clock times taken as {tz_name}",
    )


def transcribe_exhibits(
    ws: Workspace,
    refs: list[str],
    opts: TranscribeOptions,
    *,
    case_ref: str | None = None,
    engine: Engine | None = None,
) -> TranscriptInfo:
    """Read the screenshot exhibits ``refs`` (in scrolling order) into one stored transcript
    conversation. ``case_ref`` defaults to the case of the acting officer's newest capture
    session. Nothing is stored when nothing is read (UserError)."""
    lay = layout(opts.layout)
    if opts.theme not in ("auto", *THEMES):
        raise UserError(f"unknown theme {opts.theme!r}", hint="light, dark or auto")
    case_ref, shots = _gather(ws, refs, case_ref)
    ref_day, zone, time_note = _reference(ws, shots, opts)
    right = (opts.right or shots[0].persona or "persona").strip()
    own = engine
    if own is None:
        from vigil.ocr.tesseract import Tesseract

        own = Tesseract()
    try:
        res = transcribe([sh.image for sh in shots], lay, own, left=opts.left, right=right,
                         ref_day=ref_day, zone=zone, theme=opts.theme)  # fmt: skip
    finally:
        if engine is None:
            own.close()  # type: ignore[attr-defined]
    if not res.lines:
        raise UserError(
            f"no messages read on {', '.join(refs)} with the {lay.name} layout",
            hint="check --layout; screenshots need a plain chat background",
        )
    res.notes.insert(0, time_note)
    return _store(ws, case_ref, shots, res, own.name, own.language, zone)


def _conversation(res: Result, shots: list[_Shot], zone: ZoneInfo) -> Conversation:
    people: dict[str, Participant] = {}
    msgs: list[Message] = []
    for ln in res.lines:
        pid = "right" if ln.side == "right" else f"left:{ln.sender}"
        if pid not in people:
            role = (
                ParticipantRole.OFFICER_PERSONA if ln.side == "right" else ParticipantRole.UNKNOWN
            )
            people[pid] = Participant(pid, ln.sender, role)
        x, y, w, h = ln.item.box
        msgs.append(Message(
            sender=pid, text=ln.text,
            sent_at=ln.sent_at.astimezone(UTC) if ln.sent_at else None,
            source_location=f"{shots[ln.item.screen].ref} box {x},{y},{w},{h}",
            local_time_text=ln.time_text, tz_assumed=str(zone), time_note=ln.time_note,
        ))  # fmt: skip
    title = next((p.display_name for p in people.values() if p.platform_id != "right"), None)
    return Conversation(
        platform=res.layout.name, title=title, participants=list(people.values()),
        messages=msgs, notes=list(res.notes), source_id=None,
    )  # fmt: skip


def _safe(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ref).strip("-") or "screenshot"


def _store(
    ws: Workspace, case_ref: str, shots: list[_Shot], res: Result, engine: str, language: str,
    zone: ZoneInfo,
) -> TranscriptInfo:  # fmt: skip
    refs = [sh.ref for sh in shots]
    body = json.dumps(result_json(res, refs, engine, language), ensure_ascii=False, indent=1)
    stored = ws.store.put_stream(io.BytesIO(body.encode("utf-8")))
    now = ws.now()
    with ws.transaction() as s:
        custody.lock(s)
        user = access.require_act(s, ws, "write", case_ref)
        case = get_case(s, case_ref)
        first = shots[0]
        ex, _, _ = record_in_session(
            ws, s, case_ref, stored, mime="application/json", officer=first.initials,
            original_name=f"ocr-transcript-{_safe(first.ref)}.json", original_path=None,
            source=f"OCR transcript of screenshot exhibit(s) {', '.join(refs)} ({engine})",
            acquired_by=ws.actor, when=now, when_text=None, tz_assumed=None,
            parent_id=first.exhibit_id, derived_path=None,
        )  # fmt: skip
        if s.execute(select(ConversationRow.id).where(ConversationRow.exhibit_id == ex.id)).first():
            raise UserError(
                f"these screenshots were transcribed the same way already (exhibit {ex.ref})",
                hint=f"see `vigil evidence show {ex.ref} --case {case_ref}`",
            )
        summary = IngestSummary(
            file=ex.original_name, exhibit_ref=ex.ref, already_ingested=False,
            parser=f"ocr-{res.layout.name}", detection=f"--layout {res.layout.name}",
            tz_assumed=str(zone), tz_source="capture transcribe",
        )  # fmt: skip
        writer = ConversationWriter(ws, s, case.id, ex, summary, stored)
        RowBuilder(writer, writer.sqlite).conversation(_conversation(res, shots, zone))
        writer.close()
        conv_id = s.execute(
            select(ConversationRow.id).where(ConversationRow.exhibit_id == ex.id)
        ).scalar_one()
        s.add(Ingest(
            exhibit_id=ex.id, case_id=case.id, parser=summary.parser, detection=summary.detection,
            tz_assumed=str(zone), tz_source=summary.tz_source, conversations=1,
            messages=summary.messages, participants=summary.participants, skipped=0,
            first_at=summary.first_at, last_at=summary.last_at, notes="\n".join(res.notes),
            tool_version=tool_version(), created_at=now, created_by_id=user.user_id,
        ))  # fmt: skip
        tr = OcrTranscript(
            case_id=case.id, conversation_id=conv_id, layout=res.layout.name, theme=res.theme,
            engine=engine[:128], language=language, screenshot_count=len(shots),
            notes="\n".join(res.notes), created_at=now, created_by_id=user.user_id,
        )  # fmt: skip
        s.add(tr)
        s.flush()
        s.add_all(
            OcrMessage(
                transcript_id=tr.id,
                message_seq=ln.seq,
                screenshot_exhibit_id=shots[ln.item.screen].exhibit_id,
                left=ln.item.box[0],
                top=ln.item.box[1],
                width=ln.item.box[2],
                height=ln.item.box[3],
                confidence=ln.item.conf,
                low_confidence=json.dumps(
                    [{"start": a, "end": b, "conf": c} for a, b, c in ln.item.low]
                ),
            )
            for ln in res.lines
        )
        low = sum(1 for ln in res.lines if ln.item.low)
        details: dict[str, Any] = {
            "screenshots": refs, "layout": res.layout.name, "theme": res.theme,
            "engine": engine, "messages": summary.messages, "repeated": res.repeated,
            "low_confidence_messages": low, "tz_assumed": str(zone),
            "digests": writer.digests,
        }  # fmt: skip
        audit.record(s, ws.actor, "derive", audit.Subject("conversations", ex.ref, case_ref),
                     purpose="read chat screenshots into a transcript (OCR)", details=details,
                     now=now)  # fmt: skip
        return TranscriptInfo(
            case_ref, ex.ref, conv_id, tr.id, res.layout.name, res.theme, engine, refs,
            summary.messages, res.repeated, low, summary.first_at, summary.last_at,
            list(res.notes),
        )  # fmt: skip
