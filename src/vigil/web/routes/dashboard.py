"""The dashboard: my triage queue across my cases, newest evidence, extension panels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vigil.services.triage.queue import Dashboard, triage_queue
from vigil.web import extensions
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["triage"], responses=API_ERRORS)

Limit = Annotated[int, Query(ge=1, le=500)]


@pages.get("/")
def dashboard_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, limit: Limit = 50
) -> HTMLResponse:
    return page(
        request,
        "dashboard.html",
        {"d": triage_queue(ws, user, limit, panels=extensions.DASHBOARD_PANELS)},
    )


@api.get("/triage", response_model=Dashboard, summary="My triage queue across my cases")
def dashboard_api(ws: WorkspaceDep, user: CurrentUser, limit: Limit = 50) -> Dashboard:
    """Conversations of the caller's cases ranked by urgency then risk (no message text)."""
    return triage_queue(ws, user, limit, panels=extensions.DASHBOARD_PANELS)
