"""A plugin in the web app: its route and role-dependent menu link, and every plugin's
contributions listed at ``/api/v1/plugins``, next to the built-ins that come through the
same hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import tests.plugin_sample as sample
from tests.plugin_sample.testing import NAME, registered
from tests.web.conftest import WebWorld, copy_world
from tests.web.seed import sign_in
from vigil.services.access import ROLES, create_token


@pytest.fixture(scope="module")
def pworld(
    tmp_path_factory: pytest.TempPathFactory, world_template: WebWorld
) -> Iterator[WebWorld]:
    """The usual web world (a copy: the sample plugin adds nothing to a chat's ingest or
    analysis), with the sample plugin registered before the app is built."""
    with registered():
        yield copy_world(world_template, tmp_path_factory.mktemp("web-plugins") / "ws")


_SIGNED_IN: dict[tuple[int, str], TestClient] = {}


def client(world: WebWorld, role: str) -> TestClient:
    """A browser signed in as the role's member account (once: a TOTP code is used once)."""
    key = (id(world), role)
    if key not in _SIGNED_IN:
        acc = world.accounts[(role, True)]
        _SIGNED_IN[key] = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
    return _SIGNED_IN[key]


def token(world: WebWorld, role: str) -> dict[str, str]:
    tok, _ = create_token(world.ws, world.accounts[(role, False)].username, "plugins")
    return {"Authorization": f"Bearer {tok}"}


def test_plugin_route_works_for_signed_in_users_only(pworld: WebWorld) -> None:
    anon = TestClient(pworld.app, follow_redirects=False)
    page = anon.get("/sample")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert anon.get("/api/v1/sample").status_code == 401
    r = TestClient(pworld.app).get("/api/v1/sample", headers=token(pworld, "investigator"))
    assert r.status_code == 200 and r.json() == {"plugin": NAME, "role": "investigator"}
    html = client(pworld, "analyst").get("/sample")
    assert html.status_code == 200 and "id='sample'" in html.text
    assert "content-security-policy" in {k.lower() for k in html.headers}  # app middleware


def test_menu_links_follow_the_role(pworld: WebWorld) -> None:
    for role in ROLES:
        nav = client(pworld, role).get("/account").text.split("<nav>", 1)[1].split("</nav>")[0]
        assert 'href="/cases"' in nav, role
        assert ('href="/sample"' in nav) == (role in sample.LINK_ROLES), role
        assert ('href="/admin/users"' in nav) == (role == "administrator"), role
        assert nav.index('href="/cases"') < nav.index('href="/personas"')
        if role in sample.LINK_ROLES:
            assert nav.index('href="/personas"') < nav.index('href="/sample"')


def test_plugins_api_lists_builtins_and_the_plugin(pworld: WebWorld) -> None:
    r = TestClient(pworld.app).get("/api/v1/plugins", headers=token(pworld, "auditor"))
    assert r.status_code == 200
    body = r.json()
    plugins = {p["name"]: p for p in body["plugins"]}
    assert plugins["vigil.media.hashers"]["builtin"] and not plugins[NAME]["builtin"]
    assert "vigil_register_routes" in plugins[NAME]["hooks"]
    assert "vigil_register_routes" in plugins["vigil.web.extensions"]["hooks"]
    items = {(i["kind"], i["name"]): i["plugin"] for i in body["items"]}
    for kind, name in [
        ("signal type", sample.SIGNAL),
        ("hash-list format", sample.HASHLIST),
        ("export format", sample.EXPORTER),
        ("report format", sample.RENDERER),
    ]:
        assert items[(kind, name)] == NAME
    assert items[("signal type", "pdq")] == "vigil.media.hashers"
    assert items[("case section", "suspects")] == "vigil.web.extensions"
    assert TestClient(pworld.app).get("/api/v1/plugins").status_code == 401


def test_plugin_routes_are_in_the_api_schema(pworld: WebWorld) -> None:
    paths = TestClient(pworld.app).get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/sample" in paths and "/api/v1/plugins" in paths and "/sample" not in paths


def test_report_download_in_a_plugin_format(pworld: WebWorld, tmp_path: Path) -> None:
    r = client(pworld, "analyst").get(
        "/reports/download", params={"format": sample.RENDERER, "purpose": "plugin format test"}
    )
    assert r.status_code == 200 and r.text.startswith("report=statistics\n")
    assert r.headers["content-type"].startswith("text/plain")
