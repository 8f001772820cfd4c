"""Intelligence pages of a case: identifiers, cross-case hits, the link graph, exports (issue 17 item 4).

Every handler calls one function of :mod:`vigil.services.intel.pages`, which checks need to know
and the stated purpose and writes the custody entry; the page and its API twin get the same
answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from vigil.services.access import state_purpose
from vigil.services.intel.pages import (
    IDENTIFIER_SORTS,
    GraphData,
    IntelPage,
    export_download,
    graph_data,
    intel_page,
)
from vigil.services.listing import ListQuery
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["intel"], responses=API_ERRORS)

IdentifiersQuery = Annotated[ListQuery, Depends(list_query(IDENTIFIER_SORTS))]
Format = Annotated[
    str,
    Query(
        pattern=r"^[a-z0-9_-]{1,32}$",
        description="Export format: ftm, anx, maltego, graphml (or another registered one)",
    ),
]
Purpose = Annotated[
    str | None,
    Query(min_length=4, max_length=500, description="Why you need it (stated once per case)"),
]
NEEDS_PURPOSE: dict[int | str, dict[str, Any]] = {
    428: {"description": "no purpose stated for this case yet"}
}


def _download(ws: WorkspaceDep, user: CurrentUser, case_ref: str, fmt: str) -> Response:
    d = export_download(ws, user, case_ref, fmt)
    name = d.filename.replace('"', "")
    return Response(
        d.data,
        media_type=d.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@pages.get("/cases/{case_ref}/intel")
def intel_view(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: IdentifiersQuery
) -> HTMLResponse:
    p = intel_page(ws, user, case_ref, query)
    g = graph_data(ws, user, case_ref)
    return page(request, "intel.html", {"i": p, "g": g, "sorts": IDENTIFIER_SORTS})


@pages.get("/cases/{case_ref}/intel/graph.json")
def intel_graph_json(ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> GraphData:
    return graph_data(ws, user, case_ref)


@pages.get("/cases/{case_ref}/intel/export")
def intel_export(ws: WorkspaceDep, user: CurrentUser, case_ref: str, format: Format) -> Response:
    return _download(ws, user, case_ref, format)


@api.get(
    "/cases/{case_ref}/intel",
    response_model=IntelPage,
    summary="A case's identifiers and cross-case hits",
    responses=NEEDS_PURPOSE,
)
def intel_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    query: IdentifiersQuery,
    purpose: Purpose = None,
) -> IntelPage:
    """A page of the case's identifiers (kind, value, validation, where seen) and its cross-case
    hits, each naming only the unit and officer to contact about the other case. Logged."""
    if purpose:
        state_purpose(ws, user, case_ref, purpose)
    return intel_page(ws, user, case_ref, query)


@api.get(
    "/cases/{case_ref}/intel/graph.json",
    response_model=GraphData,
    summary="A case's link graph as nodes and edges",
    responses=NEEDS_PURPOSE,
)
def graph_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, purpose: Purpose = None
) -> GraphData:
    """People, accounts, identifiers and conversations of this case and their links. Logged."""
    if purpose:
        state_purpose(ws, user, case_ref, purpose)
    return graph_data(ws, user, case_ref)


@api.get(
    "/cases/{case_ref}/intel/export",
    summary="Download the link graph for i2, Maltego, followthemoney or graph tools",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}, "text/csv": {}}}, **NEEDS_PURPOSE},
)
def export_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, format: Format, purpose: Purpose = None
) -> Response:
    """The export as a file, recorded in the custody log like ``vigil intel export``."""
    if purpose:
        state_purpose(ws, user, case_ref, purpose)
    return _download(ws, user, case_ref, format)
