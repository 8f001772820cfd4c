"""Media pages of a case: blurred thumbnails, matches, two-person grading, exposure log (issue 17 item 4).

Every handler calls one function of :mod:`vigil.services.media.pages`, which checks need to know
(and the stated purpose where it shows material) and writes the custody entry. Thumbnails are
blurred; the unblurred one needs a reason and is logged as exposure; they are answered as the
capture screenshots are (:mod:`vigil.web.images`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from vigil.services import links
from vigil.services.listing import ListQuery
from vigil.services.media.pages import (
    MEDIA_SORTS,
    ExposureLog,
    MediaPage,
    exposure_log,
    grade_item,
    item_thumbnail,
    media_page,
    resolve_item,
)
from vigil.services.media.review import ReviewItem
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.images import NEEDS_PURPOSE, MakeImage, Purpose, image_routes, state_if_given
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["media"], responses=API_ERRORS)

MediaQuery = Annotated[ListQuery, Depends(list_query(MEDIA_SORTS))]
ItemId = Annotated[int, Path(ge=1, le=2**62, description="A media item of the case")]
GradeText = Annotated[str, Form(min_length=1, max_length=32)]


class GradeIn(BaseModel):
    grade: str = Field(min_length=1, max_length=32, description="A, B, C or not_indecent")


class ResolveIn(BaseModel):
    grade: str = Field(min_length=1, max_length=32, description="The grade that stands")
    reason: str = Field(min_length=4, max_length=1000, description="Why (kept with it)")


def _media_url(case_ref: str, item_id: ItemId) -> str:
    return f"{links.case(case_ref)}/media#item-{int(item_id)}"


@pages.get("/cases/{case_ref}/media")
def media_view(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: MediaQuery
) -> HTMLResponse:
    p = media_page(ws, user, case_ref, query)
    return page(request, "media.html", {"m": p, "sorts": MEDIA_SORTS})


@pages.get("/cases/{case_ref}/media/exposures")
def exposures_view(
    request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str
) -> HTMLResponse:
    return page(request, "media_exposures.html", {"e": exposure_log(ws, user, case_ref)})


@api.get(
    "/cases/{case_ref}/media",
    response_model=MediaPage,
    summary="A case's media: matches and grading (no pixels)",
    responses=NEEDS_PURPOSE,
)
def media_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, query: MediaQuery, purpose: Purpose = None
) -> MediaPage:
    """A page of the case's media items with their hash-list matches (list, category, distance)
    and grading state; each thumbnail is a separate, blurred, logged request. Logged."""
    state_if_given(ws, user, case_ref, purpose)
    return media_page(ws, user, case_ref, query)


@api.get(
    "/cases/{case_ref}/media/exposures",
    response_model=ExposureLog,
    summary="Unblurred views of the case's media (welfare)",
)
def exposures_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> ExposureLog:
    """Your own unblurred views on this case; a supervisor sees everyone's on their cases."""
    return exposure_log(ws, user, case_ref)


def _thumb(item_id: ItemId) -> MakeImage:
    return lambda ws, user, case_ref, reason: item_thumbnail(
        ws, user, case_ref, item_id, unblur_reason=reason
    )


image_routes(
    pages,
    api,
    "/cases/{case_ref}/media/{item_id}/thumb",
    name="thumb",
    summary="A media item's thumbnail (blurred; unblurred with a reason, logged as exposure)",
    image=_thumb,
)


@pages.post("/cases/{case_ref}/media/{item_id}/grade")
def grade_submit(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, item_id: ItemId, grade: GradeText
) -> RedirectResponse:
    grade_item(ws, user, case_ref, item_id, grade)
    return RedirectResponse(_media_url(case_ref, item_id), status_code=303)


@pages.post("/cases/{case_ref}/media/{item_id}/resolve")
def resolve_submit(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    item_id: ItemId,
    grade: GradeText,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> RedirectResponse:
    resolve_item(ws, user, case_ref, item_id, grade, reason)
    return RedirectResponse(_media_url(case_ref, item_id), status_code=303)


@api.post(
    "/cases/{case_ref}/media/{item_id}/grade",
    response_model=ReviewItem | None,
    summary="Grade a media item (two different people grade each)",
)
def grade_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, item_id: ItemId, body: GradeIn
) -> ReviewItem | None:
    return grade_item(ws, user, case_ref, item_id, body.grade)


@api.post(
    "/cases/{case_ref}/media/{item_id}/resolve",
    response_model=ReviewItem,
    summary="Resolve two graders' disagreement (a supervisor who did not grade it)",
)
def resolve_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, item_id: ItemId, body: ResolveIn
) -> ReviewItem:
    return resolve_item(ws, user, case_ref, item_id, body.grade, body.reason)
