"""The cases a user is on, one case's overview (ranked conversations, exhibits, timeline), and
re-analysis of a case."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil.db.tables.analysis import AssessmentRow
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.errors import VigilError
from vigil.services.access import (
    Principal,
    as_user,
    member_cases,
    require_case,
    role_allows,
    stated_purpose,
)
from vigil.services.evidence.exhibits import list_exhibits
from vigil.services.workspace import Workspace
from vigil.web import extensions, links


@dataclass(slots=True)
class CaseSummary:
    ref: str
    title: str
    unit: str | None
    exhibits: int
    conversations: int
    urgent: int
    may_read: bool


@dataclass(slots=True)
class RankedConversation:
    conversation_id: int
    platform: str
    title: str | None
    messages: int
    first_at: datetime | None
    last_at: datetime | None
    analysed: bool
    risk: float | None
    urgency: int | None
    flags: list[dict[str, Any]]
    findings: int


@dataclass(slots=True)
class ExhibitRow:
    ref: str
    original_name: str
    mime_type: str
    size: int
    sha256: str
    registered_at: datetime
    parent_ref: str | None


@dataclass(slots=True)
class TimelineEvent:
    at: datetime
    kind: str
    label: str
    link: str | None


@dataclass(slots=True)
class SectionData:
    key: str
    title: str
    template: str
    data: Any


@dataclass(slots=True)
class CaseOverview:
    ref: str
    title: str
    unit: str | None
    default_tz: str
    created_at: datetime
    purpose: str | None
    conversations: list[RankedConversation]
    conversations_total: int
    offset: int
    exhibits: list[ExhibitRow]
    timeline: list[TimelineEvent]
    sections: list[SectionData] = field(default_factory=list)
    may_write: bool = False


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(stmt).scalar_one())


def my_cases(ws: Workspace, user: Principal) -> list[CaseSummary]:
    """The cases ``user`` is a member of (metadata only)."""
    with ws.sessions() as s:
        out = []
        for c in member_cases(s, user):
            out.append(
                CaseSummary(
                    c.ref, c.title, c.unit,
                    _count(s, select(func.count()).where(Exhibit.case_id == c.id)),
                    _count(s, select(func.count()).where(ConversationRow.case_id == c.id)),
                    _count(s, select(func.count()).where(
                        AssessmentRow.case_id == c.id, AssessmentRow.urgency >= 2)),
                    role_allows(user.role, "read"),
                )
            )  # fmt: skip
        return out


def _ranked(s: Session, case_id: int, offset: int, limit: int) -> list[RankedConversation]:
    stmt = (
        select(ConversationRow, AssessmentRow)
        .outerjoin(AssessmentRow, AssessmentRow.conversation_id == ConversationRow.id)
        .where(ConversationRow.case_id == case_id)
        .order_by(
            func.coalesce(AssessmentRow.urgency, -1).desc(),
            func.coalesce(AssessmentRow.risk, -1.0).desc(),
            ConversationRow.id,
        )
        .offset(offset)
        .limit(limit)
    )
    return [
        RankedConversation(
            c.id,
            c.platform,
            c.title,
            c.message_count,
            c.first_at,
            c.last_at,
            a is not None,
            a.risk if a else None,
            a.urgency if a else None,
            json.loads(a.flags) if a else [],
            a.findings_count if a else 0,
        )
        for c, a in s.execute(stmt).all()
    ]


def case_overview(
    ws: Workspace, user: Principal, case_ref: str, offset: int = 0, limit: int = 100
) -> CaseOverview:
    """Conversations ranked by urgency and risk, exhibits, a timeline, and extension sections."""
    offset = max(0, offset)
    limit = max(1, min(limit, 500))
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        ranked = _ranked(s, case.id, offset, limit)
        total = _count(s, select(func.count()).where(ConversationRow.case_id == case.id))
        purpose = stated_purpose(s, user, case.id, ws.now())
        spans = s.execute(
            select(ConversationRow.id, ConversationRow.title, ConversationRow.platform,
                   ConversationRow.first_at, ConversationRow.last_at)
            .where(ConversationRow.case_id == case.id, ConversationRow.first_at.is_not(None))
            .order_by(ConversationRow.first_at).limit(200)
        ).all()  # fmt: skip
        info = (case.ref, case.title, case.unit, case.default_tz, case.created_at)
    exhibits = [
        ExhibitRow(e.ref, e.original_name, e.mime_type, e.size, e.sha256, e.registered_at, e.parent_ref)
        for e in list_exhibits(ws, case_ref)
    ]  # fmt: skip
    timeline: list[TimelineEvent] = [
        TimelineEvent(e.registered_at, "exhibit", f"exhibit {e.ref} registered ({e.original_name})",
                      links.exhibit(case_ref, e.ref))
        for e in exhibits
    ]  # fmt: skip
    for cid, title, platform, first, last in spans:
        if first is None:
            continue
        link = links.conversation(case_ref, cid)
        timeline.append(
            TimelineEvent(
                first,
                "conversation",
                f"{platform} conversation {cid} ({title or 'untitled'}) begins",
                link,
            )
        )
        if last is not None and last != first:
            timeline.append(TimelineEvent(last, "conversation", f"{platform} conversation {cid} last message", link))  # fmt: skip
    sections = [
        SectionData(sec.key, sec.title, sec.template, sec.load(as_user(ws, user.username), user, case_ref))
        for sec in extensions.CASE_SECTIONS
        if role_allows(user.role, sec.need)
    ]  # fmt: skip
    for sec in sections:
        timeline.extend(getattr(sec.data, "timeline", []) or [])
    timeline.sort(key=lambda e: e.at)
    return CaseOverview(
        *info, purpose, ranked, total, offset, exhibits, timeline, sections,
        role_allows(user.role, "write"),
    )  # fmt: skip


class AnalysisUnavailable(VigilError):
    """The analysis engine could not run (taxonomy missing or broken); answered with 503."""


@dataclass(slots=True)
class AnalyseResult:
    case_ref: str
    conversations: int
    messages: int
    findings: int
    already_current: int


def analyse_case(
    ws: Workspace, user: Principal, case_ref: str, force: bool = False
) -> AnalyseResult:
    """Run the analysis over the case's new or stale conversations (needs the write right)."""
    from vigil.services.triage.run import analyse

    with ws.sessions() as s:
        require_case(s, user, case_ref, "write")
    try:
        st = analyse(as_user(ws, user.username), case_ref, force=force)
    except Exception as exc:
        raise AnalysisUnavailable(
            f"the analysis could not run ({type(exc).__name__}: {exc})",
            hint="check the taxonomy installation; nothing was changed",
        ) from exc
    return AnalyseResult(case_ref, st.conversations, st.messages, st.findings, st.skipped_current)


def purpose_for(ws: Workspace, user: Principal, case_ref: str) -> str | None:
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        return stated_purpose(s, user, case.id, ws.now())
