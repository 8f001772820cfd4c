"""Cases: create, list, show."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.db.tables.access import CaseMember, User
from vigil.db.tables.analysis import AssessmentRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.errors import NotFound, UserError, VigilError
from vigil.services import access, audit, links
from vigil.services.access import (
    Need,
    Principal,
    member_cases,
    record_view,
    require_case,
    role_allows,
    stated_purpose,
)
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class CaseInfo:
    ref: str
    title: str
    unit: str | None
    default_tz: str
    created_at: datetime
    created_by: str
    exhibits: int
    conversations: int
    urgent: int = 0
    """Conversations with urgency 2 or more (a meeting, a gift, payment, access to a child)."""
    may_read: bool = True
    """Whether the person asking may read the case's content (their role allows ``read``)."""


def check_tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(
            f"unknown time zone {name!r}", hint="use an IANA name such as Europe/London or UTC"
        ) from exc


def get_case(session: Session, ref: str) -> Case:
    case = session.execute(select(Case).where(Case.ref == ref)).scalar_one_or_none()
    if case is None:
        raise NotFound(
            f"no case {ref!r}", hint="see `vigil case list`, or create it with `vigil case create`"
        )
    return case


def create_case(ws: Workspace, ref: str, title: str, unit: str | None, tz: str | None) -> CaseInfo:
    ref = ref.strip()
    if not ref or any(c.isspace() for c in ref) or "/" in ref:
        raise UserError(
            f"bad case reference {ref!r}", hint="use letters, digits and dashes, e.g. OP-ALDER"
        )
    zone = tz or ws.settings.default_timezone
    check_tz(zone)
    try:
        with ws.transaction() as session:
            user = ws.ensure_user(session)
            access.require_act(session, ws, "write")
            case = Case(
                ref=ref,
                title=title,
                unit=unit,
                default_tz=zone,
                created_at=ws.now(),
                created_by_id=user.id,
            )
            session.add(case)
            session.flush()
            # whoever opens a case is on it (need to know starts with them)
            session.add(
                CaseMember(case_id=case.id, user_id=user.id, added_at=ws.now(), added_by=ws.actor)
            )
            audit.record(
                session,
                ws.actor,
                "create",
                audit.Subject("case", ref, ref),
                details={"title": title, "unit": unit, "default_tz": zone},
                now=ws.now(),
            )
    except SAIntegrityError as exc:
        raise UserError(f"case {ref!r} already exists", hint="choose another reference") from exc
    return show_case(ws, ref)


def _info(session: Session, case: Case, may_read: bool = True) -> CaseInfo:
    creator = session.get(User, case.created_by_id)
    n_ex = session.execute(select(func.count()).where(Exhibit.case_id == case.id)).scalar_one()
    n_conv = session.execute(
        select(func.count()).where(ConversationRow.case_id == case.id)
    ).scalar_one()
    urgent = session.execute(
        select(func.count()).where(AssessmentRow.case_id == case.id, AssessmentRow.urgency >= 2)
    ).scalar_one()
    return CaseInfo(
        case.ref,
        case.title,
        case.unit,
        case.default_tz,
        case.created_at,
        creator.username if creator else "?",
        n_ex,
        n_conv,
        urgent,
        may_read,
    )


def list_cases(ws: Workspace) -> list[CaseInfo]:
    with ws.sessions() as session:
        cases = session.execute(select(Case).order_by(Case.ref)).scalars().all()
        return [_info(session, c) for c in cases]


def show_case(ws: Workspace, ref: str) -> CaseInfo:
    with ws.sessions() as session:
        return _info(session, get_case(session, ref))


# --- A signed-in person's cases: the list, one case's overview, analysing it on request ------


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


def my_cases(ws: Workspace, user: Principal) -> list[CaseInfo]:
    """The cases ``user`` is a member of (metadata only)."""
    may_read = role_allows(user.role, "read")
    with ws.sessions() as s:
        return [_info(s, c, may_read) for c in member_cases(s, user)]


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


class Contribution(Protocol):
    """A block a plugin adds to a page: its key, title and the template that renders it."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def template(self) -> str: ...


class Section(Contribution, Protocol):
    """A case page section (:class:`vigil.web.extensions.CaseSection`)."""

    @property
    def need(self) -> Need: ...
    @property
    def load(self) -> Callable[[Workspace, Principal, str], Any]: ...


def case_overview(
    ws: Workspace,
    user: Principal,
    case_ref: str,
    offset: int = 0,
    limit: int = 100,
    sections: Iterable[Section] = (),
) -> CaseOverview:
    """Conversations ranked by urgency and risk, exhibits, a timeline, and the ``sections``
    (the case page's plugin sections) the user's role may see."""
    from vigil.services.evidence.exhibits import list_exhibits  # (evidence reads cases)

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
    shown = [
        SectionData(sec.key, sec.title, sec.template, sec.load(ws.acting_for(user), user, case_ref))
        for sec in sections
        if role_allows(user.role, sec.need)
    ]  # fmt: skip
    for shown_section in shown:
        timeline.extend(getattr(shown_section.data, "timeline", []) or [])
    timeline.sort(key=lambda e: e.at)
    with ws.transaction() as s:  # who saw the case page, when, and why (if they have said)
        record_view(
            s, user, case_ref, object_type="case", object_id=case_ref, purpose=purpose,
            details={"page": "case overview", "conversations_listed": len(ranked),
                     "offset": offset, "exhibits": len(exhibits)},
            now=ws.now(),
        )  # fmt: skip
    return CaseOverview(
        *info, purpose, ranked, total, offset, exhibits, timeline, shown,
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
        st = analyse(ws.acting_for(user), case_ref, force=force)
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
