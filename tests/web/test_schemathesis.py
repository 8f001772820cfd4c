"""Property-based API testing against the OpenAPI schema: no input makes the server fail.

Bounded: a few generated requests per operation, signed in as an administrator who is a
member of the case (so requests reach the services, not only the access check). The
operations are driven from one test (schemathesis' pytest fixture loader does not support
this pytest version)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import CASE, WebWorld
from vigil.services import access

EXAMPLES = 6


def test_api_never_fails(world: WebWorld) -> None:
    acc = world.accounts[("administrator", True)]
    token, _ = access.create_token(world.ws, acc.username, "schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.app)
    ran: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()

        @given(op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
        ran.append(op.label)
    assert len(ran) >= 15, ran
    # the member's own case answers through the same schema too
    case = schema["/api/v1/cases/{case_ref}"]["GET"].Case(path_parameters={"case_ref": CASE})
    assert case.call(headers=headers).status_code == 200


def test_schema_declares_bearer_auth(world: WebWorld) -> None:
    from fastapi.testclient import TestClient

    doc = TestClient(world.app).get("/api/v1/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearer": []}]
    assert all(p.startswith("/api/v1/") for p in doc["paths"])
