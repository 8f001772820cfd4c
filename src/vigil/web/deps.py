"""Typed request dependencies: the workspace, a database session, the signed-in user.

A request is signed in either by an API token (``Authorization: Bearer vgl_...``) or by the
session cookie of a browser that passed password and TOTP. A state-changing request signed in
by cookie must also carry the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from vigil.services import sessions
from vigil.services.access import Principal, as_user, token_principal
from vigil.services.workspace import Workspace
from vigil.web.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, same

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_ERR = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}, "hint": {"type": "string"}},
        }
    }
}
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a mistake in the request", "content": _ERR},
    401: {"description": "no valid API token", "content": _ERR},
    403: {
        "description": "not a member of the case, or the role does not allow it",
        "content": _ERR,
    },
    404: {"description": "no such object in this case", "content": _ERR},
}


class NotSignedIn(Exception):
    """No valid session or token: pages redirect to sign-in, the API answers 401."""


class CsrfFailed(Exception):
    """A state-changing request signed in by cookie without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Auth:
    principal: Principal
    via: str  # "session" or "token"
    csrf: str | None


def get_ws(request: Request) -> Workspace:
    ws = request.app.state.ws
    assert isinstance(ws, Workspace)
    return ws


WorkspaceDep = Annotated[Workspace, Depends(get_ws)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or ""


def _resolve(request: Request, ws: WorkspaceDep) -> Auth | None:
    token = bearer(request)
    if token is not None:
        p = token_principal(ws, token)
        return Auth(p, "token", None) if p is not None else None
    state = sessions.load(ws, request.cookies.get(SESSION_COOKIE))
    if state is None or state.stage != "ok":
        return None
    return Auth(state.principal, "session", state.csrf)


async def current_auth(request: Request, auth: Annotated[Auth | None, Depends(_resolve)]) -> Auth:
    if auth is None:
        raise NotSignedIn()
    request.state.auth = auth
    if request.method not in SAFE_METHODS and auth.via == "session":
        sent = request.headers.get(CSRF_HEADER)
        if not sent and "form" in request.headers.get("content-type", ""):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not same(sent, auth.csrf):
            raise CsrfFailed()
    return auth


async def optional_auth(
    request: Request, auth: Annotated[Auth | None, Depends(_resolve)]
) -> Auth | None:
    if auth is not None:
        request.state.auth = auth
    return auth


def current_user(auth: Annotated[Auth, Depends(current_auth)]) -> Principal:
    return auth.principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def user_ws(ws: WorkspaceDep, user: CurrentUser) -> Workspace:
    """The workspace acting as the signed-in user (services attribute custody entries to them)."""
    return as_user(ws, user.username)


UserWorkspace = Annotated[Workspace, Depends(user_ws)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
