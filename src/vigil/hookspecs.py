"""Every extension point Vigil offers, typed, one docstring each.

Each hook returns a list of things a plugin adds (or ``None`` for nothing). Vigil's own parsers,
signal types, hash-list formats, exporters, renderers and web pages come through these same
hooks (see :data:`vigil.plugins.BUILTIN_PLUGINS`). docs/plugins.md describes each contract with
a minimal example; a test checks that every hook here is documented there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from fastapi import APIRouter

    from vigil.ingest.base import Parser
    from vigil.intel.exports import ExportFormat
    from vigil.media.hashers.base import SignalType
    from vigil.media.hashsets.base import HashListFormat
    from vigil.reports import ReportRenderer
    from vigil.services.access import Principal
    from vigil.web.extensions import CaseSection, DashboardPanel, MenuLink

hookspec = pluggy.HookspecMarker("vigil")
hookimpl = pluggy.HookimplMarker("vigil")


@hookspec
def vigil_parsers() -> list[Parser]:  # type: ignore[empty-body]
    """Return chat-source parsers this plugin provides."""


@hookspec
def vigil_signal_types() -> list[SignalType] | None:
    """Return signal types (media hash algorithms): how to hash, compare and index their hashes."""


@hookspec
def vigil_hashlist_formats() -> list[HashListFormat] | None:
    """Return known-hash list formats that ``vigil media hashset import --format`` can read."""


@hookspec
def vigil_intel_exporters() -> list[ExportFormat] | None:
    """Return link-graph export formats for ``vigil intel export --format``."""


@hookspec
def vigil_report_renderers() -> list[ReportRenderer] | None:
    """Return report renderers (statistics and platform reports) for ``vigil report --format``."""


@hookspec
def vigil_register_routes() -> list[APIRouter] | None:
    """Return FastAPI routers to include in the web app (after Vigil's own routes)."""


@hookspec
def vigil_menu_links(principal: Principal) -> list[MenuLink] | None:
    """Return top-navigation links to show the signed-in ``principal`` (may depend on role)."""


@hookspec
def vigil_case_sections() -> list[CaseSection] | None:
    """Return blocks for the case page (and the case JSON), each loaded by one service call."""


@hookspec
def vigil_dashboard_panels() -> list[DashboardPanel] | None:
    """Return blocks for the dashboard, each loaded by one service call for the signed-in user."""
