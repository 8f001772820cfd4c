"""Searching the messages of every case the acting person may read (need to know).

One call, :func:`search`, serves ``vigil search``, the ``/search`` page and
``GET /api/v1/search``. It checks who is acting, that their role reads case material and
which cases they are a member of, insists on a purpose, brings the index of those cases up to
date (:mod:`vigil.services.search.index`), finds the messages holding every term of the query
(:mod:`vigil.services.search.query`, :mod:`vigil.services.search.find`), reads a few messages
around each hit (:mod:`vigil.services.search.hits`), and writes one entry to the audit log:
the query, the filters, the purpose, how many hits and which messages were shown.

Filters: cases, platform, participant (the sender: platform id or display name), a time
range of the message (UTC), and a finding category. The category filter keeps the messages
that themselves carry a finding of that category (as the conversation viewer's filter
does), not every message of a conversation with such a finding.

Nothing is counted, read or said about a case the person is not a member of: naming one is
refused exactly as naming a case that does not exist is. Vigil's output is a lead for a
trained person, never a verdict: a hit says where words occur, not what anyone meant by them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from vigil import LEAD_NOT_VERDICT
from vigil.db.tables.access import CaseMember
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.errors import UserError
from vigil.services import access, audit
from vigil.services.search import index
from vigil.services.search.find import COUNT_LIMIT, ORDERS, Filters, Order, find
from vigil.services.search.hits import SearchHit, read_hits
from vigil.services.search.index import IndexStatus
from vigil.services.search.query import parse
from vigil.services.workspace import Workspace

MAX_PER_PAGE = 100
MAX_CONTEXT = 5
MAX_CASES = 200
"""Cases one search may name (every case one may read is searched when none is named)."""
MANY_CASES = 200
"""Past this many cases a person is on, their cases are selected inside the search statement
(through ``case_members``) instead of bound one parameter each."""
MAX_FILTER = 200
"""Characters of a platform, participant or category filter."""


class SearchPurposeRequired(UserError):
    """A search was asked for without saying why."""

    exit_code = 5

    def __init__(self) -> None:
        super().__init__(
            "state why you are searching",
            hint="a purpose of a few words is kept with every search in the audit log",
        )


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for and where. ``date_to`` is exclusive; times are aware, UTC."""

    text: str
    cases: tuple[str, ...] = ()
    platform: str | None = None
    participant: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    category: str | None = None
    page: int = 1
    per_page: int = 20
    context: int = 2
    order: Order = "newest"

    def filters(self) -> dict[str, Any]:
        """The filters given, as the audit entry and the page show them."""
        out: dict[str, Any] = {
            "cases": list(self.cases),
            "platform": self.platform,
            "participant": self.participant,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "category": self.category,
        }
        return {k: v for k, v in out.items() if v}


@dataclass(slots=True)
class SearchPage:
    """One page of a search's hits, and how the search was read."""

    query: str
    terms: list[str]
    """How the query was read (each a word, "phrase" or prefix*)."""
    filters: dict[str, Any]
    purpose: str
    total: int
    """Hits in the cases searched, counted up to ``COUNT_LIMIT`` (then ``more``)."""
    more: bool
    """More hits than ``total``: listed in the order stored, not sorted by time."""
    page: int
    per_page: int
    order: str
    hits: list[SearchHit]
    has_next: bool
    cases_searched: int
    """Cases searched: those named, or every case the person is a member of."""
    index: IndexStatus
    """What of those cases is not in the index yet (and so not searched)."""
    note: str = LEAD_NOT_VERDICT


@dataclass(frozen=True, slots=True)
class SearchScope:
    """What the search form offers: the person's readable cases, their platforms, and the
    taxonomy's finding categories."""

    cases: list[tuple[str, str]] = field(default_factory=list)
    """(reference, title) of each case searched when none is named."""
    platforms: list[str] = field(default_factory=list)
    categories: list[tuple[str, str]] = field(default_factory=list)
    """(id, label) of each finding category."""


