"""Review decisions on conversations and messages: state, notes, tags, bookmarks (issue 17 item 2).

The conversation page carries the forms (one route records any mix of a state, a note, a tag
added or taken off and a bookmark, on the conversation or on one message); the API reads a
conversation's review, a case's review list, and records a change. Every call goes through
:mod:`vigil.services.review`, which checks membership, role (``write`` to decide, ``read`` to
see) and purpose, and writes one custody entry per decision. Decisions are a trained
person's; Vigil's scores are leads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from vigil.services import links
from vigil.services.access import PurposeRequired
from vigil.services.review.decide import Recorded, decide
from vigil.services.review.model import MAX_SEQ, NOTE_MAX, STATES, TAG_MAX, Change
from vigil.services.review.read import (
    ConversationReview,
    ConversationSummary,
    case_review,
    conversation_review,
)
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.security import safe_next

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["review"], responses=API_ERRORS)

C = "/cases/{case_ref}"
STATE_PATTERN = "^(" + "|".join(STATES) + "|not relevant)?$"
Purpose = Annotated[
    str | None,
    Query(min_length=4, max_length=500, description="Why you need it (stated once per case)"),
]
StateFilter = Annotated[
    str | None, Query(pattern=STATE_PATTERN, description="Only conversations in this state")
]


def _seq(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() else None


@pages.post(C + "/conversations/{conv_id}/review")
def review_submit(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conv_id: int,
    seq: Annotated[str, Form(max_length=9, pattern=r"^[0-9]*$")] = "",
    state: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=NOTE_MAX + 200)] = "",
    tag: Annotated[str, Form(max_length=TAG_MAX + 20)] = "",
    untag: Annotated[str, Form(max_length=TAG_MAX + 20)] = "",
    bookmark: Annotated[str, Form(pattern="^(set|clear)?$")] = "",
    next: Annotated[str, Form(max_length=2048)] = "",
) -> RedirectResponse:
    """Record what the form says; back to the conversation, at the message decided on."""
    at = _seq(seq)
    back = links.conversation(case_ref, conv_id, f"m-{at}" if at else "review")
    change = Change(
        at, state or None, note or None, (tag,) if tag else (), (untag,) if untag else (),
        {"set": True, "clear": False}.get(bookmark),
    )  # fmt: skip
    try:
        decide(ws.acting_for(user), case_ref, conv_id, change)
    except PurposeRequired:  # the purpose lapsed: state it again, then decide again
        return RedirectResponse(links.purpose(case_ref, back), status_code=303)
    return RedirectResponse(safe_next(next, back), status_code=303)


class ReviewIn(BaseModel):
    """A change to record: any mix of a state, a note, tags and a bookmark."""

    seq: int | None = Field(
        None, ge=1, le=MAX_SEQ, description="A message's number; none: the conversation"
    )
    state: str | None = Field(None, pattern=STATE_PATTERN)
    note: str | None = Field(None, max_length=NOTE_MAX)
    tags_add: list[str] = Field(default_factory=list, max_length=20)
    tags_remove: list[str] = Field(default_factory=list, max_length=20)
    bookmark: bool | None = None
    purpose: str | None = Field(
        None, min_length=4, max_length=500, description="Why (else the one stated for the case)"
    )


@api.post(
    C + "/conversations/{conv_id}/review",
    response_model=Recorded,
    summary="Record a review decision on a conversation or one of its messages",
    responses={428: {"description": "no purpose stated for this case yet"}},
)
def review_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, conv_id: int, body: ReviewIn
) -> Recorded:
    """One custody entry per decision; returns what was recorded and what stands now."""
    change = Change(
        body.seq, body.state, body.note, tuple(body.tags_add), tuple(body.tags_remove),
        body.bookmark,
    )  # fmt: skip
    return decide(ws.acting_for(user), case_ref, conv_id, change, purpose=body.purpose)


@api.get(
    C + "/conversations/{conv_id}/review",
    response_model=ConversationReview,
    summary="A conversation's review: current state, tags, bookmarks, notes and history",
    responses={428: {"description": "no purpose stated for this case yet"}},
)
def review_history_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, conv_id: int, purpose: Purpose = None
) -> ConversationReview:
    return conversation_review(ws.acting_for(user), case_ref, conv_id, purpose=purpose)


@api.get(
    C + "/review",
    response_model=list[ConversationSummary],
    summary="Each conversation of a case with its review state",
    responses={428: {"description": "no purpose stated for this case yet"}},
)
def case_review_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    state: StateFilter = None,
    purpose: Purpose = None,
) -> list[ConversationSummary]:
    return case_review(ws.acting_for(user), case_ref, state=state or None, purpose=purpose)
