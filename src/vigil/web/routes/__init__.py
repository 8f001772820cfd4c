"""One module per resource; each has a ``pages`` router (HTML) and an ``api`` router (JSON
under ``/api/v1``) calling the same guarded service functions."""

from __future__ import annotations

from types import ModuleType

from vigil.web.routes import (
    account,
    admin,
    audit,
    auth,
    cases,
    conversations,
    dashboard,
    exhibits,
    personas,
    reports,
)

ALL: tuple[ModuleType, ...] = (
    auth,
    dashboard,
    cases,
    conversations,
    exhibits,
    audit,
    admin,
    account,
    personas,
    reports,
)
