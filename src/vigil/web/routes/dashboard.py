"""The dashboard: my triage queue across my cases, newest evidence, extension panels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vigil.services.listing import ListQuery
from vigil.services.triage.queue import TRIAGE_SORTS, Dashboard, triage_queue
from vigil.web import extensions
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["triage"], responses=API_ERRORS)

TriageQuery = Annotated[ListQuery, Depends(list_query(TRIAGE_SORTS))]


@pages.get("/")
def dashboard_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, query: TriageQuery
) -> HTMLResponse:
    d = triage_queue(ws, user, query, panels=extensions.DASHBOARD_PANELS)
    return page(request, "dashboard.html", {"d": d, "sorts": TRIAGE_SORTS})


@api.get("/triage", response_model=Dashboard, summary="My triage queue across my cases")
def dashboard_api(ws: WorkspaceDep, user: CurrentUser, query: TriageQuery) -> Dashboard:
    """A page of the conversations of the caller's cases, ranked by urgency, then flagged,
    then risk (or as ``sort`` and ``order`` say), searched by ``q`` in titles, platforms and
    case references; read from stored assessments (no message text)."""
    return triage_queue(ws, user, query, panels=extensions.DASHBOARD_PANELS)
