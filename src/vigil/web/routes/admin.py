"""Administration: users, roles, case membership, account state, recent sign-ins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from vigil.services import sessions, users
from vigil.services.access import require_global
from vigil.services.browse import (
    MEMBERSHIP_SORTS,
    USER_SORTS,
    Member,
    UserRow,
    memberships_page,
    users_page,
)
from vigil.services.browse import Membership as CaseMembership
from vigil.services.listing import ListQuery, Page
from vigil.services.users import UserInfo, user_id
from vigil.web.deps import API_ERRORS, CurrentUser, UserWorkspace
from vigil.web.lists import list_query
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["administration"], responses=API_ERRORS)

Name = Annotated[str, Form(min_length=1, max_length=64)]
UsersQuery = Annotated[ListQuery, Depends(list_query(USER_SORTS))]
MembershipQuery = Annotated[ListQuery, Depends(list_query(MEMBERSHIP_SORTS))]
MemberFilter = Annotated[
    Member, Query(description="yes: only cases the user is on; no: only the others")
]


def _back(username: str | None = None) -> RedirectResponse:
    return RedirectResponse(
        f"/admin/users/{username}" if username else "/admin/users", status_code=303
    )


@pages.get("/admin/users")
def users_html(
    request: Request, ws: UserWorkspace, user: CurrentUser, query: UsersQuery
) -> HTMLResponse:
    p = users_page(ws, user, query)
    ctx = {"p": p, "sorts": USER_SORTS, "signins": users.sign_in_events(ws, 50)}
    return page(request, "admin_users.html", ctx)


@pages.post("/admin/users")
def create_user_form(
    ws: UserWorkspace, user: CurrentUser, username: Name, role: Name,
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    display_name: Annotated[str, Form(max_length=256)] = "",
) -> RedirectResponse:  # fmt: skip
    require_global(user, "admin")
    users.create_user(ws, username, role, display_name or None, password)
    return _back(username)


@pages.get("/admin/users/{username}")
def user_page(
    request: Request, ws: UserWorkspace, user: CurrentUser, username: str,
    query: MembershipQuery, member: MemberFilter = "",
) -> HTMLResponse:  # fmt: skip
    require_global(user, "admin")
    p = memberships_page(ws, user, username, query, member)
    ctx = {"u": users.show_user(ws, username), "p": p, "sorts": MEMBERSHIP_SORTS,
           "member": member}  # fmt: skip
    return page(request, "admin_user.html", ctx)


@pages.post("/admin/users/{username}/role")
def role_form(ws: UserWorkspace, user: CurrentUser, username: str, role: Name) -> RedirectResponse:
    require_global(user, "admin")
    users.set_role(ws, username, role)
    return _back(username)


@pages.post("/admin/users/{username}/membership")
def membership_form(
    ws: UserWorkspace, user: CurrentUser, username: str, case_ref: Name,
    member: Annotated[str, Form(pattern="^(add|remove)$")],
) -> RedirectResponse:  # fmt: skip
    require_global(user, "admin")
    users.set_membership(ws, username, case_ref, member == "add")
    return _back(username)


@pages.post("/admin/users/{username}/state")
def state_form(
    ws: UserWorkspace, user: CurrentUser, username: str,
    change: Annotated[str, Form(pattern="^(unlock|disable|enable)$")],
) -> RedirectResponse:  # fmt: skip
    require_global(user, "admin")
    if change == "unlock":
        users.unlock(ws, username)
    else:
        users.set_disabled(ws, username, change == "disable")
        if change == "disable":
            sessions.end_all_for(ws, user_id(ws, username))
    return _back(username)


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=32)
    display_name: str | None = Field(default=None, max_length=256)
    password: str | None = Field(default=None, min_length=1, max_length=1024)


class Membership(BaseModel):
    case_ref: str = Field(min_length=1, max_length=64)
    member: bool = True


class RoleChange(BaseModel):
    role: str = Field(min_length=1, max_length=32)


@api.get("/users", response_model=Page[UserRow], summary="Users, a page at a time (administrators)")
def users_api(ws: UserWorkspace, user: CurrentUser, query: UsersQuery) -> Page[UserRow]:
    """A page of the accounts (with the number of cases each is on), searched by ``q`` in
    usernames, names and roles."""
    return users_page(ws, user, query)


@api.get(
    "/users/{username}/memberships",
    response_model=Page[CaseMembership],
    summary="Cases and whether a user is on each (administrators)",
)
def memberships_api(
    ws: UserWorkspace, user: CurrentUser, username: str, query: MembershipQuery,
    member: MemberFilter = "",
) -> Page[CaseMembership]:  # fmt: skip
    """A page of every case with ``member`` true where the user is on it; ``member=yes`` or
    ``no`` narrows to either; ``q`` searches references, titles and units."""
    return memberships_page(ws, user, username, query, member)


@api.post("/users", response_model=UserInfo, status_code=201, summary="Create a user")
def create_user_api(ws: UserWorkspace, user: CurrentUser, body: UserCreate) -> UserInfo:
    require_global(user, "admin")
    return users.create_user(ws, body.username, body.role, body.display_name, body.password)


@api.post("/users/{username}/role", response_model=UserInfo, summary="Change a user's role")
def role_api(ws: UserWorkspace, user: CurrentUser, username: str, body: RoleChange) -> UserInfo:
    require_global(user, "admin")
    return users.set_role(ws, username, body.role)


@api.post(
    "/users/{username}/membership", response_model=UserInfo, summary="Add to or remove from a case"
)
def membership_api(
    ws: UserWorkspace, user: CurrentUser, username: str, body: Membership
) -> UserInfo:
    require_global(user, "admin")
    users.set_membership(ws, username, body.case_ref, body.member)
    return users.show_user(ws, username)
