"""Which messages match: the query on the index, the filters, need to know by case, a page.

The SQL lives here (the only module of the package that builds the matching query); the
caller has already checked who acts and which cases they may read, and passes those cases'
ids. Nothing outside those cases is counted or read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, column, exists, func, or_, select, table, text
from sqlalchemy.orm import Session

from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.services.search.query import Term, fts5_match, pg_tsquery

Order = Literal["newest", "oldest"]
ORDERS: tuple[Order, ...] = ("newest", "oldest")
COUNT_LIMIT = 5_000
"""Hits counted (and sorted by time) at most; beyond, the page says "more than"."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search besides its words (times are aware, UTC; ``date_to`` exclusive)."""

    platform: str | None = None
    participant: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """A page of hits: ``(message id, conversation id, seq)`` in order."""

    total: int
    """Hits counted, up to :data:`COUNT_LIMIT`."""
    more: bool
    """More than :data:`COUNT_LIMIT` hits (then listed in the order stored, not by time)."""
    rows: list[tuple[int, int, int]]
    has_next: bool


def find(
    s: Session,
    terms: Sequence[Term],
    case_ids: Sequence[int] | Select[Any],
    f: Filters,
    *,
    order: Order,
    offset: int,
    limit: int,
) -> Found:
    """Count the hits in ``case_ids`` (up to :data:`COUNT_LIMIT`) and read one page of them.

    ``case_ids``: the ids, or a query giving them (a person's thousands of cases are better
    selected inside the statement than bound one parameter each).

    Up to :data:`COUNT_LIMIT` hits are sorted by the time of the message (messages without a
    time last); beyond that they are listed in the order they were stored (the index's own
    order, which needs no sort)."""
    if not isinstance(case_ids, Select) and not case_ids:
        return Found(0, False, [], False)
    stmt, stored = matching(s, terms, case_ids, f)
    counted = int(
        s.execute(
            select(func.count()).select_from(stmt.limit(COUNT_LIMIT + 1).subquery())
        ).scalar_one()
    )
    more = counted > COUNT_LIMIT
    newest = order == "newest"
    if more:
        by: tuple[Any, ...] = (stored.desc() if newest else stored.asc(),)
    elif newest:
        by = (MessageRow.sent_at.desc().nulls_last(), MessageRow.id.desc())
    else:
        by = (MessageRow.sent_at.asc().nulls_last(), MessageRow.id.asc())
    rows = s.execute(stmt.order_by(*by).offset(offset).limit(limit + 1)).all()
    page = [(int(r[0]), int(r[1]), int(r[2])) for r in rows[:limit]]
    return Found(min(counted, COUNT_LIMIT), more, page, len(rows) > limit)


def matching(
    s: Session, terms: Sequence[Term], case_ids: Sequence[int] | Select[Any], f: Filters
) -> tuple[Select[int, int, int], ColumnElement[Any]]:
    """The messages of ``case_ids`` matching the terms and filters (unordered), and the
    index's message id column (ordering by it follows the index)."""
    if s.get_bind().dialect.name == "sqlite":
        fts = table("search_index", column("rowid"))
        message_id = fts.c.rowid
        match = text("search_index MATCH :match").bindparams(match=fts5_match(terms))
    else:
        fts = table("search_index", column("message_id"))
        message_id = fts.c.message_id
        match = text("search_index.tsv @@ CAST(:match AS tsquery)").bindparams(
            match=pg_tsquery(terms)
        )
    stmt = (
        select(MessageRow.id, MessageRow.conversation_id, MessageRow.seq)
        .select_from(fts)
        .join(MessageRow, MessageRow.id == message_id)
        .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
        .where(match, ConversationRow.case_id.in_(case_ids))
    )
    if f.platform:
        stmt = stmt.where(func.lower(ConversationRow.platform) == f.platform.lower())
    if f.participant:
        who = f.participant
        stmt = stmt.where(
            MessageRow.sender_id.in_(
                select(ParticipantRow.id).where(
                    or_(
                        ParticipantRow.platform_id == who,
                        func.lower(ParticipantRow.platform_id) == who.lower(),
                        func.lower(ParticipantRow.display_name) == who.lower(),
                    )
                )
            )
        )
    if f.date_from is not None:
        stmt = stmt.where(MessageRow.sent_at >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(MessageRow.sent_at < f.date_to)
    if f.category:
        stmt = stmt.where(
            exists().where(
                FindingRow.conversation_id == MessageRow.conversation_id,
                FindingRow.message_seq == MessageRow.seq,
                FindingRow.category == f.category,
            )
        )
    return stmt, message_id
