"""Evidence in from the browser: streamed, resumable uploads and background jobs with progress (issue 17 item 1)."""

from __future__ import annotations

from fastapi import APIRouter

from vigil.web.deps import API_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["uploads"], responses=API_ERRORS)
