"""One module per resource; each has a ``pages`` router (HTML) and an ``api`` router (JSON
under ``/api/v1``) calling the same service functions. The app includes them through
the ``vigil_register_routes`` hook (:mod:`vigil.web.extensions`), as it does a plugin's."""

from __future__ import annotations

from types import ModuleType

from vigil.web.routes import (
    account,
    admin,
    audit,
    auth,
    capture,
    cases,
    casework,
    conversations,
    dashboard,
    disclosure,
    exhibits,
    intel,
    leads,
    media,
    personas,
    plugins,
    redaction,
    reports,
    review,
    search,
    uploads,
)

ALL: tuple[ModuleType, ...] = (
    auth,
    dashboard,
    casework,  # before cases: /cases/new is not a case reference
    cases,
    conversations,
    exhibits,
    audit,
    admin,
    account,
    personas,
    reports,
    plugins,
    search,
    review,
    redaction,
    intel,
    media,
    capture,
    uploads,
    disclosure,
    leads,
)
