"""What plugins are installed and what each adds (names and descriptions only, no case data)."""

from __future__ import annotations

from fastapi import APIRouter

from vigil import plugins
from vigil.web.deps import API_ERRORS, CurrentUser

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["plugins"], responses=API_ERRORS)


@api.get("/plugins", response_model=plugins.Installed, summary="Installed plugins")
def plugins_api(user: CurrentUser) -> plugins.Installed:
    """Every registered plugin (Vigil's own and outside ones) with the hooks it implements,
    and every signal type, hash-list format, export format, report format, case section and
    dashboard panel with the plugin that gives it. Any signed-in user may read it."""
    return plugins.describe()
