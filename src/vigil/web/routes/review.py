"""Review decisions on conversations and messages: state, notes, tags, bookmarks (issue 17 item 2)."""

from __future__ import annotations

from fastapi import APIRouter

from vigil.web.deps import API_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["review"], responses=API_ERRORS)
