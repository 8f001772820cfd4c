"""My account: who I am, my API tokens, my password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from vigil.services import access, sessions, users
from vigil.web.deps import API_ERRORS, CurrentUser, UserWorkspace, client_ip
from vigil.web.render import page
from vigil.web.routes.auth import set_cookie
from vigil.web.security import SESSION_COOKIE

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["account"], responses=API_ERRORS)


class Me(BaseModel):
    username: str
    display_name: str | None
    role: str
    cases: list[str]


def _account(
    request: Request, ws: UserWorkspace, user: CurrentUser, **extra: object
) -> HTMLResponse:
    ctx = {
        "me": users.show_user(ws, user.username),
        "tokens": access.list_tokens(ws, user.username),
        **extra,
    }
    return page(request, "account.html", ctx)


@pages.get("/account")
def account_page(request: Request, ws: UserWorkspace, user: CurrentUser) -> HTMLResponse:
    return _account(request, ws, user)


@pages.post("/account/tokens")
def token_create(
    request: Request, ws: UserWorkspace, user: CurrentUser,
    name: Annotated[str, Form(min_length=1, max_length=128)],
) -> HTMLResponse:  # fmt: skip
    token, _ = access.create_token(ws, user.username, name)
    return _account(request, ws, user, new_token=token)


@pages.post("/account/tokens/{token_id}/revoke")
def token_revoke(ws: UserWorkspace, user: CurrentUser, token_id: int) -> RedirectResponse:
    access.revoke_token(ws, user.username, token_id)
    return RedirectResponse("/account", status_code=303)


@pages.post("/account/password")
def password_change(
    request: Request, ws: UserWorkspace, user: CurrentUser,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
) -> HTMLResponse:  # fmt: skip
    checked, _ = users.check_password(ws, user.username, current, client_ip(request))
    if checked is None:
        return _account(request, ws, user, error="The current password was not accepted.")
    users.set_password(ws, user.username, new)  # ends every session and revokes every token
    token = sessions.start(
        ws, user.user_id, "ok", client_ip(request), request.headers.get("user-agent")
    )
    fresh = sessions.load(ws, token)
    assert fresh is not None
    request.state.csrf = fresh.csrf  # the page's forms belong to the new session
    resp = _account(
        request,
        ws,
        user,
        message="Password changed. You are signed out everywhere else and your API tokens "
        "are revoked.",
    )
    set_cookie(request, resp, SESSION_COOKIE, token)  # this browser stays in, on a new session
    return resp


@api.get("/me", response_model=Me, summary="Who the token or session belongs to")
def me_api(ws: UserWorkspace, user: CurrentUser) -> Me:
    info = users.show_user(ws, user.username)
    return Me(
        username=info.username, display_name=info.display_name, role=info.role, cases=info.cases
    )
