"""The dashboard: my triage queue across the cases I am on, newest evidence, extension panels.

The queue is read from the stored assessments of the cases the person may read (membership
joined in SQL, so a person on thousands of cases costs one query, not one per case), searched,
sorted and paged (:mod:`vigil.services.listing`); nothing is analysed on view (``vigil triage``
and a case's *Analyse* button do that), and conversations not analysed yet are counted. Each
view is one entry in the audit log, naming the cases and conversations shown. Each row carries
the conversation's review state, and the queue can be kept to one state (``unreviewed``,
``reviewed``, ``not_relevant``, ``escalate``: :mod:`vigil.services.review`). Quotes are left
out here: message text is shown only in the conversation viewer, after a purpose.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from vigil.db.tables.access import CaseMember
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.services import audit
from vigil.services.access import Principal, role_allows, stated_purpose
from vigil.services.cases import Contribution
from vigil.services.listing import LIKE_ESCAPE, ListQuery, Sorts, order_by
from vigil.services.review.model import check_state
from vigil.services.review.read import state_condition, states_of
from vigil.services.triage.rows import TriageRow
from vigil.services.workspace import Workspace

DEFAULT_PURPOSE = "triage queue on the web dashboard"

TRIAGE_SORTS = Sorts(
    {
        "rank": ("urgency, flagged, then risk", "desc"),
        "risk": ("risk", "desc"),
        "newest": ("newest message", "desc"),
        "messages": ("messages", "desc"),
        "case": ("case", "asc"),
        "platform": ("platform", "asc"),
    },
    default="rank",
)
"""The triage queue's sort keys; ``rank`` (urgency, then flagged, then risk) is the default."""


@dataclass(slots=True)
class NewEvidence:
    case_ref: str
    ref: str
    original_name: str
    registered_at: datetime


@dataclass(slots=True)
class PanelData:
    key: str
    title: str
    template: str
    data: Any


@dataclass(slots=True)
class Dashboard:
    queue: list[TriageRow]
    """This page of the queue (no quotes)."""
    total: int
    """Analysed conversations in the person's readable cases matching the search."""
    offset: int
    limit: int
    sort: str
    order: str
    q: str
    case_count: int
    """How many cases the person may read."""
    unanalysed: int
    """Conversations in those cases with no stored assessment yet (not in the queue)."""
    analysis_available: bool
    """Kept for API clients: the queue is read from stored assessments and is always shown."""
    note: str | None
    newest_evidence: list[NewEvidence]
    panels: list[PanelData] = field(default_factory=list)
    state: str | None = None
    """The review state the queue is filtered by (None: every state)."""


class Panel(Contribution, Protocol):
    """A dashboard panel (:class:`vigil.web.extensions.DashboardPanel`)."""

    @property
    def load(self) -> Callable[[Workspace, Principal], Any]: ...


def _readable(user: Principal) -> Any:
    """The ids of the cases ``user`` may read, as a subquery (need to know, in SQL)."""
    return select(CaseMember.case_id).where(CaseMember.user_id == user.user_id)


def _queue_select(user: Principal, query: ListQuery, state: str | None = None) -> Any:
    stmt: Any = (
        select(AssessmentRow, ConversationRow, Case.ref)
        .join(ConversationRow, ConversationRow.id == AssessmentRow.conversation_id)
        .join(Case, Case.id == AssessmentRow.case_id)
        .where(AssessmentRow.case_id.in_(_readable(user)))
    )
    if state is not None:
        stmt = stmt.where(state_condition(state, AssessmentRow.conversation_id))
    if query.like:
        stmt = stmt.where(
            or_(
                ConversationRow.title.ilike(query.like, escape=LIKE_ESCAPE),
                ConversationRow.platform.ilike(query.like, escape=LIKE_ESCAPE),
                Case.ref.ilike(query.like, escape=LIKE_ESCAPE),
            )
        )
    return stmt


SORT_COLUMNS: dict[str, Sequence[Any]] = {
    "rank": (AssessmentRow.urgency, AssessmentRow.flagged, AssessmentRow.risk),
    "risk": (AssessmentRow.risk,),
    "newest": (ConversationRow.last_at,),
    "messages": (ConversationRow.message_count,),
    "case": (Case.ref, AssessmentRow.urgency, AssessmentRow.risk),
    "platform": (ConversationRow.platform, AssessmentRow.urgency, AssessmentRow.risk),
}


def _categories(s: Session, conv_ids: Sequence[int], n: int = 3) -> dict[int, list[str]]:
    """The categories of each conversation's top ``n`` counted findings (one query)."""
    if not conv_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=FindingRow.conversation_id,
            order_by=(FindingRow.weight.desc(), FindingRow.message_seq, FindingRow.id),
        )
        .label("rk")
    )
    ranked = (
        select(FindingRow.conversation_id, FindingRow.category, rank)
        .where(FindingRow.conversation_id.in_(conv_ids), FindingRow.counted.is_(True))
        .subquery()
    )
    out: dict[int, set[str]] = {}
    for cid, cat in s.execute(
        select(ranked.c.conversation_id, ranked.c.category).where(ranked.c.rk <= n)
    ).all():
        out.setdefault(cid, set()).add(cat)
    return {cid: sorted(cats) for cid, cats in out.items()}


