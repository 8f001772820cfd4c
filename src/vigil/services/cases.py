"""Cases: create, list, show."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.db.tables.access import CaseMember, User
from vigil.db.tables.analysis import AssessmentRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.review import ReviewState
from vigil.errors import NotFound, UserError, VigilError
from vigil.services import access, audit, links
from vigil.services.access import (
    Need,
    Principal,
    record_view,
    require_case,
    role_allows,
    stated_purpose,
)
from vigil.services.casework.common import check_each, check_new_refs
from vigil.services.listing import LIKE_ESCAPE, ListQuery, Page, Sorts, order_by
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
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "Europe" is a folder
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


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case to open (:func:`create_cases`); ``tz`` defaults to the workspace's time zone."""

    ref: str
    title: str
    unit: str | None = None
    tz: str | None = None


@dataclass(frozen=True, slots=True)
class _Opening:
    ref: str
    title: str
    unit: str | None
    tz: str


def _checked(ws: Workspace, rec: CaseRecord) -> _Opening:
    """The record with its reference trimmed and its time zone resolved, or a UserError."""
    ref = rec.ref.strip()
    if not ref or any(c.isspace() for c in ref) or "/" in ref:
        raise UserError(
            f"bad case reference {ref!r}", hint="use letters, digits and dashes, e.g. OP-ALDER"
        )
    zone = rec.tz or ws.settings.default_timezone
    check_tz(zone)
    return _Opening(ref, rec.title, rec.unit, zone)


def _open(ws: Workspace, session: Session, recs: Sequence[_Opening]) -> None:
    """Open checked cases: the acting person may write, is put on each case, and each case
    gets its ``create`` entry."""
    user = ws.ensure_user(session)
    access.require_act(session, ws, "write")
    now = ws.now()
    cases = [
        Case(
            ref=r.ref,
            title=r.title,
            unit=r.unit,
            default_tz=r.tz,
            created_at=now,
            created_by_id=user.id,
        )
        for r in recs
    ]
    session.add_all(cases)
    session.flush()
    # whoever opens a case is on it (need to know starts with them)
    session.add_all(
        CaseMember(case_id=c.id, user_id=user.id, added_at=now, added_by=ws.actor) for c in cases
    )
    for r in recs:
        audit.record(
            session,
            ws.actor,
            "create",
            audit.Subject("case", r.ref, r.ref),
            details={"title": r.title, "unit": r.unit, "default_tz": r.tz},
            now=ws.now(),
        )


def create_case(ws: Workspace, ref: str, title: str, unit: str | None, tz: str | None) -> CaseInfo:
    rec = _checked(ws, CaseRecord(ref, title, unit, tz))
    try:
        with ws.transaction() as session:
            _open(ws, session, [rec])
    except SAIntegrityError as exc:
        raise UserError(
            f"case {rec.ref!r} already exists", hint="choose another reference"
        ) from exc
    return show_case(ws, rec.ref)


def create_cases(ws: Workspace, session: Session, records: Sequence[CaseRecord]) -> list[str]:
    """:func:`create_case` for many cases inside the caller's transaction: the same checks
    (all records first; nothing is written if one is refused), one ``create`` entry per case.
    Returns the references."""
    recs = check_each(records, lambda r: _checked(ws, r), "case")
    check_new_refs(session, Case.ref, [r.ref for r in recs], "case")
    _open(ws, session, recs)
    return [r.ref for r in recs]


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
    review: str = "unreviewed"  # the current review state (vigil.services.review)


@dataclass(slots=True)
class ExhibitRow:
    ref: str
    original_name: str
    mime_type: str
    size: int
    sha256: str
    registered_at: datetime
    parent_ref: str | None
    sha1: str = ""
    md5: str = ""


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
    limit: int = 50
    sort: str = "rank"
    order: str = "desc"
    q: str = ""
    """The search, sort and page size of ``conversations`` (``conversations_total`` match)."""
    exhibits_total: int = 0
    """All the case's exhibits; ``exhibits`` holds the first few (the exhibits page has all)."""


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(stmt).scalar_one())


CASE_SORTS = Sorts(
    {"ref": ("reference", "asc"), "title": ("title", "asc"), "unit": ("unit", "asc"),
     "opened": ("opened", "desc"), "conversations": ("conversations", "desc"),
     "exhibits": ("exhibits", "desc"), "urgent": ("high urgency", "desc")},
    default="ref",
)  # fmt: skip
"""The sort keys of a person's list of cases."""


def _counted(column: Any, *where: Any) -> Any:
    """A count of ``column``'s rows for each case row, as a correlated subquery."""
    return select(func.count()).where(column == Case.id, *where).correlate(Case).scalar_subquery()


