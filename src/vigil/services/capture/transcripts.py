"""The OCR transcript lines read from a session's screenshots, for the capture-session page
(:mod:`vigil.services.capture.pages`): each line's text cut into plain and low-confidence
pieces, who sent it and when as read, and where its bubble is in the screenshot.

Reads :class:`~vigil.db.tables.ocr.OcrTranscript` and :class:`~vigil.db.tables.ocr.OcrMessage`
(the storage contract of the screenshot transcription) with the transcript conversation's
messages. No access checks or custody entries here: the page's service does both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.capture import Capture
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import MessageRow, ParticipantRow
from vigil.db.tables.ocr import OcrMessage, OcrTranscript
from vigil.services import links


def crop_url(case_ref: str, session_ref: str, seq: int, line_id: int) -> str:
    """The address of one transcript line's bubble crop (``.../capture/CS1/{seq}/crop/{id}``)."""
    short = session_ref.rsplit("/", 1)[-1]
    return f"{links.case(case_ref)}/capture/{short}/{int(seq)}/crop/{int(line_id)}"


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a transcript line's text; ``low`` when OCR read it below the threshold."""

    text: str
    low: bool
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    """One message OCR read from a screenshot: its text (low-confidence words marked), who
    sent it as read, where its bubble is (pixels of the screenshot) and the crop's URL."""

    line_id: int
    message_seq: int
    sender: str | None
    sent_at: datetime | None
    text: str | None
    segments: list[Segment]
    confidence: float
    left: int
    top: int
    width: int
    height: int
    crop_url: str
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class TranscriptView:
    """One OCR run over the screenshot: its engine and layout, and the lines from this image."""

    transcript_id: int
    conversation_id: int
    conversation_url: str
    layout: str
    theme: str
    engine: str
    language: str
    screenshot_count: int
    created_at: datetime
    notes: str | None
    lines: list[TranscriptLine]


def segments(text: str, spans_json: str | None) -> tuple[list[Segment], str | None]:
    """``text`` cut into plain and low-confidence pieces by the stored spans (JSON list of
    ``{"start", "end", "conf"}``, character offsets). Spans are clipped to the text, sorted,
    and an overlap is cut at the previous span's end. Stored spans that cannot be read leave
    the text whole, with the problem named (shown beside the line, never hidden)."""
    try:
        raw = json.loads(spans_json or "[]")
        if not isinstance(raw, list):
            raise ValueError("not a list")
        spans = sorted(
            (int(s["start"]), int(s["end"]), None if s.get("conf") is None else float(s["conf"]))
            for s in raw
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return [Segment(text, False)], f"low-confidence spans unreadable ({exc})"
    out: list[Segment] = []
    at = 0
    for start, end, conf in spans:
        start, end = max(start, at, 0), min(end, len(text))
        if end <= start:
            continue
        if start > at:
            out.append(Segment(text[at:start], False))
        out.append(Segment(text[start:end], True, conf))
        at = end
    if at < len(text) or not out:
        out.append(Segment(text[at:], False))
    return out, None


def transcripts_of(
    session: Session, case_: Case, cs_ref: str, caps: list[Capture]
) -> dict[int, list[TranscriptView]]:
    """For each capture, the OCR transcripts that read its screenshot, lines in bubble order."""
    by_exhibit: dict[int, list[Capture]] = {}
    for c in caps:
        by_exhibit.setdefault(c.exhibit_id, []).append(c)
    rows = session.execute(
        select(OcrMessage, OcrTranscript, MessageRow, ParticipantRow)
        .join(OcrTranscript, OcrTranscript.id == OcrMessage.transcript_id)
        .outerjoin(
            MessageRow,
            (MessageRow.conversation_id == OcrTranscript.conversation_id)
            & (MessageRow.seq == OcrMessage.message_seq),
        )
        .outerjoin(ParticipantRow, ParticipantRow.id == MessageRow.sender_id)
        .where(
            OcrTranscript.case_id == case_.id,
            OcrMessage.screenshot_exhibit_id.in_(sorted(by_exhibit)),
        )
        .order_by(OcrTranscript.id, OcrMessage.message_seq)
    ).all()
    grouped: dict[tuple[int, int], tuple[OcrTranscript, list[TranscriptLine]]] = {}
    for om, tr, msg, who in rows:
        for c in by_exhibit[om.screenshot_exhibit_id]:
            text = msg.text if msg is not None else None
            segs, problem = segments(text, om.low_confidence) if text is not None else ([], None)
            if msg is None:
                problem = f"message {om.message_seq} is not in conversation {tr.conversation_id}"
            line = TranscriptLine(
                om.id, om.message_seq,
                (who.display_name or who.platform_id) if who is not None else None,
                msg.sent_at if msg is not None else None, text, segs, float(om.confidence),
                om.left, om.top, om.width, om.height,
                crop_url(case_.ref, cs_ref, c.seq, om.id), problem,
            )  # fmt: skip
            grouped.setdefault((c.id, tr.id), (tr, []))[1].append(line)
    out: dict[int, list[TranscriptView]] = {c.id: [] for c in caps}
    for (cap_id, _), (tr, lines) in grouped.items():
        out[cap_id].append(
            TranscriptView(
                tr.id, tr.conversation_id, links.conversation(case_.ref, tr.conversation_id),
                tr.layout, tr.theme, tr.engine, tr.language, tr.screenshot_count,
                tr.created_at, tr.notes, lines,
            )
        )  # fmt: skip
    return out
