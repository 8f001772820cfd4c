"""Built-in dashboard panels, given to the ``vigil_dashboard_panels`` hook by
:mod:`vigil.web.extensions`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from vigil.services.access import Principal, member_cases, role_allows
from vigil.services.workspace import Workspace
from vigil.web import extensions


@dataclass(slots=True)
class AuthDue:
    ref: str
    persona_ref: str
    what: str
    due_at: datetime
    days_left: int
    message: str
    case_ref: str


def authorisations_due(ws: Workspace, user: Principal) -> list[AuthDue] | None:
    """Reviews and expiries due, for authorisations of operations on the user's cases.

    Shown to roles that may authorise or administer (supervisors, administrators; ``None``
    for others); an authorisation whose operation is not linked to one of the user's cases is
    not shown.
    """
    if not (role_allows(user.role, "authorise") or user.may("admin")):
        return None
    from vigil.db.tables.cases import Authorisation, Operation
    from vigil.services.casework.authorisations import authorisation_warnings

    with ws.sessions() as s:
        cases = {c.id: c.ref for c in member_cases(s, user)}
        case_of: dict[str, Any] = dict(
            s.execute(
                select(Authorisation.ref, Operation.case_id).join(
                    Operation, Operation.id == Authorisation.operation_id
                )
            ).all()
        )
    return [
        AuthDue(
            w.ref, w.persona_ref, w.what, w.due_at, w.days_left, w.message, cases[case_of[w.ref]]
        )
        for w in authorisation_warnings(ws)
        if case_of.get(w.ref) in cases
    ]


def panels() -> list[extensions.DashboardPanel]:
    return [
        extensions.DashboardPanel(
            "authorisations_due", "Authorisations due", "authorisations_due.html",
            authorisations_due,
        )
    ]  # fmt: skip
