"""Built-in dashboard panels, given to the ``vigil_dashboard_panels`` hook by
:mod:`vigil.web.extensions`."""

from __future__ import annotations

from vigil.services.casework.sections import authorisations_due
from vigil.web import extensions


def panels() -> list[extensions.DashboardPanel]:
    return [
        extensions.DashboardPanel(
            "authorisations_due", "Authorisations due", "authorisations_due.html",
            authorisations_due,
        )
    ]  # fmt: skip
