"""Audit-log search (the custody log): who looked at or changed what, when, and why.

Administrators and auditors search all of it; supervisors (whose role audits the cases they
are on) the entries of their cases. The page and ``GET /api/v1/audit`` call the same service.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from vigil.services.browse import AUDIT_SORTS, AuditFilters, AuditList, audit_page
from vigil.services.listing import ListQuery
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["audit"], responses=API_ERRORS)

Text = Annotated[str | None, Query(max_length=256)]
Day = Annotated[date | None, Query(description="YYYY-MM-DD (UTC), inclusive")]
Before = Annotated[int | None, Query(ge=1, le=2_000_000_000)]
AuditQuery = Annotated[ListQuery, Depends(list_query(AUDIT_SORTS))]


def audit_filters(
    case: Text = None, actor: Text = None, action: Text = None, object_id: Text = None,
    date_from: Annotated[date | None, Query(alias="from", description="first day, YYYY-MM-DD (UTC)")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="last day, YYYY-MM-DD (UTC)")] = None,
    before: Before = None,
) -> AuditFilters:  # fmt: skip
    return AuditFilters(case or None, actor or None, action or None, object_id or None,
                        date_from, date_to, before)  # fmt: skip


Filters = Annotated[AuditFilters, Depends(audit_filters)]


def _with_text(query: ListQuery, text: str | None) -> ListQuery:
    """``text`` is the older name of ``q``."""
    return query if query.q or not text else ListQuery.parse(
        AUDIT_SORTS, text, query.sort, query.order, query.offset, query.limit
    )  # fmt: skip


@pages.get("/audit")
def audit_html(
    request: Request, ws: WorkspaceDep, user: CurrentUser, query: AuditQuery, f: Filters,
    text: Text = None,
) -> HTMLResponse:  # fmt: skip
    r = audit_page(ws, user, _with_text(query, text), f)
    params = {"case": r.case, "actor": r.actor, "action": r.action, "object_id": r.object_id,
              "from": r.date_from, "to": r.date_to}  # fmt: skip
    return page(request, "audit.html", {"r": r, "params": params, "sorts": AUDIT_SORTS})


@api.get("/audit", response_model=AuditList, summary="Search the audit log")
def audit_api(
    ws: WorkspaceDep, user: CurrentUser, query: AuditQuery, f: Filters, text: Text = None
) -> AuditList:
    """A page of the log, newest first: ``q`` (or ``text``) searches purposes, details and
    object references; ``case``, ``actor``, ``action``, ``object_id`` narrow it, ``from`` and
    ``to`` give a date range (UTC days, inclusive). Page with ``offset``, or pass ``before`` =
    ``next_before`` to continue."""
    return audit_page(ws, user, _with_text(query, text), f)
