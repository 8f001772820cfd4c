"""Fixtures for the slow suites (long-running; `make slow` runs them, `make test` does not)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench import whatsapp_export


@pytest.fixture(scope="session")
def lorem(shared_fixtures: Path) -> bytes:
    """One copy of the lorem export the generator repeats (skips when the fixture is absent)."""
    if not whatsapp_export.FIXTURE.is_file():
        pytest.skip(f"fixture not found: {whatsapp_export.FIXTURE}")
    return whatsapp_export.fixture_text()


@pytest.fixture(autouse=True)
def _free_disk(tmp_path: Path) -> Iterator[None]:
    """Remove each test's workspace and export afterwards: they run to gigabytes, and pytest
    keeps the temporary folders of the last three sessions."""
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)
