"""Shared test fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.pg import fresh_database, postgres_server
from vigil.config import Settings
from vigil.services.cases import create_case
from vigil.services.workspace import Workspace, init_workspace

# Property tests draw the same examples on every run, so CI is repeatable; set
# HYPOTHESIS_PROFILE=explore to search with fresh random examples.
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


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


@pytest.fixture()
def ws(settings: Settings) -> Workspace:
    """An initialised workspace with one case, OP-TEST."""
    workspace, _, _ = init_workspace(settings)
    create_case(workspace, "OP-TEST", "Test operation", "Test unit", "Europe/London")
    return workspace


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL server on loopback for this test session (skips if not installed)."""
    with postgres_server() as url:
        if url is None:
            pytest.skip("PostgreSQL binaries not installed (make test installs them)")
        yield url


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server."""
    with fresh_database(pg_server) as url:
        yield url
