"""Seams for pages of services that arrive later (case work, reports, intel, media).

A case section adds a block to the case page (and ``/api/v1/cases/{ref}`` JSON); a dashboard
panel adds a block to the dashboard. Each names the template that renders it (under
``web/templates/sections/``) and a loader that calls one service. Loaders receive a workspace
acting as the signed-in user, the :class:`~vigil.services.access.Principal` and (for sections)
the case reference; membership of the case has already been checked for sections, and the
section is shown only if the role allows ``need``. A loader that reads message content must
itself call :func:`vigil.services.access.require_purpose` and
:func:`vigil.services.access.record_view`.

New resources with their own pages add a module under ``web/routes/`` with ``pages`` and
``api`` routers and one line in :data:`vigil.web.routes.ALL`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vigil.services.access import Need, Principal
from vigil.services.workspace import Workspace

SectionLoader = Callable[[Workspace, Principal, str], Any]
PanelLoader = Callable[[Workspace, Principal], Any]


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


CASE_SECTIONS: list[CaseSection] = []
DASHBOARD_PANELS: list[DashboardPanel] = []
NAV_LINKS: list[tuple[str, str]] = []
"""Extra top-navigation links, as (label, path)."""


def case_section(section: CaseSection) -> None:
    if all(s.key != section.key for s in CASE_SECTIONS):
        CASE_SECTIONS.append(section)


def dashboard_panel(panel: DashboardPanel) -> None:
    if all(p.key != panel.key for p in DASHBOARD_PANELS):
        DASHBOARD_PANELS.append(panel)


def available(module: str) -> bool:
    """Whether an optional service module is installed (a feature check, imports nothing)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
