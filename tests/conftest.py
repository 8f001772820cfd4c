"""Shared test fixtures."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests import pgmode
from tests.pg import fresh_database, postgres_server
from vigil.config import Settings
from vigil.services.cases import create_case
from vigil.services.workspace import Workspace, init_workspace, open_workspace

# Property tests draw the same examples on every run, so CI is repeatable; set
# HYPOTHESIS_PROFILE=explore to search with fresh random examples.
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): about SQLite itself (its files, read-only device databases); "
        "skipped when the suite runs on PostgreSQL (VIGIL_TEST_DB=postgresql)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``VIGIL_TEST_DB=postgresql`` skip the tests about SQLite itself, with their reason."""
    if not pgmode.enabled():
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            reason = mark.kwargs.get("reason") or (mark.args[0] if mark.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2 at its cheapest in this process (a hash or a check in a tenth of a millisecond,
    not a quarter of a second: the web tests make and check hundreds). The hashes are still
    Argon2id and checked the same way; the ``vigil`` processes tests start keep the real cost
    (and, as for any weaker hash, bring a password's hash up to it on its next sign-in)."""
    from argon2 import PasswordHasher, profiles

    from vigil.services import users

    real = users._hasher
    users._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    users._dummy_hash.cache_clear()
    try:
        yield
    finally:
        users._hasher = real
        users._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """The read-only shared fixtures folder (``../shared/fixtures``); skips when absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings for a fresh SQLite workspace in a temporary folder."""
    return Settings(home=tmp_path / "ws", user="tester", database_url=None)


def _new_ws(settings: Settings) -> Workspace:
    workspace, _, _ = init_workspace(settings)
    create_case(workspace, "OP-TEST", "Test operation", "Test unit", "Europe/London")
    return workspace


@pytest.fixture(scope="session")
def _ws_template(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of a workspace made as ``ws`` makes one, once per test process."""
    settings = Settings(
        home=tmp_path_factory.mktemp("ws-template") / "ws", user="tester", database_url=None
    )
    _new_ws(settings).engine.dispose()
    return settings


@pytest.fixture()
def ws(settings: Settings, _ws_template: Settings) -> Workspace:
    """An initialised workspace with one case, OP-TEST.

    With the usual ``settings`` it is a copy of ``_ws_template``'s folder (database, evidence
    store, keys; under ``make test-pg`` tests/pgmode.py copies the database too): the same
    records, without running every migration again for each test."""
    template = _ws_template
    if replace(settings, home=template.home, database_url=template.database_url) != template:
        return _new_ws(settings)  # settings of a module's own
    shutil.copytree(template.resolved_home, settings.resolved_home, dirs_exist_ok=True)
    return open_workspace(settings)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL server on loopback for this test session (skips if not installed)."""
    with postgres_server() as url:
        if url is None:
            pytest.skip("PostgreSQL binaries not installed (make test installs them)")
        yield url


@pytest.fixture(scope="session", autouse=True)
def _workspaces_on_postgres(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under ``VIGIL_TEST_DB=postgresql`` (``make test-pg``) every workspace a test makes lives
    in a PostgreSQL database of its own on this process's server (tests/pgmode.py), in this
    process and in the ``vigil`` processes it starts."""
    if not pgmode.enabled():
        yield
        return
    server = request.getfixturevalue("pg_server")
    before = {k: os.environ.get(k) for k in (pgmode.SERVER_ENV, "PYTHONPATH")}
    with fresh_database(server, prefix="template_") as template_url:
        from vigil.db import session as dbs

        engine = dbs.make_engine(template_url)
        dbs.upgrade(engine)
        engine.dispose()
        os.environ[pgmode.SERVER_ENV] = server
        pgmode.prepare_server(template_url.rsplit("/", 1)[1])
        path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pgmode.SITE_DIR), path]))
        pgmode.install()
        try:
            yield
        finally:
            for key, value in before.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(autouse=True)
def _drop_test_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under ``make test-pg``: drop the databases of the workspaces made in a test's
    ``tmp_path`` when it ends (those of wider fixtures last until the server stops)."""
    folder: Path | None = None
    if pgmode.enabled() and "tmp_path" in request.fixturenames:
        folder = request.getfixturevalue("tmp_path")
    yield
    if folder is not None:
        pgmode.drop_under(folder)


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server."""
    with fresh_database(pg_server) as url:
        yield url
