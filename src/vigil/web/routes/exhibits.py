"""Exhibits: hashes, acquisitions, custody log, and a re-hash (verify) on request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from vigil.services.evidence.exhibits import (
    ExhibitCheck,
    ExhibitDetail,
    case_exhibits,
    exhibit_detail,
    verify_exhibit,
)
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["exhibits"], responses=API_ERRORS)

ExhibitRef = Annotated[
    str, Query(min_length=1, max_length=64, description="Exhibit reference, e.g. SE/1")
]


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


@api.get(
    "/cases/{case_ref}/exhibits", response_model=list[dict[str, Any]], summary="A case's exhibits"
)
def exhibits_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> list[dict[str, Any]]:
    return case_exhibits(ws, user, case_ref)


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
