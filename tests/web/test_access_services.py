"""The access matrix against the services directly, without HTTP: every role, as member and
not, calling the functions the pages and the API call. The same rules as
``test_access_matrix.py`` (whose ``expected`` says what each kind of resource needs), checked
where they live."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.conftest import CASE, WebWorld
from tests.web.test_access_matrix import expected
from vigil.db.tables.access import User
from vigil.errors import AccessDenied
from vigil.services import access
from vigil.services.audit import search_audit
from vigil.services.cases import case_overview, my_cases
from vigil.services.conversations import conversation_page
from vigil.services.evidence.exhibits import case_exhibits, exhibit_detail
from vigil.services.reports import statistics
from vigil.services.triage.queue import triage_queue
from vigil.services.users import all_cases
from vigil.services.workspace import Workspace

Call = Callable[[Workspace, access.Principal, WebWorld], Any]
CALLS: dict[str, tuple[str, Call]] = {
    "case overview": ("case:read", lambda ws, p, w: case_overview(ws, p, CASE)),
    "case exhibits": ("case:read", lambda ws, p, w: case_exhibits(ws, p, CASE)),
    "one exhibit": ("case:read", lambda ws, p, w: exhibit_detail(ws, p, CASE, w.exhibit_ref)),
    "conversation": ("case:read", lambda ws, p, w: conversation_page(ws, p, CASE, w.conv_id)),
    "audit log": ("audit", lambda ws, p, w: search_audit(ws, p, limit=5)),
    "every case": ("admin", lambda ws, p, w: all_cases(ws, p)),
    "statistics": (
        "reports",
        lambda ws, p, w: statistics(ws, p, date(2022, 10, 1), date(2023, 9, 30)),
    ),
    "my cases": ("signed-in", lambda ws, p, w: my_cases(ws, p)),
    "triage queue": ("signed-in", lambda ws, p, w: triage_queue(ws, p, 5)),
}


def _principal(world: WebWorld, username: str, role: str, member: bool) -> access.Principal:
    with world.ws.sessions() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        p = access.principal_of(user, f"s:services-test-{role}-{member}")
    if member and access.role_allows(role, "read"):  # content needs a stated purpose
        access.state_purpose(world.ws, p, CASE, "access rules checked on the services")
    return p


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_role_gets_from_the_services_what_the_routes_give(world: WebWorld, name: str) -> None:
    kind, call = CALLS[name]
    outcomes: set[bool] = set()
    for (role, member), acc in world.accounts.items():
        p = _principal(world, acc.username, role, member)
        allowed = 200 in expected(kind, role, member, True, "GET")
        ws = access.as_user(world.ws, acc.username)
        if allowed:
            call(ws, p, world)
        else:
            with pytest.raises(AccessDenied):
                call(ws, p, world)
        outcomes.add(allowed)
    assert outcomes == ({True} if kind == "signed-in" else {True, False})  # both ways were tried
