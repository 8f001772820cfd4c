"""Media pages of a case: blurred thumbnails, matches, two-person grading, exposure log (issue 17 item 4)."""

from __future__ import annotations

from fastapi import APIRouter

from vigil.web.deps import API_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["media"], responses=API_ERRORS)
