"""Lists that scale: one model of searching, sorting and paging, shared by every list.

A list declares the sort keys it allows (:class:`Sorts`); a request's parameters are checked
into a :class:`ListQuery` (search text, sort key, order, offset, limit) before any SQL is
built, and a service answers with a :class:`Page` (the rows shown, the total, where they
start and how many were asked for). The pages, the API and the command line pass the same
parameters (``q``, ``sort``, ``order``, ``offset``, ``limit``) to the same service call.

Pure: no database, files or clock. :func:`order_by` turns a query into ORDER BY clauses for
columns the service names, so a sort key from a URL never reaches SQL as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

from vigil.errors import UserError

Order = Literal["asc", "desc"]
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MAX_Q = 200
LIKE_ESCAPE = "\\"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sorts:
    """The sort keys a list allows: each key's label and its natural order, and the default."""

    keys: Mapping[str, tuple[str, Order]]
    """key -> (label, the order a click on it starts with)."""
    default: str

    def __post_init__(self) -> None:
        if self.default not in self.keys:
            raise ValueError(f"default sort {self.default!r} is not one of the keys")

    def choices(self) -> list[tuple[str, str]]:
        """(key, label) pairs, for a drop-down."""
        return [(k, label) for k, (label, _) in self.keys.items()]


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A checked request for one page of a list (build it with :meth:`parse`)."""

    q: str = ""
    sort: str = ""
    order: Order = "asc"
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(
        cls,
        sorts: Sorts,
        q: str | None = None,
        sort: str | None = None,
        order: str | None = None,
        offset: int | None = 0,
        limit: int | None = DEFAULT_LIMIT,
    ) -> ListQuery:
        """Check request parameters: an unknown sort key or order is a UserError naming the
        allowed ones; the search text is trimmed (whitespace collapsed, at most 200
        characters); offset and limit are clamped to 0..10,000,000 and 1..500."""
        key = (sort or "").strip() or sorts.default
        if key not in sorts.keys:
            raise UserError(
                f"cannot sort by {key!r}", hint="sort by one of: " + ", ".join(sorts.keys)
            )
        way = (order or "").strip().lower() or sorts.keys[key][1]
        if way not in ("asc", "desc"):
            raise UserError(f"unknown order {order!r}", hint="asc or desc")
        text = " ".join((q or "").split())[:MAX_Q]
        return cls(
            text,
            key,
            "asc" if way == "asc" else "desc",
            max(0, min(int(offset or 0), MAX_OFFSET)),
            max(1, min(int(limit or DEFAULT_LIMIT), MAX_LIMIT)),
        )

    @property
    def like(self) -> str | None:
        """The search text as a LIKE pattern (``%`` and ``_`` taken literally), or None."""
        if not self.q:
            return None
        esc = self.q.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
        return f"%{esc}%"

    @property
    def descending(self) -> bool:
        return self.order == "desc"


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, taken literally."""
    return ListQuery(q=text).like or "%"


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of a list: the rows, how many match in all, and the query that chose them."""

    items: list[T]
    total: int
    offset: int
    limit: int
    sort: str = ""
    order: str = "asc"
    q: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    """What else the list was filtered by (e.g. the audit log's case and dates)."""

    @classmethod
    def of(
        cls, items: list[T], total: int, query: ListQuery, **extra: Any
    ) -> Page[T]:  # (a classmethod keeps the item type)
        return cls(items, total, query.offset, query.limit, query.sort, query.order, query.q,
                   {k: v for k, v in extra.items() if v not in (None, "")})  # fmt: skip


def window(total: int, offset: int, limit: int, shown: int) -> dict[str, int | None]:
    """Where a page sits in its list: the first and last row numbers shown (1-based), and the
    offsets of the previous, next and last pages (None where there is none)."""
    first = offset + 1 if shown else 0
    last_start = max(0, (total - 1) // limit * limit) if total else 0
    return {
        "first": first,
        "last": offset + shown,
        "prev": max(0, offset - limit) if offset > 0 else None,
        "next": offset + limit if offset + shown < total else None,
        "last_page": last_start if last_start > offset else None,
    }


def order_by(query: ListQuery, columns: Mapping[str, Sequence[Any]], tiebreak: Any) -> list[Any]:
    """ORDER BY clauses for ``query.sort``: the columns the service maps the key to, each in
    the query's order (NULLs last either way), then ``tiebreak`` (a unique column, ascending)
    so that pages do not overlap or skip rows."""
    out: list[Any] = []
    for col in columns[query.sort]:
        out.append((col.desc() if query.descending else col.asc()).nulls_last())
    out.append(tiebreak.asc())
    return out


def with_changes(query: ListQuery, **changes: Any) -> ListQuery:
    return replace(query, **changes)
