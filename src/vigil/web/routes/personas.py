"""Personas and authorisations: those covering operations of the caller's cases, with warnings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vigil.services.casework.sections import PersonaRow, my_personas
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["personas"], responses=API_ERRORS)


@pages.get("/personas")
def personas_page(request: Request, ws: WorkspaceDep, user: CurrentUser) -> HTMLResponse:
    return page(request, "personas.html", {"personas": my_personas(ws, user)})


@api.get("/personas", response_model=list[PersonaRow], summary="Personas on my cases")
def personas_api(ws: WorkspaceDep, user: CurrentUser) -> list[PersonaRow]:
    """Personas whose authorisations cover an operation of a case the caller is a member of
    (only those authorisations), with status, next review, expiry and warnings."""
    return my_personas(ws, user)
