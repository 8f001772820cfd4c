"""The web workbench: ``create_app(settings)`` builds the FastAPI application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from vigil.config import Settings


def create_app(settings: Settings | None = None, **kw: Any) -> FastAPI:
    """Build the web app (imported lazily so that the CLI starts fast)."""
    from vigil.web.app import create_app as _create

    return _create(settings, **kw)
