"""Cases: the ones I am on, one case's overview, stating a purpose, re-running the analysis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from vigil.services import links
from vigil.services.access import state_purpose
from vigil.services.cases import (
    CASE_SORTS,
    CONVERSATION_SORTS,
    AnalyseResult,
    CaseInfo,
    CaseOverview,
    analyse_case,
    case_overview,
    my_cases,
    purpose_for,
)
from vigil.services.listing import ListQuery, Page
from vigil.web import extensions
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import list_query
from vigil.web.render import page
from vigil.web.security import safe_next

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["cases"], responses=API_ERRORS)

CasesQuery = Annotated[ListQuery, Depends(list_query(CASE_SORTS))]
ConversationsQuery = Annotated[ListQuery, Depends(list_query(CONVERSATION_SORTS))]


class PurposeIn(BaseModel):
    purpose: str = Field(
        min_length=4, max_length=500, description="Why you need this case's material"
    )


class PurposeOut(BaseModel):
    case_ref: str
    purpose: str


@pages.get("/cases")
def cases_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, query: CasesQuery
) -> HTMLResponse:
    return page(request, "cases.html", {"p": my_cases(ws, user, query), "sorts": CASE_SORTS})


@pages.get("/cases/{case_ref}")
def case_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: ConversationsQuery
) -> HTMLResponse:
    c = case_overview(ws, user, case_ref, query, sections=extensions.CASE_SECTIONS)
    return page(request, "case.html", {"c": c, "sorts": CONVERSATION_SORTS})


@pages.get("/cases/{case_ref}/purpose")
def purpose_form(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str
) -> HTMLResponse:
    current = purpose_for(ws, user, case_ref)
    nxt = safe_next(request.query_params.get("next"), links.case(case_ref))
    return page(request, "purpose.html", {"case_ref": case_ref, "current": current, "next": nxt})


@pages.post("/cases/{case_ref}/purpose")
def purpose_submit(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    purpose: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=2048)] = "",
) -> RedirectResponse:
    state_purpose(ws, user, case_ref, purpose)
    return RedirectResponse(safe_next(next, links.case(case_ref)), status_code=303)


@pages.post("/cases/{case_ref}/analyse")
def analyse_submit(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str
) -> HTMLResponse:
    result = analyse_case(ws, user, case_ref)
    return page(request, "analysed.html", {"r": result})


@api.get("/cases", response_model=Page[CaseInfo], summary="Cases I am a member of")
def cases_api(ws: WorkspaceDep, user: CurrentUser, query: CasesQuery) -> Page[CaseInfo]:
    """A page of the caller's cases, searched by ``q`` in references, titles and units."""
    return my_cases(ws, user, query)


@api.get("/cases/{case_ref}", response_model=CaseOverview, summary="A case's overview")
def case_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: ConversationsQuery
) -> CaseOverview:
    """A page of conversations (ranked by urgency and risk unless ``sort`` says otherwise,
    searched by ``q`` in titles and platforms), the first exhibits, the timeline and the
    extension sections."""
    return case_overview(ws, user, case_ref, query, sections=extensions.CASE_SECTIONS)


@api.post("/cases/{case_ref}/purpose", response_model=PurposeOut, summary="State a purpose")
def purpose_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: PurposeIn) -> PurposeOut:
    """Say why you need this case's material; kept with every view made with this token."""
    return PurposeOut(case_ref=case_ref, purpose=state_purpose(ws, user, case_ref, body.purpose))


@api.post(
    "/cases/{case_ref}/analyse",
    response_model=AnalyseResult,
    summary="Analyse new or stale conversations",
)
def analyse_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> AnalyseResult:
    return analyse_case(ws, user, case_ref)