def _unanalysed(s: Session, user: Principal) -> int:
    return int(
        s.execute(
            select(func.count())
            .select_from(ConversationRow)
            .outerjoin(AssessmentRow, AssessmentRow.conversation_id == ConversationRow.id)
            .where(
                ConversationRow.case_id.in_(_readable(user)),
                AssessmentRow.conversation_id.is_(None),
            )
        ).scalar_one()
    )


def _log_view(
    ws: Workspace,
    user: Principal,
    query: ListQuery,
    queue: list[TriageRow],
    total: int,
    newest: list[NewEvidence],
    state: str | None = None,
) -> None:
    """One entry for the whole view: the cases and conversations shown, and the query.

    When everything shown belongs to one case the entry is filed under that case (with the
    purpose stated for it in this sign-in, if any); otherwise it names no single case and
    lists them in its details (the audit search by case finds it there too)."""
    shown: dict[str, list[int]] = {}
    for r in queue:
        shown.setdefault(r.case_ref, []).append(r.conversation_id)
    exhibits: dict[str, list[str]] = {}
    for e in newest:
        exhibits.setdefault(e.case_ref, []).append(e.ref)
    refs = sorted(set(shown) | set(exhibits))
    if not refs:
        return  # nothing of any case was shown
    one = refs[0] if len(refs) == 1 else None
    with ws.transaction() as s:
        purpose = None
        if one is not None:
            case_id = s.execute(select(Case.id).where(Case.ref == one)).scalar_one()
            purpose = stated_purpose(s, user, case_id, ws.now())
        audit.record(
            s, user, "view", audit.Subject("triage", one or "queue", one),
            purpose=purpose or DEFAULT_PURPOSE, now=ws.now(),
            details={"cases": {ref: shown.get(ref, []) for ref in refs},
                     "newest_evidence": exhibits, "rows": len(queue), "total": total,
                     "offset": query.offset, "sort": f"{query.sort} {query.order}",
                     "q": query.q or None, "review_state": state},
        )  # fmt: skip


def triage_queue(
    ws: Workspace,
    user: Principal,
    query: ListQuery | int | None = None,
    panels: Iterable[Panel] = (),
    state: str | None = None,
) -> Dashboard:
    """A page of the user's triage queue (stored assessments of the cases they may read),
    new evidence on those cases, and the dashboard ``panels``
    (:class:`vigil.web.extensions.DashboardPanel`, plugins' included). ``query`` is a
    :class:`ListQuery` over :data:`TRIAGE_SORTS` (a number is a limit, for older callers);
    ``state`` keeps the conversations in that review state (:mod:`vigil.services.review`)."""
    state = check_state(state) if state else None
    if not isinstance(query, ListQuery):
        query = ListQuery.parse(TRIAGE_SORTS, limit=query or None)
    reads = role_allows(user.role, "read")
    queue: list[TriageRow] = []
    total = unanalysed = n_cases = 0
    newest: list[NewEvidence] = []
    with ws.sessions() as s:
        if reads:
            n_cases = int(
                s.execute(
                    select(func.count()).where(CaseMember.user_id == user.user_id)
                ).scalar_one()
            )
        if n_cases:
            stmt = _queue_select(user, query, state)
            total = int(s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
            found = s.execute(
                stmt.order_by(*order_by(query, SORT_COLUMNS, ConversationRow.id))
                .offset(query.offset)
                .limit(query.limit)
            ).all()
            cats = _categories(s, [c.id for _, c, _ in found])
            states = states_of(s, [c.id for _, c, _ in found])
            queue = [
                TriageRow(c.id, ref, c.platform, c.title, c.message_count, a.risk, a.urgency,
                          json.loads(a.flags), flagged=a.flagged, note=a.score_note,
                          categories=cats.get(c.id, []), last_at=c.last_at,
                          review=states[c.id])
                for a, c, ref in found
            ]  # fmt: skip
            unanalysed = _unanalysed(s, user)
            newest = [
                NewEvidence(ref, e.ref, e.original_name, e.registered_at)
                for e, ref in s.execute(
                    select(Exhibit, Case.ref)
                    .join(Case, Case.id == Exhibit.case_id)
                    .where(Exhibit.case_id.in_(_readable(user)))
                    .order_by(Exhibit.registered_at.desc(), Exhibit.id.desc())
                    .limit(8)
                ).all()
            ]
    note = None
    if unanalysed:
        note = (
            f"{unanalysed:,} conversation(s) in your cases are not analysed yet and are not in "
            "this queue: analyse them from the case page, or with `vigil triage`"
        )
    _log_view(ws, user, query, queue, total, newest, state)
    uws = ws.acting_for(user)
    shown = [PanelData(p.key, p.title, p.template, p.load(uws, user)) for p in panels]
    return Dashboard(
        queue, total, query.offset, query.limit, query.sort, query.order, query.q, n_cases,
        unanalysed, True, note, newest, shown, state,
    )  # fmt: skip
