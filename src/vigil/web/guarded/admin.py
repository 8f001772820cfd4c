"""Administration views: every case (for membership), users, recent sign-ins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from vigil.db.tables.cases import Case
from vigil.services.access import Principal, require_global
from vigil.services.workspace import Workspace


@dataclass(slots=True)
class CaseRef:
    ref: str
    title: str


def all_cases(ws: Workspace, user: Principal) -> list[CaseRef]:
    """Every case's reference and title, for administrators granting membership."""
    require_global(user, "admin")
    with ws.sessions() as s:
        return [
            CaseRef(c.ref, c.title) for c in s.execute(select(Case).order_by(Case.ref)).scalars()
        ]
