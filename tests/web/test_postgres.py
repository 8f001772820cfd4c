"""The web services on PostgreSQL: the same pages, need to know and audit as on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CASE, build_world
from tests.web.seed import csrf_of, sign_in

pytestmark = pytest.mark.postgres


def test_pages_and_api_on_postgres(pg_url: str, tmp_path: Path) -> None:
    world = build_world(tmp_path / "ws", database_url=pg_url)
    acc = world.accounts[("investigator", True)]
    c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    assert "conv-link" in c.get("/").text
    c.post(
        f"/cases/{CASE}/purpose",
        data={"purpose": "postgres check", "csrf_token": csrf_of(c.get("/").text)},
    )
    r = c.get(f"/cases/{CASE}/conversations/{world.conv_id}?limit=10")
    assert r.status_code == 200 and 'id="m-10"' in r.text and '<rect class="bar' in r.text
    assert c.get(f"/cases/{CASE}").status_code == 200
    outsider = world.accounts[("investigator", False)]
    o = sign_in(TestClient(world.app), outsider.username, outsider.password, outsider.secret)
    assert o.get(f"/cases/{CASE}/conversations/{world.conv_id}").status_code == 403
    admin = world.accounts[("administrator", False)]
    a = sign_in(TestClient(world.app), admin.username, admin.password, admin.secret)
    found = a.get("/audit", params={"text": "POSTGRES check"})
    assert found.status_code == 200 and "postgres check" in found.text
    world.ws.engine.dispose()
