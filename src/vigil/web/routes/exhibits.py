"""Exhibits: hashes, acquisitions, custody log, and a re-hash (verify) on request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from vigil.services.browse import EXHIBIT_SORTS, case_exhibits_page
from vigil.services.cases import ExhibitRow
from vigil.services.evidence.exhibits import (
    ExhibitCheck,
    ExhibitDetail,
    exhibit_detail,
    verify_exhibit,
)
from vigil.services.listing import ListQuery, Page
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["exhibits"], responses=API_ERRORS)

ExhibitRef = Annotated[
    str, Query(min_length=1, max_length=64, description="Exhibit reference, e.g. SE/1")
]
ExhibitsQuery = Annotated[ListQuery, Depends(list_query(EXHIBIT_SORTS))]


@pages.get("/cases/{case_ref}/exhibits")
def exhibits_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: ExhibitsQuery
) -> HTMLResponse:
    p = case_exhibits_page(ws, user, case_ref, query)
    return page(request, "exhibits.html", {"case_ref": case_ref, "p": p, "sorts": EXHIBIT_SORTS})


@pages.get("/cases/{case_ref}/exhibit")
def exhibit_page(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str, ref: ExhibitRef
) -> HTMLResponse:
    d = exhibit_detail(ws, user, case_ref, ref)
    return page(request, "exhibit.html", {"case_ref": case_ref, "d": d, "check": None})


@pages.post("/cases/{case_ref}/exhibit/verify")
def exhibit_verify(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    ref: Annotated[str, Form(min_length=1, max_length=64)],
) -> HTMLResponse:
    check = verify_exhibit(ws, user, case_ref, ref)
    d = exhibit_detail(ws, user, case_ref, ref)
    return page(request, "exhibit.html", {"case_ref": case_ref, "d": d, "check": check})


@api.get("/cases/{case_ref}/exhibits", response_model=Page[ExhibitRow], summary="A case's exhibits")
def exhibits_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: ExhibitsQuery
) -> Page[ExhibitRow]:
    """A page of the case's exhibits with their hashes, searched by ``q`` in references,
    names, types and SHA-256 prefixes; acquisitions are on the single exhibit."""
    return case_exhibits_page(ws, user, case_ref, query)


@api.get(
    "/cases/{case_ref}/exhibit",
    response_model=ExhibitDetail,
    summary="One exhibit with its custody log",
)
def exhibit_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, ref: ExhibitRef
) -> ExhibitDetail:
    return exhibit_detail(ws, user, case_ref, ref)


@api.post(
    "/cases/{case_ref}/exhibit/verify", response_model=ExhibitCheck, summary="Re-hash one exhibit"
)
def verify_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, ref: ExhibitRef) -> ExhibitCheck:
    """Re-hash the stored bytes against the registered SHA-256, SHA-1, MD5 and size; logged."""
    return verify_exhibit(ws, user, case_ref, ref)
