"""The authorisations-due panel (from the case-work services): need to know and role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import sign_in
from vigil.web import extensions

pytest.importorskip("vigil.services.casework.personas", reason="case-work services not installed")


def test_authorisations_due_only_for_supervisors_on_the_case(world: WebWorld) -> None:
    from vigil.services.casework.authorisations import grant_authorisation
    from vigil.services.casework.operations import create_operation
    from vigil.services.casework.personas import create_persona
    from vigil.services.casework.units import create_unit

    ws = world.ws
    create_unit(ws, "UCOL-T", "Test unit", "team")
    create_operation(ws, "OP-AUTH", "Operation auth", "UCOL-T", case_ref=CASE)
    create_persona(ws, "P-1", "Sam", 13, "UCOL-T")
    granted = ws.now() - timedelta(days=27)  # review due in a day
    grant_authorisation(ws, "AUTH-1", "P-1", "chis", "Supt Grey", "superintendent",
                                          granted, operation_ref="OP-AUTH")  # fmt: skip
    assert any(p.key == "authorisations_due" for p in extensions.DASHBOARD_PANELS)

    def dashboard(role: str, member: bool, step: int = 0) -> str:
        acc = world.accounts[(role, member)]
        return (
            sign_in(TestClient(world.app), acc.username, acc.password, acc.secret, step)
            .get("/")
            .text
        )

    sup = dashboard("supervisor", True)
    assert "AUTH-1" in sup and "P-1" in sup
    assert "AUTH-1" not in dashboard("supervisor", False)
    inv = dashboard("investigator", True)
    assert "AUTH-1" not in inv and "Shown to supervisors" in inv
