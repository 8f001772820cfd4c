"""A window of a conversation's messages with their findings, for the viewer and the API.

Fast on very long conversations: messages are read by keyset on ``(conversation_id, seq)``
(the unique index), findings by ``(conversation_id, message_seq)``; nothing counts or scans
the whole conversation except the per-category totals and the chart, which read only findings.

Officers read category labels and pattern descriptions (:mod:`vigil.analysis.wording`), with
findings on overlapping words of a message merged into one line; rule ids stay in the JSON and
in a muted technical detail. The CSV export is :mod:`vigil.services.conversation_csv`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from vigil.analysis.engine import default_engine
from vigil.analysis.rules import WEAK_TAGS
from vigil.analysis.wording import (
    default_wording,
    group_by_span,
    joined_quote,
    uncounted_note,
    unique,
)
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.db.tables.evidence import Exhibit
from vigil.errors import NotFound
from vigil.services.access import Principal, record_view, require_case, require_purpose
from vigil.services.review.read import HISTORY_SHOWN, ConversationReview, review_of
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
    label: str = ""
    """The category's label for people ("Meeting and travel")."""
    description: str = ""
    """What the pattern looks for, in plain words."""


@dataclass(slots=True)
class FindingLine:
    """Findings on the same or overlapping words of one message, shown once: the quote, the
    labels and descriptions of every pattern that matched (technical ids kept apart)."""

    id: int
    """The id of the finding that starts first; its anchor ``f-<id>`` is where the words begin."""
    seq: int
    span_start: int
    span_end: int
    quote: str
    labels: list[str]
    descriptions: list[str]
    counted: bool
    """Whether any of the findings counts towards the score."""
    note: str | None
    """Why the line is not counted (None when it is)."""
    weight: float
    """What the findings added together (fitted weights, log-odds)."""
    finding_ids: list[int]
    rule_ids: list[str]
    stages: list[str]


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
    """Every finding, one per pattern match (the API's technical view)."""
    lines: list[FindingLine] = field(default_factory=list)
    """The findings as officers read them: overlapping matches merged into one line."""


@dataclass(slots=True)
class CategoryCount:
    category: str
    count: int
    label: str = ""
    """The category's label for people."""


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
    outside_cover: int = 0
    """Messages captured under a persona outside its authorisations at the time
    (:mod:`vigil.services.casework.cover`)."""


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
    review: ConversationReview | None = None
    """Review decisions: what stands for the conversation and its messages, the history."""


def conversation_in_case(session: Session, case: Case, conv_id: int) -> ConversationRow:
    """The conversation with this id if it belongs to ``case`` (else NotFound)."""
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
        _outside_cover(session, conv.id),
    )  # fmt: skip


def _outside_cover(session: Session, conv_id: int) -> int:
    from vigil.db.tables.cover import CoverGap

    total = session.execute(
        select(func.coalesce(func.sum(CoverGap.messages), 0)).where(
            CoverGap.conversation_id == conv_id
        )
    ).scalar_one()
    return int(total)


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


def finding_lines(seq: int, findings: list[FindingView]) -> list[FindingLine]:
    """A message's findings as lines: matches on overlapping words merged, in text order."""
    out: list[FindingLine] = []
    for group in group_by_span(findings):
        counted = any(f.counted for f in group)
        note = "; ".join(unique(uncounted_note(f.reason) for f in group))
        out.append(
            FindingLine(
                id=group[0].id,
                seq=seq,
                span_start=min(f.span_start for f in group),
                span_end=max(f.span_end for f in group),
                quote=joined_quote(group),
                labels=unique(f.label or f.category for f in group),
                descriptions=unique(f.description or f.reason for f in group),
                counted=counted,
                note=None if counted else note,
                weight=round(sum(f.weight for f in group), 6),
                finding_ids=[f.id for f in group],
                rule_ids=[f.rule_id for f in group],
                stages=unique(f.stage for f in group),
            )
        )
    return out


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
        conv = conversation_in_case(session, case, conv_id)
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
        words = default_wording()
        cats = [
            CategoryCount(c, n, words.label(c))
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
                            fid, fseq, cat, rule, a, b, quote, why, stage, weight, side, counted,
                            words.label(cat), words.description(rule, why),
                        )
                    )  # fmt: skip
            for mv in messages:
                mv.lines = finding_lines(mv.seq, mv.findings)
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
            review=review_of(session, user, case.ref, conv.id, shown=HISTORY_SHOWN),
        )
        record_view(
            session, user, case.ref, object_type="conversation", object_id=str(conv.id),
            purpose=purpose, now=now,
            details={"messages": len(messages), "from_seq": seqs[0] if seqs else None,
                     "to_seq": seqs[-1] if seqs else None, "category": category,
                     "participant": participant},
        )  # fmt: skip
    return page
