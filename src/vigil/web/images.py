"""The web's image routes, declared once: media thumbnails, capture screenshots and their crops.

Those routes show case material that may be abuse imagery, so they all answer the same way.
The image is blurred unless the caller gives a ``reason``; the service that makes it checks
need to know and the stated purpose and writes the custody entry (and, for a media item seen
unblurred, the welfare exposure row) before a byte is returned. The web side of that is here:
:func:`image_routes` registers an image as a page (``GET <path>``, for ``<img>`` tags) and as
its API twin (``GET /api/v1<path>``, which also takes a ``purpose`` and states it first), and
both answer with the JPEG that no cache may keep. A route module gives only what differs: the
path, the API summary, and a dependency that reads the route's own path parameters and returns
how to make the image (:data:`MakeImage`).

This module does not use ``from __future__ import annotations``: FastAPI reads the handlers'
annotations at run time, and theirs name the dependency given to :func:`image_routes`, a local
name that FastAPI could not resolve from an annotation postponed to a string.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vigil.media.blur import Thumbnail
from vigil.services.access import Principal, state_purpose
from vigil.services.workspace import Workspace
from vigil.web.deps import CurrentUser, WorkspaceDep

Purpose = Annotated[
    str | None,
    Query(min_length=4, max_length=500, description="Why you need it (stated once per case)"),
]
"""An API call's ``purpose`` for the case, stated by :func:`state_if_given` before the call."""
Reason = Annotated[
    str | None,
    Query(
        max_length=500,
        description="Why you must see it unblurred; given, the view is logged as exposure",
    ),
]
"""An image's ``reason``: without one the image is blurred."""

NEEDS_PURPOSE: dict[int | str, dict[str, Any]] = {
    428: {"description": "no purpose stated for this case yet"}
}
"""The OpenAPI entry of an API route that shows case material only once a purpose is stated."""
IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}}},
    **NEEDS_PURPOSE,
}
MEDIA_TYPE = "image/jpeg"
NO_STORE = {"Cache-Control": "no-store"}
"""Case material must not sit in caches (the security middleware marks every page so too)."""

MakeImage = Callable[[Workspace, Principal, str, str | None], Thumbnail]
"""Makes one image of a case: ``(workspace, user, case_ref, unblur_reason)``, blurred when
the reason is None. A service call, which checks access and writes custody itself."""


def state_if_given(ws: Workspace, user: Principal, case_ref: str, purpose: str | None) -> None:
    """Record the purpose an API call gave for the case. None given, the one stated earlier
    stands, and the service answers 428 where there is none."""
    if purpose:
        state_purpose(ws, user, case_ref, purpose)


def image_routes(
    pages: APIRouter,
    api: APIRouter,
    path: str,
    *,
    name: str,
    summary: str,
    image: Callable[..., MakeImage],
) -> None:
    """Register the image at ``path`` on ``pages`` (route ``<name>_view``, not in the OpenAPI
    schema) and on ``api`` (route ``<name>_api``, with ``summary``).

    ``image`` is a FastAPI dependency: its parameters are the path's own (all but
    ``{case_ref}``), validated and documented as usual, and it returns the :data:`MakeImage`
    for them. It must have no side effects, since it runs before the request's other
    parameters are checked.
    """
    Maker = Annotated[MakeImage, Depends(image)]

    # no docstrings: FastAPI would publish them as the operations' descriptions
    def view(
        ws: WorkspaceDep, user: CurrentUser, case_ref: str, make: Maker, reason: Reason = None
    ) -> Response:
        return _jpeg(make(ws, user, case_ref, reason))

    def view_api(
        ws: WorkspaceDep,
        user: CurrentUser,
        case_ref: str,
        make: Maker,
        reason: Reason = None,
        purpose: Purpose = None,
    ) -> Response:
        state_if_given(ws, user, case_ref, purpose)
        return view(ws, user, case_ref, make, reason)

    pages.add_api_route(path, view, methods=["GET"], name=f"{name}_view")
    api.add_api_route(
        path,
        view_api,
        methods=["GET"],
        name=f"{name}_api",
        summary=summary,
        response_class=Response,
        responses=IMAGE_RESPONSES,
    )


def _jpeg(image: Thumbnail) -> Response:
    return Response(image.data, media_type=MEDIA_TYPE, headers=NO_STORE)
