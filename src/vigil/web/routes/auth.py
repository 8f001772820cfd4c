"""Sign-in (password, then TOTP), first-time TOTP enrolment with a QR code, and sign-out."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from vigil.services import sessions, users
from vigil.web.deps import Auth, WorkspaceDep, client_ip, current_auth
from vigil.web.render import page
from vigil.web.security import (
    PRE_COOKIE,
    SESSION_COOKIE,
    SignInLimiter,
    new_token,
    safe_next,
    same,
)

pages = APIRouter(tags=["sign-in"], include_in_schema=False)
api = APIRouter()

FAILED = (
    "Sign-in failed. After repeated failures, signing in to an account from the same place is "
    "locked for a while."
)
"""The one answer for a wrong password, an unknown name and a paused one: they look alike."""
LOCKED = (
    "Too many failed attempts: this account is locked for now. Try later or ask an administrator."
)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Set a session cookie: HTTP-only, same-site strict, ``Secure`` whenever the request is
    https (served with TLS, or forwarded as https by a trusted proxy: ``vigil serve
    --proxy-headers`` puts the forwarded scheme in the request's scope)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Remove a cookie set by :func:`set_cookie`, with the same attributes."""
    response.delete_cookie(
        name, path="/", secure=request.url.scheme == "https", httponly=True, samesite="strict"
    )


def _limited(request: Request) -> bool:
    limiter: SignInLimiter = request.app.state.limiter
    return not limiter.allow(client_ip(request) or "?")


def _login_form(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    token = new_token()
    request.state.csrf = token
    nxt = safe_next(request.query_params.get("next"))
    resp = page(request, "login.html", {"error": error, "next": nxt}, status)
    set_cookie(request, resp, PRE_COOKIE, token)
    return resp


@pages.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _login_form(request)


@pages.post("/login", response_model=None)
def login(
    request: Request,
    ws: WorkspaceDep,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    if not same(csrf_token, request.cookies.get(PRE_COOKIE)):
        return _login_form(request, "The form expired; please try again.", 403)
    if _limited(request):
        return _login_form(request, "Too many sign-in attempts from here; wait a few minutes.", 429)
    user, _ = users.check_password(ws, username.strip(), password, client_ip(request))
    if user is None:
        return _login_form(request, FAILED, 401)
    stage = "password" if users.totp_enrolled(ws, user.user_id) else "enrol"
    token = sessions.start(
        ws, user.user_id, stage, client_ip(request), request.headers.get("user-agent")
    )
    target = "/login/totp" if stage == "password" else "/enrol"
    resp = RedirectResponse(f"{target}?next={safe_next(next)}", status_code=303)
    set_cookie(request, resp, SESSION_COOKIE, token)
    clear_cookie(request, resp, PRE_COOKIE)
    return resp


def _pending(request: Request, ws: WorkspaceDep, stage: str) -> sessions.SessionState | None:
    state = sessions.load(ws, request.cookies.get(SESSION_COOKIE))
    if state is None or state.stage != stage:
        return None
    request.state.csrf = state.csrf
    return state


@pages.get("/login/totp", response_model=None)
def totp_form(request: Request, ws: WorkspaceDep) -> Response:
    if _pending(request, ws, "password") is None:
        return RedirectResponse("/login", status_code=303)
    return page(
        request, "totp.html", {"error": None, "next": safe_next(request.query_params.get("next"))}
    )


def _signed_in(request: Request, ws: WorkspaceDep, next_url: str) -> Response:
    old = request.cookies.get(SESSION_COOKIE) or ""
    token = sessions.promote(ws, old, client_ip(request), request.headers.get("user-agent"))
    resp = RedirectResponse(safe_next(next_url), status_code=303)
    set_cookie(request, resp, SESSION_COOKIE, token)
    return resp


@pages.post("/login/totp", response_model=None)
def totp(
    request: Request,
    ws: WorkspaceDep,
    code: Annotated[str, Form(max_length=16)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    state = _pending(request, ws, "password")
    if state is None or not same(csrf_token, state.csrf):
        return RedirectResponse("/login", status_code=303)
    if _limited(request):
        return page(
            request,
            "totp.html",
            {"error": "Too many attempts; wait a few minutes.", "next": next},
            429,
        )
    outcome = users.check_totp(ws, state.principal.user_id, code, client_ip(request))
    if outcome == "ok":
        return _signed_in(request, ws, next)
    if outcome == "locked":
        sessions.end(ws, request.cookies.get(SESSION_COOKIE))
        return _login_form(request, LOCKED, 401)
    return page(request, "totp.html", {"error": "That code was not accepted.", "next": next}, 401)


QR_LABEL = "QR code holding your authenticator key"


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as SVG markup to put in the page itself.

    Inline markup needs no ``data:`` image (an ``<img>`` of segno's inline SVG, which has no
    XML namespace, does not render) and nothing from the content security policy beyond
    what the page already has: the colours are SVG attributes, not styles. The markup is
    segno's own (paths from the encoded key, no text of ours but the fixed label)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#111", light="#fff", svgclass="qr", title=QR_LABEL
    )
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{QR_LABEL}" ', 1))


@pages.get("/enrol", response_model=None)
def enrol_form(request: Request, ws: WorkspaceDep) -> Response:
    state = _pending(request, ws, "enrol")
    if state is None:
        return RedirectResponse("/login", status_code=303)
    return _enrol_page(request, ws, state, None, 200)


def _enrol_page(
    request: Request, ws: WorkspaceDep, state: sessions.SessionState, error: str | None, status: int
) -> HTMLResponse:
    secret = users.pending_secret(ws, state.principal.user_id)
    if secret is None:
        secret, _ = users.begin_enrolment(ws, state.principal.user_id)
    uri = users.totp_uri(state.principal.username, secret)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    ctx = {"qr": qr_svg(uri), "secret": grouped, "error": error,
           "next": safe_next(request.query_params.get("next"))}  # fmt: skip
    return page(request, "enrol.html", ctx, status)


@pages.post("/enrol", response_model=None)
def enrol(
    request: Request,
    ws: WorkspaceDep,
    code: Annotated[str, Form(max_length=16)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    state = _pending(request, ws, "enrol")
    if state is None or not same(csrf_token, state.csrf):
        return RedirectResponse("/login", status_code=303)
    if _limited(request):
        return _enrol_page(request, ws, state, "Too many attempts; wait a few minutes.", 429)
    if users.confirm_enrolment(ws, state.principal.user_id, code, client_ip(request)):
        return _signed_in(request, ws, next)
    return _enrol_page(
        request, ws, state, "That code was not accepted; check the phone's clock.", 401
    )


@pages.post("/logout")
def logout(
    request: Request, ws: WorkspaceDep, auth: Annotated[Auth, Depends(current_auth)]
) -> RedirectResponse:
    sessions.end(ws, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    clear_cookie(request, resp, SESSION_COOKIE)
    return resp
