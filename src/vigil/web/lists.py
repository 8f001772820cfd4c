"""The web side of :mod:`vigil.services.listing`: the query parameters every list takes
(``q``, ``sort``, ``order``, ``offset``, ``limit``), checked into a ``ListQuery`` by a FastAPI
dependency, and the helpers the list macros in ``_macros.html`` use to build their links."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Protocol
from urllib.parse import urlencode

from fastapi import Query

from vigil.services.listing import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_Q, ListQuery, Sorts
from vigil.services.listing import window as _window

Q = Annotated[str | None, Query(max_length=MAX_Q, description="Search text")]
SortKey = Annotated[str | None, Query(max_length=32, description="A sort key of this list")]
SortOrder = Annotated[str | None, Query(pattern="^(asc|desc)$", description="asc or desc")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (at most 500)")]
PER_PAGE = (50, 100, 200, 500)


def list_query(sorts: Sorts) -> Callable[..., ListQuery]:
    """A dependency reading a list's query parameters against its ``sorts``
    (``Annotated[ListQuery, Depends(list_query(SORTS))]``)."""

    def read(
        q: Q = None,
        sort: SortKey = None,
        order: SortOrder = None,
        offset: Offset = 0,
        limit: Limit = DEFAULT_LIMIT,
    ) -> ListQuery:
        return ListQuery.parse(sorts, q, sort, order, offset, limit)

    return read


class PageLike(Protocol):
    """What the list macros read: a :class:`~vigil.services.listing.Page` or a result with
    the same fields (the triage queue, the audit log)."""

    total: int
    offset: int
    limit: int
    sort: str
    order: str
    q: str


def list_url(
    path: str, p: PageLike, params: Mapping[str, Any] | None = None, **changes: Any
) -> str:
    """``path`` with the list's current query, its other ``params`` (filters) and ``changes``;
    defaults and empty values are left out."""
    query: dict[str, Any] = {
        "q": p.q, "sort": p.sort, "order": p.order, "offset": p.offset, "limit": p.limit,
        **(params or {}), **changes,
    }  # fmt: skip
    if query.get("offset") in (0, "0"):
        del query["offset"]
    if query.get("limit") in (DEFAULT_LIMIT, str(DEFAULT_LIMIT)):
        del query["limit"]
    clean = {k: v for k, v in query.items() if v is not None and v != ""}
    return path + ("?" + urlencode(clean) if clean else "")


def sort_url(
    path: str, p: PageLike, key: str, sorts: Sorts, params: Mapping[str, Any] | None = None
) -> str:
    """The link of a column heading: sort by ``key`` in its natural order, or the other way
    round if the list is already sorted by it; back to the first page."""
    if p.sort == key:
        order = "asc" if p.order == "desc" else "desc"
    else:
        order = sorts.keys[key][1]
    return list_url(path, p, params, sort=key, order=order, offset=0)


def page_window(p: PageLike, shown: int) -> dict[str, int | None]:
    return _window(p.total, p.offset, p.limit, shown)


def page_info(total: int, offset: int, limit: int, sort: str, order: str, q: str) -> Any:
    """A page-like value for a result that keeps its list under another name."""
    from vigil.services.listing import Page

    return Page([], total, offset, limit, sort, order, q)


def query_of(p: PageLike) -> ListQuery:
    return ListQuery(p.q, p.sort, "desc" if p.order == "desc" else "asc", p.offset, p.limit)
