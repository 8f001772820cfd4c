"""A window of a conversation's messages with their findings, for the viewer and the API.

Fast on very long conversations: messages are read by keyset on ``(conversation_id, seq)``
(the unique index), findings by ``(conversation_id, message_seq)``; nothing counts or scans
the whole conversation except the per-category totals and the chart, which read only findings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from vigil.analysis.engine import default_engine
from vigil.analysis.rules import WEAK_TAGS
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.db.tables.evidence import Exhibit
from vigil.errors import NotFound
from vigil.services.access import Principal, record_view, require_case, require_purpose
from vigil.services.workspace import Workspace

MAX_LIMIT = 500
CHART_BUCKETS = 60


@dataclass(slots=True)
class ParticipantView:
    id: int
    platform_id: str
    display_name: str | None
    role: str


@dataclass(slots=True)
class FindingView:
    id: int
    seq: int
    category: str
    rule_id: str
    span_start: int
    span_end: int
    quote: str
    reason: str
    stage: str
    weight: float
    side: str
    counted: bool


@dataclass(slots=True)
class MessageView:
    seq: int
    sent_at: datetime | None
    local_time_text: str | None
    sender_id: int | None
    sender: str | None
    text: str
    is_system: bool
    is_deleted: bool
    is_edited: bool
    has_attachments: bool
    findings: list[FindingView] = field(default_factory=list)


@dataclass(slots=True)
class CategoryCount:
    category: str
    count: int


@dataclass(slots=True)
class Bucket:
    index: int
    first_seq: int
    last_seq: int
    weight: float
    findings: int


@dataclass(slots=True)
class FindingLink:
    id: int
    seq: int
    category: str


@dataclass(slots=True)
class ConversationHead:
    case_ref: str
    conversation_id: int
    platform: str
    title: str | None
    exhibit_ref: str
    message_count: int
    first_at: datetime | None
    last_at: datetime | None
    analysed: bool
    risk: float | None
    urgency: int | None
    flags: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    taxonomy_version: str | None
    flagged: bool = False
    note: str | None = None
    contributions: list[tuple[str, float]] = field(default_factory=list)
    """What each kind of finding added to the indicator log-odds, largest first."""


@dataclass(slots=True)
class ConversationPage:
    head: ConversationHead
    purpose: str
    participants: list[ParticipantView]
    categories: list[CategoryCount]
    category: str | None
    participant: int | None
    start: int
    limit: int
    messages: list[MessageView]
    prev_start: int | None
    next_start: int | None
    finding_before: FindingLink | None
    finding_after: FindingLink | None
    chart: list[Bucket]


def _conversation(session: Session, case: Case, conv_id: int) -> ConversationRow:
    conv = session.get(ConversationRow, conv_id)
    if conv is None or conv.case_id != case.id:
        raise NotFound(f"no conversation {conv_id} in case {case.ref}")
    return conv


def _head(session: Session, case: Case, conv: ConversationRow) -> ConversationHead:
    a = session.get(AssessmentRow, conv.id)
    ex_ref = session.execute(select(Exhibit.ref).where(Exhibit.id == conv.exhibit_id)).scalar_one()
    return ConversationHead(
        case.ref, conv.id, conv.platform, conv.title, ex_ref, conv.message_count,
        conv.first_at, conv.last_at, a is not None,
        a.risk if a else None, a.urgency if a else None,
        json.loads(a.flags) if a else [], json.loads(a.timeline) if a else [],
        a.taxonomy_version if a else None,
        bool(a.flagged) if a else False, a.score_note if a else None,
        [(default_engine().describe(k), v) for k, v in sorted(
            json.loads(a.contributions or "{}").items(), key=lambda kv: -abs(kv[1]))[:8]]
        if a else [],
    )  # fmt: skip


def _filtered(conv_id: int, category: str | None, participant: int | None) -> Select[Any]:
    stmt = select(MessageRow.seq).where(MessageRow.conversation_id == conv_id)
    if participant is not None:
        stmt = stmt.where(MessageRow.sender_id == participant)
    if category is not None:
        stmt = stmt.where(
            MessageRow.seq.in_(
                select(FindingRow.message_seq).where(
                    FindingRow.conversation_id == conv_id, FindingRow.category == category
                )
            )
        )
    return stmt


def _finding_link(
    session: Session, conv_id: int, category: str | None, seq: int, after: bool
) -> FindingLink | None:
    cond = FindingRow.message_seq > seq if after else FindingRow.message_seq < seq
    stmt = select(FindingRow.id, FindingRow.message_seq, FindingRow.category).where(
        FindingRow.conversation_id == conv_id, cond
    )
    if category is not None:
        stmt = stmt.where(FindingRow.category == category)
    order = (
        (FindingRow.message_seq, FindingRow.span_start)
        if after
        else (FindingRow.message_seq.desc(), FindingRow.span_start.desc())
    )
    row = session.execute(stmt.order_by(*order).limit(1)).first()
    return FindingLink(row[0], row[1], row[2]) if row else None


def _chart(session: Session, conv_id: int, total: int) -> list[Bucket]:
    if total <= 0:
        return []
    n = min(CHART_BUCKETS, total)
    idx = ((FindingRow.message_seq - 1) * n) // total
    rows = session.execute(
        select(idx, func.sum(FindingRow.weight), func.count())
        .where(FindingRow.conversation_id == conv_id, FindingRow.counted.is_(True))
        .group_by(idx)
    ).all()
    got = {int(i): (float(w or 0.0), int(c)) for i, w, c in rows}
    out = []
    for i in range(n):
        first = i * total // n + 1
        last = (i + 1) * total // n
        w, c = got.get(i, (0.0, 0))
        out.append(Bucket(i, first, last, round(w, 3), c))
    return out


MESSAGE_COLUMNS = (
    MessageRow.seq, MessageRow.sent_at, MessageRow.local_time_text, MessageRow.sender_id,
    MessageRow.text, MessageRow.is_system, MessageRow.is_deleted, MessageRow.is_edited,
    MessageRow.has_attachments,
)  # fmt: skip
FINDING_COLUMNS = (
    FindingRow.id, FindingRow.message_seq, FindingRow.category, FindingRow.rule_id,
    FindingRow.span_start, FindingRow.span_end, FindingRow.quote, FindingRow.reason,
    FindingRow.stage, FindingRow.weight, FindingRow.side, FindingRow.counted, FindingRow.tags,
)  # fmt: skip


def conversation_page(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    conv_id: int,
    *,
    start: int = 1,
    limit: int = 100,
    category: str | None = None,
    participant: int | None = None,
) -> ConversationPage:
    """Messages from ``start`` (a seq) on, with findings in place; logs the view and purpose."""
    limit = max(1, min(limit, MAX_LIMIT))
    start = max(1, start)
    now = ws.now()
    with ws.transaction() as session:
        case = require_case(session, user, case_ref, "read")
        conv = _conversation(session, case, conv_id)
        purpose = require_purpose(session, user, case, now)
        head = _head(session, case, conv)
        parts = [
            ParticipantView(p.id, p.platform_id, p.display_name, p.role)
            for p in session.execute(
                select(ParticipantRow)
                .where(ParticipantRow.conversation_id == conv.id)
                .order_by(ParticipantRow.id)
            ).scalars()
        ]
        names = {p.id: p.display_name or p.platform_id for p in parts}
        cats = [
            CategoryCount(c, n)
            for c, n in session.execute(
                select(FindingRow.category, func.count())
                .where(FindingRow.conversation_id == conv.id)
                .group_by(FindingRow.category)
                .order_by(func.count().desc(), FindingRow.category)
            ).all()
        ]
        flt = _filtered(conv.id, category, participant)
        seqs: list[int] = list(
            session.execute(
                flt.where(MessageRow.seq >= start).order_by(MessageRow.seq).limit(limit + 1)
            ).scalars()
        )
        has_more = len(seqs) > limit
        seqs = seqs[:limit]
        before: list[int] = list(
            session.execute(
                flt.where(MessageRow.seq < start).order_by(MessageRow.seq.desc()).limit(limit)
            ).scalars()
        )
        messages: list[MessageView] = []
        if seqs:
            lo, hi = seqs[0], seqs[-1]
            which = (
                MessageRow.seq.in_(seqs)
                if category is not None or participant is not None
                else and_(MessageRow.seq >= lo, MessageRow.seq <= hi)
            )
            by_seq: dict[int, MessageView] = {}
            for row in session.execute(
                select(*MESSAGE_COLUMNS)
                .where(MessageRow.conversation_id == conv.id, which)
                .order_by(MessageRow.seq)
            ):
                seq, sent, local, sender, text, system, deleted, edited, attached = row
                mv = MessageView(seq, sent, local, sender, names.get(sender) if sender else None,
                                 text or "", bool(system), bool(deleted), bool(edited),
                                 bool(attached))  # fmt: skip
                by_seq[mv.seq] = mv
                messages.append(mv)
            for (
                fid,
                fseq,
                cat,
                rule,
                a,
                b,
                quote,
                why,
                stage,
                weight,
                side,
                counted,
                tags,
            ) in session.execute(
                select(*FINDING_COLUMNS)
                .where(
                    FindingRow.conversation_id == conv.id,
                    FindingRow.message_seq >= lo,
                    FindingRow.message_seq <= hi,
                )
                .order_by(FindingRow.message_seq, FindingRow.span_start, FindingRow.id)
            ):
                if set(tags.split(",")) <= WEAK_TAGS:
                    continue  # weak context cues are listed by `explain`, not marked in text
                if fseq in by_seq:
                    by_seq[fseq].findings.append(
                        FindingView(
                            fid, fseq, cat, rule, a, b, quote, why, stage, weight, side, counted
                        )
                    )
        anchor_lo = seqs[0] if seqs else start
        anchor_hi = seqs[-1] if seqs else start - 1
        page = ConversationPage(
            head=head,
            purpose=purpose,
            participants=parts,
            categories=cats,
            category=category,
            participant=participant,
            start=start,
            limit=limit,
            messages=messages,
            prev_start=before[-1] if before else None,
            next_start=seqs[-1] + 1 if has_more else None,
            finding_before=_finding_link(session, conv.id, category, anchor_lo, after=False),
            finding_after=_finding_link(session, conv.id, category, anchor_hi, after=True),
            chart=_chart(session, conv.id, conv.message_count),
        )
        record_view(
            session, user, case.ref, object_type="conversation", object_id=str(conv.id),
            purpose=purpose, now=now,
            details={"messages": len(messages), "from_seq": seqs[0] if seqs else None,
                     "to_seq": seqs[-1] if seqs else None, "category": category,
                     "participant": participant},
        )  # fmt: skip
    return page


CSV_COLUMNS = (
    "seq", "sent_at_utc", "local_time_text", "sender", "text", "is_system", "is_deleted",
    "is_edited", "has_attachments", "finding_categories", "finding_rules", "finding_reasons",
)  # fmt: skip


def export_csv(ws: Workspace, user: Principal, case_ref: str, conv_id: int) -> Iterator[str]:
    """The whole conversation as CSV, with its findings per message; the export is logged first."""
    now = ws.now()
    with ws.transaction() as session:
        case = require_case(session, user, case_ref, "read")
        conv = _conversation(session, case, conv_id)
        purpose = require_purpose(session, user, case, now)
        record_view(
            session, user, case.ref, object_type="conversation", object_id=str(conv.id),
            purpose=purpose, now=now, action="export",
            details={"format": "csv", "messages": conv.message_count},
        )  # fmt: skip
    return _csv_rows(ws, conv_id)


def _csv_rows(ws: Workspace, conv_id: int, batch: int = 2000) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    after = 0
    with ws.sessions() as session:
        names = {
            p.id: p.display_name or p.platform_id
            for p in session.execute(
                select(ParticipantRow).where(ParticipantRow.conversation_id == conv_id)
            ).scalars()
        }
        while True:
            msgs = list(
                session.execute(
                    select(MessageRow)
                    .where(MessageRow.conversation_id == conv_id, MessageRow.seq > after)
                    .order_by(MessageRow.seq)
                    .limit(batch)
                ).scalars()
            )
            if not msgs:
                return
            lo, hi = msgs[0].seq, msgs[-1].seq
            found: dict[int, list[FindingRow]] = {}
            for f in session.execute(
                select(FindingRow).where(
                    FindingRow.conversation_id == conv_id,
                    FindingRow.message_seq >= lo,
                    FindingRow.message_seq <= hi,
                )
            ).scalars():
                found.setdefault(f.message_seq, []).append(f)
            buf.seek(0)
            buf.truncate()
            for m in msgs:
                fs = found.get(m.seq, [])
                w.writerow([
                    m.seq, m.sent_at.isoformat() if m.sent_at else "", m.local_time_text or "",
                    names.get(m.sender_id, "") if m.sender_id else "", _csv_safe(m.text or ""),
                    int(m.is_system), int(m.is_deleted), int(m.is_edited), int(m.has_attachments),
                    "; ".join(f.category for f in fs), "; ".join(f.rule_id for f in fs),
                    " | ".join(f.reason for f in fs),
                ])  # fmt: skip
            yield buf.getvalue()
            after = hi


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas in exported text (a cell starting = + - @ is quoted)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
