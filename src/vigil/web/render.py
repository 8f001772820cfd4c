"""Server-side rendering: the Jinja2 environment, filters, and the page helper."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from vigil import LEAD_NOT_VERDICT, tool_version
from vigil.services import links
from vigil.services.access import ROLE_LABELS, ROLES
from vigil.services.casework.work import may_open_cases
from vigil.web import extensions, lists

URGENCY = {3: "act now", 2: "high", 1: "elevated", 0: ""}

TEMPLATES = Jinja2Templates(directory=str(resources.files("vigil.web") / "templates"))


def _dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.strftime(fmt) + (" UTC" if value.tzinfo is not None else "")


def _as_utc(value: datetime | date | str) -> datetime | None:
    """A time as an aware UTC datetime: stored times are UTC (naive ones too); text is ISO
    8601 (``Z`` or an offset; none means UTC). None if it is not a time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    elif not isinstance(value, datetime):  # a date
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def when(value: datetime | date | str | None, seconds: bool = False) -> Markup:
    """A time people read: ``2026-12-07 14:03 UTC`` (with seconds if asked), in a ``<time>``
    element whose ``title`` and ``datetime`` keep the full precision as stored."""
    if value is None or value == "":
        return Markup("—")
    t = _as_utc(value)
    if t is None:
        return escape(str(value))
    full = value if isinstance(value, str) else t.isoformat()
    shown = t.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " UTC"
    iso = t.isoformat().replace("+00:00", "Z")
    return Markup(f'<time datetime="{escape(iso)}" title="{escape(full)}">{shown}</time>')


DETAIL_WORDS: dict[str, str] = {
    "ok": "verified",
    "via": "signed in by",
    "sha256": "SHA-256",
    "sha1": "SHA-1",
    "md5": "MD5",
    "q": "search",
    "from_seq": "from message",
    "to_seq": "to message",
}
"""Words for detail keys where the key alone reads badly; others lose their underscores."""
VIA_WORDS = {"s": "browser session", "t": "API token"}
LIST_SHOWN = 12


def _words(value: Any) -> str:
    """A detail value in words: yes/no, "none" for empty lists, lists joined, nested
    mappings as ``key: value``, long lists shortened."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if not value:
            return "none"
        return "; ".join(f"{_key(k)}: {_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        items = list(value)
        if not items:
            return "none"
        text = ", ".join(_words(v) for v in items[:LIST_SHOWN])
        return text + (f" and {len(items) - LIST_SHOWN} more" if len(items) > LIST_SHOWN else "")
    return str(value)


def _key(key: Any) -> str:
    k = str(key)
    return DETAIL_WORDS.get(k, k.replace("_", " "))


def details(value: Mapping[str, Any] | None) -> Markup:
    """An audit entry's details as a list of ``key: value`` in words (no Python reprs)."""
    if not value:
        return Markup("")
    rows = []
    for k, v in value.items():
        shown = VIA_WORDS.get(str(v), str(v)) if k == "via" else _words(v)
        rows.append(f'<li><span class="k">{escape(_key(k))}:</span> {escape(shown)}</li>')
    return Markup('<ul class="kv">' + "".join(rows) + "</ul>")


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
env.filters["when"] = when
env.filters["details"] = details
env.globals["list_url"] = lists.list_url
env.globals["sort_url"] = lists.sort_url
env.globals["page_window"] = lists.page_window
env.globals["page_info"] = lists.page_info
env.globals["per_page"] = lists.PER_PAGE
env.globals["links"] = links
env.globals["version"] = tool_version()
env.globals["lead_note"] = LEAD_NOT_VERDICT
env.globals["role_labels"] = ROLE_LABELS
env.globals["roles"] = ROLES
env.globals["may_open_cases"] = may_open_cases
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
