"""The FastAPI application: routers, static files, security headers, error pages.

Routers come from the ``vigil_register_routes`` hook (Vigil's own first, then plugins'), and the
navigation from ``vigil_menu_links``; see docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from vigil import plugins, tool_version
from vigil.config import Settings
from vigil.errors import AccessDenied, IntegrityError, NotFound, UserError
from vigil.services import links
from vigil.services.access import PurposeRequired
from vigil.services.cases import AnalysisUnavailable
from vigil.services.jobs.runner import JobRunner
from vigil.services.workspace import Workspace, open_workspace
from vigil.web import heap, render
from vigil.web.deps import CsrfFailed, NotSignedIn
from vigil.web.render import page
from vigil.web.routes.uploads import run_jobs
from vigil.web.security import SecurityHeaders, SignInLimiter

API_DESCRIPTION = """Vigil's REST API: the same services as the web pages, under need to know.

Authenticate with a personal API token (`Authorization: Bearer vgl_...`, made on the Account
page or with `vigil user token`). Every case endpoint needs membership of the case; message
content needs a purpose, stated once per case with `POST /api/v1/cases/{ref}/purpose` or the
`purpose` query parameter, and every view is recorded in the audit log.
Vigil's output is a lead for a trained person, never a verdict."""


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, title: str, message: str, hint: str | None) -> Response:
    if _api(request):
        body: dict[str, object] = {"detail": message}
        if hint:
            body["hint"] = hint
        return JSONResponse(body, status_code=status)
    return page(request, "error.html", {"title": title, "message": message, "hint": hint}, status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _api(request):
            return JSONResponse(
                {"detail": "not signed in: send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = "/login"
        if request.method == "GET" and request.url.path != "/":
            target += "?next=" + quote(_full(request), safe="")
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return _error(request, 403, "Form expired", "the form's security token did not match",
                      "go back, reload the page and try again")  # fmt: skip

    @app.exception_handler(PurposeRequired)
    async def purpose_required(request: Request, exc: PurposeRequired) -> Response:
        if _api(request) or request.method != "GET":
            return JSONResponse(
                {
                    "detail": exc.message,
                    "hint": "POST /api/v1/cases/{ref}/purpose or pass ?purpose=",
                },
                status_code=428,
            )
        return RedirectResponse(links.purpose(exc.case_ref, _full(request)), status_code=303)

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, exc: AccessDenied) -> Response:
        return _error(request, 403, "Not permitted", exc.message, exc.hint)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "Not found", exc.message, None)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        return _error(request, 400, "Cannot do that", exc.message, exc.hint)

    @app.exception_handler(AnalysisUnavailable)
    async def analysis_unavailable(request: Request, exc: AnalysisUnavailable) -> Response:
        return _error(request, 503, "Analysis unavailable", exc.message, exc.hint)

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> Response:
        return _error(request, 409, "Integrity problem", exc.message, exc.hint)


def _full(request: Request) -> str:
    q = request.url.query
    return request.url.path + (f"?{q}" if q else "")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The background job runner (docs/upload.md) runs while the app serves; the app's
    long-lived objects are settled out of the cycle finder's way first (:mod:`vigil.web.heap`)."""
    async with run_jobs(app):
        await run_in_threadpool(heap.settle)
        yield


def create_app(settings: Settings | None = None, *, workspace: Workspace | None = None) -> FastAPI:
    """Build the web app for a workspace (opened from ``settings`` unless given)."""
    ws = workspace or open_workspace(settings)
    render.env.globals["menu_links"] = plugins.menu_links
    app = FastAPI(
        title="Vigil",
        version=tool_version(),
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=_lifespan,
    )
    app.state.ws = ws
    app.state.jobs = JobRunner(ws)
    app.state.limiter = SignInLimiter()
    app.add_middleware(SecurityHeaders)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("vigil.web") / "static")),
        name="static",
    )
    for router in plugins.web_routers():
        app.include_router(router)
    _install_handlers(app)
    _bearer_schema(app)
    return app


def _bearer_schema(app: FastAPI) -> None:
    """Declare bearer-token authentication for the whole API in the OpenAPI schema."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer", "description": "a vgl_ API token"}
            }
            schema["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
