"""The web's redaction editor for one conversation: a window of messages with the standing
span redactions marked in place, the redactions touching the conversation, and the redacted
transcript as a PDF preview.

Only a member whose role may ``disclose`` opens it, with a stated purpose; the view is logged
like any other view of messages, and the preview like any transcript (an export entry).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from vigil.db.tables.conversations import MessageRow, ParticipantRow
from vigil.errors import UserError
from vigil.redaction.reasons import REASONS
from vigil.redaction.spans import Span, merge
from vigil.services.access import record_view, require_act, require_purpose
from vigil.services.conversation_csv import local_time_text, zone_of
from vigil.services.conversations import conversation_in_case
from vigil.services.redaction.records import RedactionInfo, case_of, list_redactions
from vigil.services.redaction.text import AUDIENCES, redactor
from vigil.services.workspace import Workspace

MAX_LIMIT = 200
PREVIEWS = (*AUDIENCES, "unredacted")


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of a message's text: redacted (for the defence) for the listed reasons by the
    listed redactions (none: persona identities, applied automatically), or not."""

    text: str
    rids: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EditorMessage:
    seq: int
    time: str
    sender: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class EditorPage:
    case_ref: str
    conversation_id: int
    platform: str
    title: str | None
    purpose: str
    messages: list[EditorMessage]
    redactions: list[RedactionInfo]
    reasons: dict[str, str]
    previews: tuple[str, ...]
    start: int
    prev_start: int | None
    next_start: int | None


def _pieces(text: str, spans: list[Span]) -> tuple[Piece, ...]:
    merged = merge(spans)
    out: list[Piece] = []
    at = 0
    for m in merged:
        if m.start > at:
            out.append(Piece(text[at : m.start]))
        out.append(Piece(text[m.start : m.end], m.rids, m.reasons))
        at = m.end
    if at < len(text) or not out:
        out.append(Piece(text[at:]))
    return tuple(out)


def editor_page(
    ws: Workspace, case_ref: str, conv_id: int, *, start: int = 1, limit: int = 100
) -> EditorPage:
    """Messages from ``start`` on with every redaction that applies to them marked (spans,
    phrases, and persona identities as for the defence); the view is logged."""
    limit = max(1, min(limit, MAX_LIMIT))
    start = max(1, start)
    now = ws.now()
    with ws.transaction() as s:
        user = require_act(s, ws, "disclose", case_ref)
        case = case_of(s, case_ref)
        conv = conversation_in_case(s, case, conv_id)
        purpose = require_purpose(s, user, case, now)
        zone = zone_of(case.default_tz)
        names = {
            p.id: p.display_name or p.platform_id
            for p in s.execute(
                select(ParticipantRow).where(ParticipantRow.conversation_id == conv.id)
            ).scalars()
        }
        rows = list(
            s.execute(
                select(MessageRow)
                .where(MessageRow.conversation_id == conv.id, MessageRow.seq >= start)
                .order_by(MessageRow.seq)
                .limit(limit + 1)
            ).scalars()
        )
        more = len(rows) > limit
        rows = rows[:limit]
        red = redactor(s, case.id, case.ref, "defence")  # all of them, personas included
        messages = [
            EditorMessage(m.seq, local_time_text(m.sent_at, zone),
                          names.get(m.sender_id, "") if m.sender_id else "",
                          _pieces(m.text or "", red.spans.get((conv.id, m.seq), [])
                                  + red.found(m.text or "", conv.id)))
            for m in rows
        ]  # fmt: skip
        record_view(
            s, user, case.ref, object_type="conversation", object_id=str(conv.id),
            purpose=purpose, now=now,
            details={"view": "redaction editor", "from": start, "messages": len(messages)},
        )  # fmt: skip
        platform, title = conv.platform, conv.title
    prev_start = max(1, start - limit) if start > 1 else None
    next_start = rows[-1].seq + 1 if more and rows else None
    return EditorPage(
        case_ref, conv_id, platform, title, purpose, messages,
        list_redactions(ws, case_ref, conv_id=conv_id),
        {c: label for c, (label, _) in REASONS.items()}, PREVIEWS, start, prev_start, next_start,
    )  # fmt: skip


def preview_pdf(ws: Workspace, case_ref: str, conv_id: int, audience: str) -> bytes:
    """The conversation's transcript as PDF, redacted for ``audience`` (or ``unredacted``),
    with the purpose stated for this sign-in; logged as a transcript export."""
    from vigil.services.transcript import Selection, build, render

    if audience not in PREVIEWS:
        raise UserError(f"unknown audience {audience!r}", hint=", ".join(PREVIEWS))
    with ws.sessions() as s:
        user = require_act(s, ws, "disclose", case_ref)
        purpose = require_purpose(s, user, case_of(s, case_ref), ws.now())
    label = f"{case_ref} conversation {conv_id} (preview, " + (
        "unredacted)" if audience == "unredacted" else f"redacted for the {audience})"
    )
    t = build(ws, case_ref, conv_id, label, Selection(), purpose,
              None if audience == "unredacted" else audience)  # fmt: skip
    return render(t, "pdf")


def bundle_bytes(ws: Workspace, case_ref: str, audience: str) -> tuple[str, bytes]:
    """The redacted bundle for ``audience`` as bytes (for a download), with the purpose stated
    for this sign-in: (file name, zip)."""
    from vigil.services.redaction.bundle import export_redacted

    with ws.sessions() as s:
        user = require_act(s, ws, "disclose", case_ref)
        purpose = require_purpose(s, user, case_of(s, case_ref), ws.now())
    name = f"{case_ref}-redacted-{audience}.zip".replace("/", "-")
    with tempfile.TemporaryDirectory(prefix="vigil-redacted-") as tmp:
        out = Path(tmp) / name
        export_redacted(ws, case_ref, out, purpose, audience)
        return name, out.read_bytes()
