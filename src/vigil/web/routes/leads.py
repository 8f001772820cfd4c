"""Leads from platform-scale runs in a case (issue 21 item 2; docs/scale.md, "In the browser").

``/cases/{ref}/leads`` lists the case's lead imports, each with the provenance of the Spark run
it came from (run id, input path and SHA-256, Vigil, Spark, taxonomy and model versions, who
imported it and when), and the leads most urgent and highest scored first, as
``vigil leads list`` orders them, each with the run's language check (a lead the run did not
check, its language having no patterns, is marked "not checked: language xx": its score says
nothing); filtered to flagged leads or to one import, a page at a time.
Members whose role writes in the case see a form that imports a run's results folder, read by
the server from its own disks. ``/api/v1/cases/{ref}/leads`` is the JSON twin of both.

Every handler calls one function of :mod:`vigil.services.leads`, as the command line does: it
checks need to know and the role, and writes the view or the import to the custody log. A lead
is for a trained person to review, never a verdict.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from vigil.errors import IntegrityError, ParseError, UserError
from vigil.services import links
from vigil.services.leads.importing import ImportReport, import_results
from vigil.services.leads.read import CaseLeads, list_leads
from vigil.services.listing import DEFAULT_LIMIT
from vigil.services.workspace import Workspace
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.lists import Limit, Offset
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["leads"], responses=API_ERRORS)

C = "/cases/{case_ref}/leads"
PATH_MAX = 4096
ImportRef = Annotated[
    str | None,
    Query(alias="import", min_length=1, max_length=96, description="Only this import's leads"),
]
Flagged = Annotated[bool, Query(description="Only the leads the run flagged")]


def _here(case_ref: str) -> str:
    return links.case(case_ref) + "/leads"


def _folder(text: str) -> FsPath:
    """The results folder as typed: a full path on the server."""
    text = text.strip()
    if not text or "\x00" in text or not FsPath(text).is_absolute():
        raise UserError(
            f"{text or 'no path'}: not a full path on the server",
            hint="give the full path of the folder `vigil scan --engine spark` wrote, "
            "e.g. /srv/runs/scores.parquet",
        )
    return FsPath(text)


def _import(ws: Workspace, case_ref: str, text: str, only_flagged: bool) -> ImportReport:
    """Import through the service; a folder that cannot be read is the user's to fix."""
    try:
        return import_results(ws, case_ref, _folder(text), only_flagged=only_flagged)
    except ParseError as exc:
        raise UserError(exc.message, hint="check the run's output; nothing was imported") from exc
    except OSError as exc:
        raise UserError(
            f"{text.strip()}: cannot be read ({exc.strerror or exc})",
            hint="the server reads the folder: check it is readable by the account Vigil runs as",
        ) from exc


def _page(
    request: Request,
    found: CaseLeads,
    *,
    error: UserError | IntegrityError | None = None,
    typed: str = "",
    only_flagged: bool = False,
) -> HTMLResponse:
    imported = request.query_params.get("imported")
    ctx = {
        "l": found,
        "here": _here(found.case_ref),
        "params": {"flagged": "true" if found.flagged_only else "", "import": found.import_ref},
        "imported": next((i for i in found.imports if i.ref == imported), None),
        "error": error,
        "typed": typed,
        "only_flagged": only_flagged,
    }
    return page(request, "leads.html", ctx, status=400 if error else 200)


@pages.get(C)
def leads_page(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    flagged: Flagged = False,
    import_ref: ImportRef = None,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> HTMLResponse:
    """The case's imports with their runs' provenance, and a page of its leads."""
    found = list_leads(ws.acting_for(user), case_ref, flagged_only=flagged, limit=limit,
                       offset=offset, import_ref=import_ref)  # fmt: skip
    return _page(request, found)


@pages.post(C + "/imports", response_model=None)
def import_submit(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    path: Annotated[str, Form(max_length=PATH_MAX)] = "",
    only_flagged: Annotated[str, Form(pattern="^(yes)?$")] = "",
) -> Response:
    """Import the run in the folder named; back to the page, with the import's leads. A
    refusal by the rules (not a folder, no manifest, the run already imported, a bad row) is
    shown with the form, what was typed kept."""
    acting = ws.acting_for(user)
    try:
        r = _import(acting, case_ref, path, only_flagged == "yes")
    except (UserError, IntegrityError) as exc:
        found = list_leads(acting, case_ref, limit=DEFAULT_LIMIT)
        return _page(request, found, error=exc, typed=path, only_flagged=only_flagged == "yes")
    target = f"{_here(r.case_ref)}?imported={quote(r.ref, safe='')}#import-{quote(r.ref)}"
    return RedirectResponse(target, status_code=303)


# --- the API ------------------------------------------------------------------------------


class ImportIn(BaseModel):
    """A Spark run's results folder on the server, to import into the case."""

    path: str = Field(
        min_length=2, max_length=PATH_MAX, pattern=r"^/[^\x00]*$",
        description="Full path of the folder `vigil scan --engine spark` wrote "
        "(with _vigil_run.json)",
    )  # fmt: skip
    only_flagged: bool = Field(False, description="Import the flagged rows only")


@api.get(C, response_model=CaseLeads, summary="A case's lead imports and leads")
def leads_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    flagged: Flagged = False,
    import_ref: ImportRef = None,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> CaseLeads:
    """The case's imports, each with its run's provenance, and the leads most urgent and
    highest scored first (``total`` match the filters). A lead is for a trained person to
    review, never a verdict. Logged as a view."""
    return list_leads(ws.acting_for(user), case_ref, flagged_only=flagged, limit=limit,
                      offset=offset, import_ref=import_ref)  # fmt: skip


@api.post(
    C + "/imports",
    response_model=ImportReport,
    status_code=201,
    summary="Import a Spark run's results folder as leads",
    responses={409: {"description": "the results differ from the run's manifest"}},
)
def import_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: ImportIn) -> ImportReport:
    """Register the folder as an exhibit of the case and import its rows as leads, with the
    run's provenance (membership and a role that writes; the same run once per case)."""
    return _import(ws.acting_for(user), case_ref, body.path, body.only_flagged)
