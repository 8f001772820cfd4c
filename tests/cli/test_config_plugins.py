"""The ``plugins`` setting: VIGIL_PLUGINS as comma-separated module names."""

from __future__ import annotations

import pytest

from vigil.config import Settings
from vigil.errors import UserError


def test_plugins_from_keyword_else_environment_else_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIL_PLUGINS", raising=False)
    assert Settings().plugins == ()
    monkeypatch.setenv("VIGIL_PLUGINS", " unit_hashes, vigil_extra.reports ,, ")
    assert Settings().plugins == ("unit_hashes", "vigil_extra.reports")
    assert Settings(plugins=("mine",)).plugins == ("mine",)
    monkeypatch.setenv("VIGIL_PLUGINS", " ")
    assert Settings().plugins == ()


@pytest.mark.parametrize("raw", ["unit-hashes", "a..b", "x y", "1st"])
def test_bad_module_name_names_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("VIGIL_PLUGINS", raw)
    with pytest.raises(UserError) as info:
        Settings()
    assert "VIGIL_PLUGINS" in info.value.message and "module name" in info.value.message