def my_cases(ws: Workspace, user: Principal, query: ListQuery | None = None) -> Page[CaseInfo]:
    """A page of the cases ``user`` is a member of (metadata only), searched by reference,
    title or unit; counts come with the page in one query."""
    query = query or ListQuery.parse(CASE_SORTS)
    may_read = role_allows(user.role, "read")
    n_ex = _counted(Exhibit.case_id).label("n_ex")
    n_conv = _counted(ConversationRow.case_id).label("n_conv")
    urgent = _counted(AssessmentRow.case_id, AssessmentRow.urgency >= 2).label("urgent")
    creator = (
        select(User.username).where(User.id == Case.created_by_id).correlate(Case).scalar_subquery()
    )
    base = select(Case.id).join(CaseMember, CaseMember.case_id == Case.id)
    base = base.where(CaseMember.user_id == user.user_id)
    if query.like:
        base = base.where(or_(*(c.ilike(query.like, escape=LIKE_ESCAPE)
                                for c in (Case.ref, Case.title, Case.unit))))  # fmt: skip
    columns: dict[str, Sequence[Any]] = {"ref": [Case.ref], "title": [Case.title], "unit": [Case.unit],
               "opened": [Case.created_at], "conversations": [n_conv], "exhibits": [n_ex],
               "urgent": [urgent]}  # fmt: skip
    stmt = (
        select(Case, creator, n_ex, n_conv, urgent)
        .where(Case.id.in_(base))
        .order_by(*order_by(query, columns, Case.id))
        .offset(query.offset)
        .limit(query.limit)
    )
    with ws.sessions() as s:
        total = _count(s, select(func.count()).select_from(base.subquery()))
        items = [
            CaseInfo(c.ref, c.title, c.unit, c.default_tz, c.created_at, who or "?", ex, conv,
                     urg, may_read)
            for c, who, ex, conv, urg in s.execute(stmt).all()
        ]  # fmt: skip
    return Page.of(items, total, query)


CONVERSATION_SORTS = Sorts(
    {"rank": ("urgency, then risk", "desc"), "risk": ("risk", "desc"),
     "messages": ("messages", "desc"), "findings": ("findings", "desc"),
     "first": ("first message", "asc"), "last": ("last message", "desc"),
     "platform": ("platform", "asc"), "title": ("title", "asc")},
    default="rank",
)  # fmt: skip
"""The sort keys of a case's conversations (the case page)."""
_CONV_COLUMNS: dict[str, Sequence[Any]] = {
    "rank": (func.coalesce(AssessmentRow.urgency, -1), func.coalesce(AssessmentRow.risk, -1.0)),
    "risk": (AssessmentRow.risk,), "messages": (ConversationRow.message_count,),
    "findings": (AssessmentRow.findings_count,), "first": (ConversationRow.first_at,),
    "last": (ConversationRow.last_at,), "platform": (ConversationRow.platform,),
    "title": (ConversationRow.title,),
}  # fmt: skip
EXHIBITS_ON_CASE_PAGE = 20
"""The case page shows the first exhibits; all of them are paged on the exhibits page."""


def _conversations_where(case_id: int, query: ListQuery) -> list[Any]:
    where: list[Any] = [ConversationRow.case_id == case_id]
    if query.like:
        where.append(or_(ConversationRow.title.ilike(query.like, escape=LIKE_ESCAPE),
                         ConversationRow.platform.ilike(query.like, escape=LIKE_ESCAPE)))  # fmt: skip
    return where


def _ranked(s: Session, case_id: int, query: ListQuery) -> list[RankedConversation]:
    stmt = (
        select(ConversationRow, AssessmentRow, ReviewState.state)
        .outerjoin(AssessmentRow, AssessmentRow.conversation_id == ConversationRow.id)
        .outerjoin(ReviewState, ReviewState.conversation_id == ConversationRow.id)
        .where(*_conversations_where(case_id, query))
        .order_by(*order_by(query, _CONV_COLUMNS, ConversationRow.id))
        .offset(query.offset)
        .limit(query.limit)
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
            st or "unreviewed",
        )
        for c, a, st in s.execute(stmt).all()
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
    query: ListQuery | None = None,
    sections: Iterable[Section] = (),
) -> CaseOverview:
    """A page of the case's conversations (ranked by urgency and risk unless ``query`` says
    otherwise, over :data:`CONVERSATION_SORTS`), its first exhibits, a timeline, and the
    ``sections`` (the case page's plugin sections) the user's role may see."""
    from vigil.services.browse import exhibit_rows  # (it lists cases' records too)

    query = query or ListQuery.parse(CONVERSATION_SORTS)
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        ranked = _ranked(s, case.id, query)
        total = _count(s, select(func.count()).where(*_conversations_where(case.id, query)))
        purpose = stated_purpose(s, user, case.id, ws.now())
        n_exhibits = _count(s, select(func.count()).where(Exhibit.case_id == case.id))
        exhibits = exhibit_rows(s, select(Exhibit).where(Exhibit.case_id == case.id)
                                .order_by(Exhibit.id).limit(EXHIBITS_ON_CASE_PAGE))  # fmt: skip
        firsts = exhibit_rows(s, select(Exhibit).where(Exhibit.case_id == case.id)
                              .order_by(Exhibit.registered_at, Exhibit.id).limit(200))  # fmt: skip
        spans = s.execute(
            select(ConversationRow.id, ConversationRow.title, ConversationRow.platform,
                   ConversationRow.first_at, ConversationRow.last_at)
            .where(ConversationRow.case_id == case.id, ConversationRow.first_at.is_not(None))
            .order_by(ConversationRow.first_at).limit(200)
        ).all()  # fmt: skip
        info = (case.ref, case.title, case.unit, case.default_tz, case.created_at)
    timeline: list[TimelineEvent] = [
        TimelineEvent(e.registered_at, "exhibit", f"exhibit {e.ref} registered ({e.original_name})",
                      links.exhibit(case_ref, e.ref))
        for e in firsts
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
                     "offset": query.offset, "sort": f"{query.sort} {query.order}",
                     "q": query.q or None, "exhibits": len(exhibits)},
            now=ws.now(),
        )  # fmt: skip
    return CaseOverview(
        *info, purpose, ranked, total, query.offset, exhibits, timeline, shown,
        role_allows(user.role, "write"), query.limit, query.sort, query.order, query.q,
        n_exhibits,
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
