"""Case-work forms: new case, authorisations, suspects, children, offences, outcomes, referrals (issue 17 item 5)."""

from __future__ import annotations

from fastapi import APIRouter

from vigil.web.deps import API_ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["casework"], responses=API_ERRORS)
