"""Full-text search of the messages of every case the signed-in person is on: the ``/search``
page and ``GET /api/v1/search``, both one call of :func:`vigil.services.search.search`
(need to know, a purpose, one audit entry per search; docs/search.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from vigil.errors import UserError
from vigil.services.search import SearchPage, SearchQuery, parse_bound, search, search_scope
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["search"], responses=API_ERRORS)

Short = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search as the page and the API take it (text as typed; the service checks it)."""

    q: str
    purpose: str | None
    cases: list[str]
    platform: str | None
    participant: str | None
    date_from: str | None
    date_to: str | None
    category: str | None
    page: int
    per_page: int
    context: int
    order: Literal["newest", "oldest"]

    def query(self) -> SearchQuery:
        return SearchQuery(
            self.q, tuple(self.cases), self.platform, self.participant,
            parse_bound(self.date_from), parse_bound(self.date_to, end=True), self.category,
            self.page, self.per_page, self.context, self.order,
        )  # fmt: skip

    def params(self, **change: Any) -> dict[str, Any]:
        """The search's query parameters (empty ones left out), with ``change`` applied."""
        out: dict[str, Any] = {
            "q": self.q, "purpose": self.purpose, "case": self.cases, "platform": self.platform,
            "participant": self.participant, "from": self.date_from, "to": self.date_to,
            "category": self.category, "page": self.page,
            "per_page": self.per_page if self.per_page != 20 else None,
            "context": self.context if self.context != 2 else None,
            "order": self.order if self.order != "newest" else None,
        }  # fmt: skip
        out.update(change)
        return {k: v for k, v in out.items() if v not in (None, "", [])}

    def url(self, **change: Any) -> str:
        return "/search?" + urlencode(self.params(**change), doseq=True)


def search_form(
    q: Annotated[
        str, Query(max_length=500, description='Words, a "quoted phrase" or a prefix*')
    ] = "",
    purpose: Annotated[
        str | None, Query(max_length=500, description="Why you are searching (required)")
    ] = None,
    case: Annotated[
        list[str] | None,
        Query(max_length=64, description="Only these cases (repeat; default: all yours)"),
    ] = None,
    platform: Short = None,
    participant: Annotated[
        str | None, Query(max_length=200, description="Sender: platform id or display name")
    ] = None,
    date_from: Annotated[
        str | None,
        Query(alias="from", max_length=40, description="From this date or time on (UTC)"),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", max_length=40, description="Up to this date (inclusive) or time (UTC)"),
    ] = None,
    category: Annotated[
        str | None, Query(max_length=64, description="Only messages with this finding category")
    ] = None,
    page: Annotated[int, Query(ge=1, le=5_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    context: Annotated[int, Query(ge=0, le=5, description="Messages shown around each hit")] = 2,
    order: Annotated[Literal["newest", "oldest"], Query()] = "newest",
) -> SearchForm:
    return SearchForm(q.strip(), purpose, [x for c in case or [] for x in re.split(r"[,\s]+", c) if x], platform or None,
                      participant or None, date_from or None, date_to or None, category or None,
                      page, per_page, context, order)  # fmt: skip


Form = Annotated[SearchForm, Depends(search_form)]


@pages.get("/search")
def search_page(request: Request, ws: WorkspaceDep, user: CurrentUser, f: Form) -> HTMLResponse:
    """The form (the person's cases, platforms and categories to choose from) and, when a
    query is given, a page of hits in context."""
    acting = ws.acting_for(user)
    ctx: dict[str, Any] = {"f": f, "scope": search_scope(acting), "r": None, "error": None}
    if not f.q:
        return page(request, "search.html", ctx)
    try:
        ctx["r"] = search(acting, f.query(), f.purpose)
    except UserError as exc:  # a mistake in the form: shown with the form, not on its own
        ctx["error"] = (exc.message, exc.hint)
        return page(request, "search.html", ctx, 400)
    return page(request, "search.html", ctx)


@api.get(
    "/search",
    response_model=SearchPage,
    summary="Search the messages of every case you are on",
)
def search_api(ws: WorkspaceDep, user: CurrentUser, f: Form) -> SearchPage:
    """Messages holding every term of ``q`` (words, "quoted phrases", prefix*), read as the
    scanner reads them ("meet" finds "m33t"), in the cases you are a member of (or those of
    them named in ``case``), narrowed by the filters; each hit with ``context`` messages
    around it. ``purpose`` is required; every search is recorded in the audit log."""
    return search(ws.acting_for(user), f.query(), f.purpose)
