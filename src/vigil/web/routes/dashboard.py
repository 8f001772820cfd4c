"""The dashboard: my triage queue across my cases, newest evidence, extension panels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from vigil.services.listing import ListQuery
from vigil.services.review.model import STATE_LABELS, STATES
from vigil.services.triage.queue import TRIAGE_SORTS, Dashboard, triage_queue
from vigil.web import extensions
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["triage"], responses=API_ERRORS)

TriageQuery = Annotated[ListQuery, Depends(list_query(TRIAGE_SORTS))]
ReviewState = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(STATES) + ")?$",
        description="Only conversations in this review state (empty: every state)",
    ),
]


@pages.get("/")
def dashboard_page(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    query: TriageQuery,
    state: ReviewState = None,
) -> HTMLResponse:
    d = triage_queue(ws, user, query, panels=extensions.DASHBOARD_PANELS, state=state or None)
    ctx = {"d": d, "sorts": TRIAGE_SORTS, "review_states": STATE_LABELS}
    return page(request, "dashboard.html", ctx)


@api.get("/triage", response_model=Dashboard, summary="My triage queue across my cases")
def dashboard_api(
    ws: WorkspaceDep, user: CurrentUser, query: TriageQuery, state: ReviewState = None
) -> Dashboard:
    """A page of the conversations of the caller's cases, ranked by urgency, then flagged,
    then risk (or as ``sort`` and ``order`` say), searched by ``q`` in titles, platforms and
    case references, kept to one review ``state`` if given (each row's ``review`` is its
    state); read from stored assessments (no message text)."""
    return triage_queue(ws, user, query, panels=extensions.DASHBOARD_PANELS, state=state or None)
