"""Server-side rendering: the Jinja2 environment, filters, and the page helper."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from vigil import LEAD_NOT_VERDICT, tool_version
from vigil.services import links
from vigil.services.access import ROLE_LABELS, ROLES
from vigil.web import extensions

URGENCY = {3: "act now", 2: "high", 1: "elevated", 0: ""}

TEMPLATES = Jinja2Templates(directory=str(resources.files("vigil.web") / "templates"))


def _dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.strftime(fmt) + (" UTC" if value.tzinfo is not None else "")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _risk_band(risk: float | None) -> str:
    if risk is None:
        return "none"
    if risk >= 0.75:
        return "high"
    if risk >= 0.5:
        return "medium"
    if risk >= 0.25:
        return "low"
    return "minimal"


env = TEMPLATES.env
env.filters["dt"] = _dt
env.filters["size"] = _size
env.filters["risk_band"] = _risk_band
env.filters["urgency"] = lambda u: URGENCY.get(int(u or 0), str(u))
env.globals["links"] = links
env.globals["version"] = tool_version()
env.globals["lead_note"] = LEAD_NOT_VERDICT
env.globals["role_labels"] = ROLE_LABELS
env.globals["roles"] = ROLES
env.globals["nav_links"] = extensions.NAV_LINKS


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a template with the signed-in user and their CSRF token available."""
    auth = getattr(request.state, "auth", None)
    ctx: dict[str, Any] = {
        "user": auth.principal if auth is not None else None,
        "csrf": getattr(request.state, "csrf", None) or (auth.csrf if auth is not None else ""),
        "path": request.url.path,
        "full_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    ctx.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)
