"""Intelligence pages of a case: identifiers, cross-case hits, the link graph, exports (issue 17 item 4)."""

from __future__ import annotations

from fastapi import APIRouter

from vigil.web.deps import API_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["intel"], responses=API_ERRORS)
