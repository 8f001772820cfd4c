"""The web's extension points, all plugin hooks, and Vigil's own pages registered through them.

- ``vigil_register_routes``: FastAPI routers (Vigil's resources are the routers of
  :data:`vigil.web.routes.ALL`, one module per resource).
- ``vigil_menu_links``: top-navigation links for the signed-in principal.
- ``vigil_case_sections``: blocks on the case page (and ``/api/v1/cases/{ref}`` JSON).
- ``vigil_dashboard_panels``: blocks on the dashboard.

A section or panel names the template that renders it (under ``web/templates/sections/``) and
a loader that calls one service. Loaders receive a workspace acting as the signed-in user, the
:class:`~vigil.services.access.Principal` and (for sections) the case reference; membership of
the case has already been checked for sections, and a section is shown only if the role allows
``need``. A loader that reads message content must itself call
:func:`vigil.services.access.require_purpose` and :func:`vigil.services.access.record_view`.

This module is registered as a built-in plugin for every ``vigil`` command, so it imports the
web stack only inside the hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vigil.hookspecs import hookimpl
from vigil.plugins import CASE_SECTIONS as _SECTIONS
from vigil.plugins import DASHBOARD_PANELS as _PANELS
from vigil.plugins import menu_links as menu_links

if TYPE_CHECKING:
    from fastapi import APIRouter

    from vigil.services.access import Need, Principal
    from vigil.services.workspace import Workspace

SectionLoader = Callable[["Workspace", "Principal", str], Any]
PanelLoader = Callable[["Workspace", "Principal"], Any]


@dataclass(frozen=True, slots=True)
class CaseSection:
    key: str
    title: str
    template: str
    load: SectionLoader
    need: Need = "read"


@dataclass(frozen=True, slots=True)
class DashboardPanel:
    key: str
    title: str
    template: str
    load: PanelLoader


@dataclass(frozen=True, slots=True)
class MenuLink:
    """A top-navigation link: its label and the path (or URL) it goes to."""

    label: str
    href: str


CASE_SECTIONS: Collection[CaseSection] = _SECTIONS.values()
"""Every registered case section, in plugin order (a live view)."""
DASHBOARD_PANELS: Collection[DashboardPanel] = _PANELS.values()
"""Every registered dashboard panel, in plugin order (a live view)."""
NAV_LINKS: tuple[tuple[str, str], ...] = ()
"""Superseded by :func:`menu_links` (links depend on the principal); kept empty for old code."""


@hookimpl
def vigil_register_routes() -> list[APIRouter]:
    from vigil.web import routes

    return [router for module in routes.ALL for router in (module.pages, module.api)]


@hookimpl
def vigil_menu_links(principal: Principal) -> list[MenuLink]:
    from vigil.services.access import role_allows
    from vigil.services.reports import may_see_reports

    links = [
        MenuLink("Triage", "/"),
        MenuLink("Cases", "/cases"),
        MenuLink("Personas", "/personas"),
        MenuLink("Jobs", "/jobs"),
    ]
    if role_allows(principal.role, "read"):  # search shows message text: roles that read cases
        links.append(MenuLink("Search", "/search"))
    if may_see_reports(principal):
        links.append(MenuLink("Reports", "/reports"))
    if principal.may("audit") or principal.role == "supervisor":
        links.append(MenuLink("Audit log", "/audit"))
    if principal.may("admin"):
        links.append(MenuLink("Administration", "/admin/users"))
    return links


@hookimpl
def vigil_case_sections() -> list[CaseSection]:
    from vigil.web import sections_casework

    return sections_casework.sections()


@hookimpl
def vigil_dashboard_panels() -> list[DashboardPanel]:
    from vigil.web import panels

    return panels.panels()


__all__ = [
    "CASE_SECTIONS",
    "DASHBOARD_PANELS",
    "NAV_LINKS",
    "CaseSection",
    "DashboardPanel",
    "MenuLink",
    "PanelLoader",
    "SectionLoader",
    "menu_links",
]
