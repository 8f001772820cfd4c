"""Settings from keywords, else ``VIGIL_*`` variables, else defaults; bad values named."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vigil.config import Settings
from vigil.errors import UserError


def test_keyword_beats_environment_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_USER", raising=False)
    monkeypatch.setenv("VIGIL_HOME", "/srv/unit")
    monkeypatch.setenv("VIGIL_HASH_CHUNK_BYTES", " 65536 ")
    s = Settings(user="dc.smith")
    assert s.home == Path("/srv/unit")
    assert s.user == "dc.smith"
    assert s.hash_chunk_bytes == 65536
    assert s.default_timezone == "Europe/London"
    assert Settings(home=Path("here")).home == Path("here")


@pytest.mark.parametrize(
    ("raw", "want"), [("1", True), ("Yes", True), ("on", True), ("0", False), ("false", False)]
)
def test_yes_no_values(monkeypatch: pytest.MonkeyPatch, raw: str, want: bool) -> None:
    monkeypatch.setenv("VIGIL_DEBUG", raw)
    assert Settings().debug is want


@pytest.mark.parametrize(
    ("var", "raw", "words"),
    [("VIGIL_DEBUG", "maybe", "yes/no"), ("VIGIL_HASH_CHUNK_BYTES", "4MB", "whole number")],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, raw: str, words: str
) -> None:
    monkeypatch.setenv(var, raw)
    with pytest.raises(UserError) as info:
        Settings()
    assert var in info.value.message and words in info.value.message


@pytest.mark.sqlite_only(
    reason="checks the SQLite URL an unset VIGIL_DATABASE_URL gives; make test-pg gives every "
    "workspace a PostgreSQL URL"
)
def test_empty_optional_variable_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_MODEL_DIR", "")
    monkeypatch.setenv("VIGIL_DATABASE_URL", " ")
    s = Settings()
    assert s.model_dir is None and s.database_url is None
    assert s.url.startswith("sqlite:///")


def test_copies_keep_what_was_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_USER", "first")
    s = Settings()
    monkeypatch.setenv("VIGIL_USER", "second")
    assert replace(s, home=Path("x")).user == "first"