def parse_bound(value: str | None, *, end: bool = False) -> datetime | None:
    """A date (``YYYY-MM-DD``, a whole UTC day: the end bound is the next midnight) or an ISO
    time (without an offset: UTC) as a bound of the search's time range."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day, time(), UTC) + timedelta(days=1 if end else 0)
        moment = datetime.fromisoformat(raw)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise UserError(
            f"bad date or time {value!r}", hint="use YYYY-MM-DD or 2024-05-01T18:00+01:00"
        ) from exc


def search(
    ws: Workspace,
    query: SearchQuery,
    purpose: str | None,
    *,
    budget: int | None = index.INLINE_BUDGET,
) -> SearchPage:
    """Messages of the acting person's readable cases that hold every term of the query.

    ``purpose``: why (kept in the audit log); required, a few words. A case named in the
    query that the person may not read is refused (AccessDenied, the same for a case that
    does not exist). ``budget``: messages of the searched cases to add to the index first
    (None: all that are missing).
    """
    query = _checked(query)
    terms = parse(query.text)
    why = _purpose(purpose)
    now = ws.now()
    # the command line's account is made on first use (a write); the web's person exists
    with ws.transaction() if ws.principal is None else ws.sessions() as s:
        user = access.require_act(s, ws, "read")
        scope: list[int] | Select[Any]
        refs: dict[int, str] | None
        if query.cases:
            refs = {
                c.id: c.ref for c in (access.require_case(s, user, r, "read") for r in query.cases)
            }
            ids = list(refs)
            scope = ids
        elif access.role_allows(user.role, "read"):  # ids only; references for the hits' cases
            mine = select(CaseMember.case_id).where(CaseMember.user_id == user.user_id)
            ids = list(s.connection().execute(mine).scalars())
            scope = mine if len(ids) > MANY_CASES else ids
            refs = None
        else:
            ids, scope, refs = [], [], {}
    state = index.update(ws, ids, budget=budget)
    f = Filters(query.platform, query.participant, query.date_from, query.date_to,
                query.category)  # fmt: skip
    with ws.transaction() as s:
        found = find(s, terms, scope if ids else [], f, order=query.order,
                     offset=(query.page - 1) * query.per_page, limit=query.per_page)  # fmt: skip
        if refs is None:
            refs = _refs_of(s, {row[1] for row in found.rows})
        hits = read_hits(s, terms, refs, found.rows, query.context)
        single = query.cases[0] if len(query.cases) == 1 else None
        audit.record(
            s,
            ws.principal if ws.principal is not None else ws.actor,
            "view",
            audit.Subject("search", query.text[:256], single),
            purpose=why,
            details={
                "query": query.text,
                "terms": [str(t) for t in terms],
                "filters": query.filters(),
                "hits": found.total,
                "more": found.more,
                "page": query.page,
                "cases": len(ids),
                "shown": [[h.case_ref, h.conversation_id, h.message.seq] for h in hits],
                "not_indexed": state.pending_messages,
            },
            now=now,
        )
    return SearchPage(
        query.text, [str(t) for t in terms], query.filters(), why, found.total, found.more,
        query.page, query.per_page, query.order, hits, found.has_next, len(ids), state,
    )  # fmt: skip


def _refs_of(s: Session, conv_ids: set[int]) -> dict[int, str]:
    """Case id -> reference for the cases of these conversations (a page of hits' cases)."""
    if not conv_ids:
        return {}
    rows = s.execute(
        select(Case.id, Case.ref)
        .join(ConversationRow, ConversationRow.case_id == Case.id)
        .where(ConversationRow.id.in_(sorted(conv_ids)))
        .distinct()
    ).all()
    return {int(i): str(r) for i, r in rows}


def search_scope(ws: Workspace) -> SearchScope:
    """The cases, platforms and categories the search form offers the acting person (their
    role must read case material); nothing about cases they are not on."""
    from vigil.analysis.wording import default_wording

    with ws.transaction() if ws.principal is None else ws.sessions() as s:
        user = access.require_act(s, ws, "read")
        cases: list[tuple[str, str]] = []
        platforms: list[str] = []
        if access.role_allows(user.role, "read"):  # only the columns shown, no id lists
            mine = select(CaseMember.case_id).where(CaseMember.user_id == user.user_id)
            cases = [
                (ref, title)
                for ref, title in s.execute(
                    select(Case.ref, Case.title).where(Case.id.in_(mine)).order_by(Case.ref)
                ).all()
            ]
            platforms = list(
                s.execute(
                    select(ConversationRow.platform)
                    .where(ConversationRow.case_id.in_(mine))
                    .distinct()
                    .order_by(ConversationRow.platform)
                ).scalars()
            )
    try:
        labels = dict(default_wording().labels)
    except Exception:  # the taxonomy is not installed: the form takes the category as typed
        labels = {}
    categories = sorted(labels.items(), key=lambda kv: kv[1].casefold())
    return SearchScope(cases, platforms, categories)


def update_index(ws: Workspace, progress: Callable[[int], None] | None = None) -> IndexStatus:
    """Bring the index of every case the acting person may read up to date (derived data:
    no audit entry; nothing is shown)."""
    with ws.transaction() if ws.principal is None else ws.sessions() as s:
        user = access.require_act(s, ws, "read")
        ids = [c.id for c in access.readable_cases(s, user)]
    return index.update(ws, ids, progress=progress)


# --- checking what was asked -------------------------------------------------------------


def _checked(q: SearchQuery) -> SearchQuery:
    """The query with its text fields trimmed (empty ones to None); UserError if out of range."""
    for value in (q.text, *q.cases, q.platform, q.participant, q.category):
        if value is not None and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise UserError("control characters in the search", hint="retype the search")
    if q.order not in ORDERS:
        raise UserError(f"unknown order {q.order!r}", hint="newest or oldest")
    if not 1 <= q.per_page <= MAX_PER_PAGE:
        raise UserError(f"give between 1 and {MAX_PER_PAGE} hits a page")
    if not 0 <= q.context <= MAX_CONTEXT:
        raise UserError(f"give between 0 and {MAX_CONTEXT} messages of context")
    if q.page < 1 or (q.page - 1) * q.per_page >= COUNT_LIMIT:
        raise UserError(
            f"pages go up to hit {COUNT_LIMIT:,}", hint="narrow the search with filters"
        )
    if q.date_from and q.date_to and q.date_from >= q.date_to:
        raise UserError("the time range is empty", hint="'from' must come before 'to'")
    cases = tuple(dict.fromkeys(c.strip() for c in q.cases if c.strip()))
    if len(cases) > MAX_CASES:
        raise UserError(f"more than {MAX_CASES} cases named", hint="name fewer, or none for all")
    short = {k: (v.strip() or None) if v is not None else None
             for k, v in (("platform", q.platform), ("participant", q.participant),
                          ("category", q.category))}  # fmt: skip
    if any(v is not None and len(v) > MAX_FILTER for v in short.values()):
        raise UserError(f"a filter is longer than {MAX_FILTER} characters")
    return SearchQuery(q.text.strip(), cases, short["platform"], short["participant"],
                       q.date_from, q.date_to, short["category"], q.page, q.per_page,
                       q.context, q.order)  # fmt: skip


def _purpose(given: str | None) -> str:
    if given is None or not given.strip():
        raise SearchPurposeRequired()
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in given):
        raise UserError("control characters in the purpose", hint="retype it")
    why = " ".join(given.split())
    if len(why) < 4:
        raise UserError("give a purpose of a few words", hint="e.g. 'find the meeting plan'")
    return why[:500]
