"""Vigil's YAML data parsed once per exact text: the JSON copy in the cache folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigil.analysis.scanner import database_cache_folder, set_database_cache
from vigil.analysis.yaml_data import YamlDataError, parse_yaml

TEXT = "name: secrecy\npatterns:\n  - id: a\n    tags: [x, y]\n    weight: 0.5\n"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    before = database_cache_folder()
    set_database_cache(tmp_path)
    yield tmp_path
    set_database_cache(before)


def test_second_parse_reads_the_json_copy(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = parse_yaml(TEXT)
    assert first == {
        "name": "secrecy",
        "patterns": [{"id": "a", "tags": ["x", "y"], "weight": 0.5}],
    }
    copies = list(cache.glob("yaml-*.json"))
    assert len(copies) == 1
    monkeypatch.setitem(sys.modules, "yaml", None)  # PyYAML cannot be imported now
    assert parse_yaml(TEXT) == first
    with pytest.raises(ImportError):
        parse_yaml(TEXT + "other: 1\n")  # a new text still needs PyYAML


def test_a_value_json_cannot_carry_exactly_is_not_kept(cache: Path) -> None:
    assert parse_yaml("1: one\n2: two\n") == {1: "one", 2: "two"}  # number keys
    assert not list(cache.glob("yaml-*.json"))


def test_a_damaged_copy_is_ignored(cache: Path) -> None:
    parse_yaml(TEXT)
    (copy,) = cache.glob("yaml-*.json")
    copy.write_text("{not json", encoding="utf-8")
    assert parse_yaml(TEXT)["name"] == "secrecy"


def test_no_cache_folder_means_no_copies(tmp_path: Path) -> None:
    before = database_cache_folder()
    set_database_cache(None)
    try:
        assert parse_yaml(TEXT)["name"] == "secrecy"
    finally:
        set_database_cache(before)
    assert not list(tmp_path.iterdir())


def test_bad_yaml_is_a_yaml_data_error(cache: Path) -> None:
    with pytest.raises(YamlDataError):
        parse_yaml("a: [unclosed\n")
