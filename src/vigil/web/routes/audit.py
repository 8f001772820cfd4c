"""Audit-log search (the custody log): who looked at or changed what, when, and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vigil.services.audit import AuditPage, search_audit
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["audit"], responses=API_ERRORS)

Text = Annotated[str | None, Query(max_length=256)]
Before = Annotated[int | None, Query(ge=1, le=2_000_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]


@pages.get("/audit")
def audit_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case: Text = None, actor: Text = None,
    action: Text = None, object_id: Text = None, text: Text = None, before: Before = None,
) -> HTMLResponse:  # fmt: skip
    f = {"case": case or "", "actor": actor or "", "action": action or "",
         "object_id": object_id or "", "text": text or ""}  # fmt: skip
    result = search_audit(
        ws, user, case_ref=case or None, actor=actor or None, action=action or None,
        object_id=object_id or None, text=text or None, before=before,
    )  # fmt: skip
    return page(request, "audit.html", {"r": result, "f": f})


@api.get("/audit", response_model=AuditPage, summary="Search the audit log")
def audit_api(
    ws: WorkspaceDep, user: CurrentUser, case: Text = None, actor: Text = None,
    action: Text = None, object_id: Text = None, text: Text = None, before: Before = None,
    limit: Limit = 100,
) -> AuditPage:  # fmt: skip
    """Newest first; pass ``before`` = ``next_before`` to continue."""
    return search_audit(
        ws, user, case_ref=case or None, actor=actor or None, action=action or None,
        object_id=object_id or None, text=text or None, before=before, limit=limit,
    )  # fmt: skip
