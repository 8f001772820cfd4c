"""Capture-session pages of a case (issue 18 item 4): the sessions list, one session's
captures with notes and transcript lines, and the blurred screenshot thumbnails and bubble
crops, as pages and as API.

Every handler calls one function of :mod:`vigil.services.capture.pages` or
:mod:`vigil.services.capture.images`, which checks need to know and the stated purpose and
writes the custody entry. Images are blurred; the unblurred one needs a reason and is logged
as exposure; they are answered as the media thumbnails are (:mod:`vigil.web.images`). A
session is addressed by its short reference within the case (``CS3``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from vigil.services.capture.images import capture_image
from vigil.services.capture.pages import (
    CAPTURE_SORTS,
    SESSION_SORTS,
    SessionPage,
    SessionsPage,
    session_page,
    sessions_page,
)
from vigil.services.listing import DEFAULT_LIMIT, ListQuery
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.images import NEEDS_PURPOSE, MakeImage, Purpose, image_routes, state_if_given
from vigil.web.lists import Limit, Offset
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["capture"], responses=API_ERRORS)

SessionRef = Annotated[
    str, Path(pattern=r"^CS[0-9]{1,9}$", description="A capture session of the case, e.g. CS2")
]
Seq = Annotated[int, Path(ge=1, le=2_000_000_000, description="A capture's number in the session")]
LineId = Annotated[int, Path(ge=1, le=2**62, description="A transcript line (OCR message) id")]


def _sessions_query(offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> ListQuery:
    return ListQuery.parse(SESSION_SORTS, offset=offset, limit=limit)


def _captures_query(offset: Offset = 0, limit: Limit = DEFAULT_LIMIT) -> ListQuery:
    return ListQuery.parse(CAPTURE_SORTS, offset=offset, limit=limit)


@pages.get("/cases/{case_ref}/capture")
def sessions_view(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> HTMLResponse:
    p = sessions_page(ws, user, case_ref, _sessions_query(offset, limit))
    return page(request, "capture_sessions.html", {"s": p})


@pages.get("/cases/{case_ref}/capture/{session_ref}")
def session_view(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    session_ref: SessionRef,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> HTMLResponse:
    p = session_page(ws, user, case_ref, session_ref, _captures_query(offset, limit))
    return page(request, "capture_session.html", {"s": p})


@api.get(
    "/cases/{case_ref}/capture",
    response_model=SessionsPage,
    summary="A case's capture sessions",
    responses=NEEDS_PURPOSE,
)
def sessions_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    purpose: Purpose = None,
) -> SessionsPage:
    """The case's capture sessions, oldest first: officer, persona, platform, authorisation,
    start and stop, counts of captures and notes. Logged."""
    state_if_given(ws, user, case_ref, purpose)
    return sessions_page(ws, user, case_ref, _sessions_query(offset, limit))


@api.get(
    "/cases/{case_ref}/capture/{session_ref}",
    response_model=SessionPage,
    summary="One capture session: captures, notes and transcript lines in time order",
    responses=NEEDS_PURPOSE,
)
def session_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    session_ref: SessionRef,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    purpose: Purpose = None,
) -> SessionPage:
    """A page of the session's captures (files, exhibit references and hashes, claimed times)
    with the notes written between them and, per screenshot, the OCR transcript lines read
    from it with their boxes and low-confidence spans. OCR text is a lead to check against the
    screenshot, never a verdict. Logged."""
    state_if_given(ws, user, case_ref, purpose)
    return session_page(ws, user, case_ref, session_ref, _captures_query(offset, limit))


def _thumb(session_ref: SessionRef, seq: Seq) -> MakeImage:
    return lambda ws, user, case_ref, reason: capture_image(
        ws, user, case_ref, session_ref, seq, unblur_reason=reason
    )


def _crop(session_ref: SessionRef, seq: Seq, line_id: LineId) -> MakeImage:
    return lambda ws, user, case_ref, reason: capture_image(
        ws, user, case_ref, session_ref, seq, line_id=line_id, unblur_reason=reason
    )


image_routes(
    pages,
    api,
    "/cases/{case_ref}/capture/{session_ref}/{seq}/thumb",
    name="thumb",
    summary="A screenshot capture's thumbnail (blurred; unblurred with a reason, as exposure)",
    image=_thumb,
)
image_routes(
    pages,
    api,
    "/cases/{case_ref}/capture/{session_ref}/{seq}/crop/{line_id}",
    name="crop",
    summary="A transcript line's bubble cut from its screenshot (blurred unless a reason)",
    image=_crop,
)
