"""The shared image routes (:func:`vigil.web.images.image_routes`) on a tiny app of their own.

The media and capture tests (and the access matrix) run these routes against real services;
here the image maker is a stand-in that records what it was asked for, so that what the
helper itself does is checked: the page and its API twin, the query parameters passed on,
a purpose stated before the image is made (and only on the API), nothing made or stated when
a parameter is invalid, the JPEG answer that no cache may keep, and the OpenAPI entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Path
from fastapi.testclient import TestClient

from vigil.media.blur import Thumbnail
from vigil.services.access import Principal
from vigil.services.workspace import Workspace
from vigil.web import images
from vigil.web.deps import current_user, get_ws

PAGE = "/cases/OP-IMG/things/7/pic"
API = "/api/v1" + PAGE
PIXELS = b"\xff\xd8\xff\xe0 stand-in jpeg bytes"
USER = Principal(1, "img.tester", "investigator", None, "session-key-1")
WS = object()  # the handlers pass it on untouched


@dataclass
class Calls:
    made: list[tuple[Any, ...]] = field(default_factory=list)
    stated: list[tuple[Any, ...]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)


def _thing(
    thing_id: Annotated[int, Path(ge=1, le=1000, description="A thing")],
) -> images.MakeImage:
    def make(ws: Workspace, user: Principal, case_ref: str, reason: str | None) -> Thumbnail:
        CALLS.made.append((ws, user, case_ref, thing_id, reason))
        CALLS.order.append("made")
        return Thumbnail(PIXELS, 1, 1, reason is None, "stand-in")

    return make


CALLS = Calls()


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    def state_purpose(ws: Any, user: Any, case_ref: str, purpose: str) -> str:
        CALLS.stated.append((ws, user, case_ref, purpose))
        CALLS.order.append("stated")
        return purpose

    monkeypatch.setattr(images, "state_purpose", state_purpose)
    CALLS.made.clear()
    CALLS.stated.clear()
    CALLS.order.clear()
    pages = APIRouter(include_in_schema=False)
    api = APIRouter(prefix="/api/v1", tags=["things"])
    images.image_routes(
        pages,
        api,
        "/cases/{case_ref}/things/{thing_id}/pic",
        name="pic",
        summary="A thing's picture (blurred unless a reason)",
        image=_thing,
    )
    app = FastAPI()
    app.include_router(pages)
    app.include_router(api)
    app.dependency_overrides[get_ws] = lambda: WS
    app.dependency_overrides[current_user] = lambda: USER
    with TestClient(app) as c:
        yield c


def _is_image(r: Any) -> None:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["cache-control"] == "no-store"
    assert r.content == PIXELS


def test_the_page_is_blurred_unless_a_reason_is_given(client: TestClient) -> None:
    _is_image(client.get(PAGE))
    _is_image(client.get(PAGE, params={"reason": "compare with the seized phone"}))
    assert CALLS.made == [
        (WS, USER, "OP-IMG", 7, None),
        (WS, USER, "OP-IMG", 7, "compare with the seized phone"),
    ]


def test_the_page_takes_no_purpose(client: TestClient) -> None:
    # a page states its purpose through the case's purpose form, never through the image URL
    _is_image(client.get(PAGE, params={"purpose": "interview planning"}))
    assert CALLS.stated == []
    assert CALLS.made == [(WS, USER, "OP-IMG", 7, None)]


def test_the_api_states_a_given_purpose_before_making_the_image(client: TestClient) -> None:
    _is_image(client.get(API, params={"purpose": "interview planning", "reason": "grading"}))
    assert CALLS.stated == [(WS, USER, "OP-IMG", "interview planning")]
    assert CALLS.made == [(WS, USER, "OP-IMG", 7, "grading")]
    assert CALLS.order == ["stated", "made"]


def test_the_api_without_a_purpose_states_none(client: TestClient) -> None:
    _is_image(client.get(API))
    assert CALLS.stated == []
    assert CALLS.made == [(WS, USER, "OP-IMG", 7, None)]


@pytest.mark.parametrize(
    "url, params",
    [
        ("/api/v1/cases/OP-IMG/things/0/pic", {"purpose": "interview planning"}),
        ("/api/v1/cases/OP-IMG/things/x/pic", {"purpose": "interview planning"}),
        (API, {"purpose": "why"}),  # under four characters
        (API, {"purpose": "interview planning", "reason": "r" * 501}),
        ("/cases/OP-IMG/things/1001/pic", {}),
        (PAGE, {"reason": "r" * 501}),
    ],
)
def test_an_invalid_request_makes_and_states_nothing(
    client: TestClient, url: str, params: dict[str, str]
) -> None:
    r = client.get(url, params=params)
    assert r.status_code == 422
    assert CALLS.made == [] and CALLS.stated == []


def test_the_api_twin_is_documented_and_the_page_is_not(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert list(schema["paths"]) == ["/api/v1/cases/{case_ref}/things/{thing_id}/pic"]
    op = schema["paths"]["/api/v1/cases/{case_ref}/things/{thing_id}/pic"]["get"]
    assert op["operationId"] == "pic_api_api_v1_cases__case_ref__things__thing_id__pic_get"
    assert op["summary"] == "A thing's picture (blurred unless a reason)"
    assert "description" not in op
    assert [(p["name"], p["in"], p["required"]) for p in op["parameters"]] == [
        ("case_ref", "path", True),
        ("thing_id", "path", True),
        ("reason", "query", False),
        ("purpose", "query", False),
    ]
    assert op["responses"]["200"]["content"] == {"image/jpeg": {}}
    assert op["responses"]["428"]["description"] == "no purpose stated for this case yet"
