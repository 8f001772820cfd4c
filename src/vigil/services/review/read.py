"""Reading review decisions: a conversation's history and marks, current states for lists,
the state filter of the triage queue and the case page, and a case's summary.

Reading decisions needs the ``read`` role on a member's case and a purpose (notes are written
about content); each read outside the conversation page (which records its own view) is a
``view`` entry in the custody log. Lists that show only each conversation's state (the triage
queue, the case page) read :func:`states_of` inside their own access checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.review import ReviewDecision, ReviewState
from vigil.services.access import Principal, record_view, require_act, role_allows
from vigil.services.review.model import STATE_LABELS, Decision, Marks, check_state, replay
from vigil.services.workspace import Workspace

ALL = 0
"""``only_seq`` for every decision of a conversation (messages are numbered from 1)."""
HISTORY_SHOWN = 200
"""Decisions the conversation page lists (newest first); the API and CLI have them all."""


def decisions_of(session: Session, conv_id: int, *, only_seq: int | None = ALL) -> list[Decision]:
    """A conversation's decisions in the order made (``only_seq``: None for those on the whole
    conversation, a number for one message's, :data:`ALL` for all), with who made each."""
    who = func.coalesce(User.display_name, User.username)
    stmt = (
        select(ReviewDecision.id, ReviewDecision.message_seq, ReviewDecision.kind,
               ReviewDecision.value, who, ReviewDecision.decided_at)
        .join(User, User.id == ReviewDecision.decided_by_id)
        .where(ReviewDecision.conversation_id == conv_id)
        .order_by(ReviewDecision.id)
    )  # fmt: skip
    if only_seq is None:
        stmt = stmt.where(ReviewDecision.message_seq.is_(None))
    elif only_seq != ALL:
        stmt = stmt.where(ReviewDecision.message_seq == only_seq)
    return [Decision(i, s, k, v, b, a) for i, s, k, v, b, a in session.execute(stmt).all()]


@dataclass(slots=True)
class ConversationReview:
    """A conversation's review: what stands for it and for its messages, and the history."""

    case_ref: str
    conversation_id: int
    marks: Marks
    messages: dict[int, Marks]
    """Marks standing on messages (those with any decision)."""
    history: list[Decision]
    """Newest first."""
    history_total: int
    may_decide: bool
    states: dict[str, str] = field(default_factory=lambda: dict(STATE_LABELS))


def review_of(
    session: Session, user: Principal, case_ref: str, conv_id: int, shown: int | None = None
) -> ConversationReview:
    """The review of a conversation the caller has already checked access to."""
    history = decisions_of(session, conv_id)
    marks = replay(history)
    total = len(history)
    newest = history[::-1][:shown] if shown is not None else history[::-1]
    return ConversationReview(
        case_ref, conv_id, marks.pop(None, Marks()), {k: v for k, v in marks.items() if k},
        newest, total, role_allows(user.role, "write"),
    )  # fmt: skip


def conversation_review(
    ws: Workspace, case_ref: str, conv_id: int, *, purpose: str | None = None
) -> ConversationReview:
    """The whole review of one conversation (the API and ``vigil review list``); logged."""
    from vigil.services.review.decide import purpose_for

    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "read", case_ref)
        case = session.execute(select(Case).where(Case.ref == case_ref)).scalar_one()
        conv = conversation_of(session, case, conv_id)
        why = purpose_for(session, user, case, now, purpose)
        out = review_of(session, user, case.ref, conv.id)
        record_view(session, user, case.ref, object_type="conversation", object_id=str(conv.id),
                    purpose=why, now=now,
                    details={"review": "history", "decisions": out.history_total})  # fmt: skip
    return out


def states_of(session: Session, conv_ids: Sequence[int]) -> dict[int, str]:
    """The current state of each conversation (unreviewed when none was decided)."""
    got: dict[int, str] = {}
    for i in range(0, len(conv_ids), 500):
        part = list(conv_ids[i : i + 500])
        got.update(
            session.execute(
                select(ReviewState.conversation_id, ReviewState.state).where(
                    ReviewState.conversation_id.in_(part)
                )
            ).all()
        )
    return {c: got.get(c, "unreviewed") for c in conv_ids}


def state_condition(state: str, conversation_id: Any) -> Any:
    """A SQL condition on ``conversation_id`` (a column) keeping conversations whose current
    state is ``state``."""
    s = check_state(state)
    if s == "unreviewed":
        decided = select(ReviewState.conversation_id).where(ReviewState.state != "unreviewed")
        return conversation_id.not_in(decided)
    return conversation_id.in_(select(ReviewState.conversation_id).where(ReviewState.state == s))


@dataclass(slots=True)
class ConversationSummary:
    """One conversation of a case as ``vigil review list`` shows it."""

    conversation_id: int
    platform: str
    title: str | None
    state: str
    state_by: str | None
    state_at: datetime | None
    tags: list[str]
    bookmarked: bool
    notes: int
    messages_marked: int
    """Messages with a standing state other than unreviewed, a tag, a bookmark or a note."""


def case_review(
    ws: Workspace, case_ref: str, *, state: str | None = None, purpose: str | None = None
) -> list[ConversationSummary]:
    """Each conversation of a case with its review (only those in ``state`` if given); logged."""
    from vigil.services.review.decide import purpose_for

    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "read", case_ref)
        case = session.execute(select(Case).where(Case.ref == case_ref)).scalar_one()
        why = purpose_for(session, user, case, now, purpose)
        stmt = select(ConversationRow).where(ConversationRow.case_id == case.id)
        if state:
            stmt = stmt.where(state_condition(state, ConversationRow.id))
        out = []
        for conv in session.execute(stmt.order_by(ConversationRow.id)).scalars():
            marks = replay(decisions_of(session, conv.id))
            m = marks.pop(None, Marks())
            out.append(ConversationSummary(
                conv.id, conv.platform, conv.title, m.state, m.state_by, m.state_at, m.tags,
                m.bookmarked, len(m.notes) + sum(len(x.notes) for x in marks.values()),
                sum(1 for x in marks.values() if x.touched),
            ))  # fmt: skip
        record_view(session, user, case.ref, object_type="case", object_id=case.ref,
                    purpose=why, now=now,
                    details={"review": "list", "state": state,
                             "conversations": [c.conversation_id for c in out]})  # fmt: skip
    return out


def conversation_of(session: Session, case: Case, conv_id: int) -> ConversationRow:
    """The conversation if it belongs to ``case`` (else NotFound)."""
    from vigil.services.conversations import conversation_in_case  # (it shows reviews)

    return conversation_in_case(session, case, conv_id)
