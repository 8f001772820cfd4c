"""Category schemes as data and the explicit mappings between them."""

from __future__ import annotations

import pytest

from vigil.errors import ParseError, UserError
from vigil.media.categories import CategoryRegistry, registry


def test_project_vic_codes_and_labels() -> None:
    cats = registry()
    assert cats.category("projectvic-us", 0).label == "Non-pertinent"
    assert cats.category("projectvic-us", "1").label.startswith("Child abuse material")
    assert cats.category("projectvic-us", 3).label == "CGI / animation"
    assert cats.category("projectvic-us", 4).label == "Comparison image"
    assert cats.definition(cats.category("projectvic-us", 1)).indecent is True


def test_legacy_scheme_swaps_zero_and_five_both_ways() -> None:
    cats = registry()
    old_zero = cats.category("projectvic-legacy", 0)
    old_five = cats.category("projectvic-legacy", 5)
    assert cats.map(old_five, "projectvic-us").label == "Non-pertinent"
    assert cats.map(old_five, "projectvic-us").code == "0"
    assert cats.map(old_zero, "projectvic-us").code == "5"
    for code in "01234 5".replace(" ", ""):
        cur = cats.category("projectvic-us", code)
        back = cats.map(cats.map(cur, "projectvic-legacy"), "projectvic-us")
        assert back == cur
        assert cats.map(cur, "projectvic-legacy").label == cur.label


def test_uk_grades_map_one_way_only() -> None:
    cats = registry()
    assert cats.category("uk-sentencing", "a").code == "A"
    for grade in "ABC":
        assert cats.map(cats.category("uk-sentencing", grade), "projectvic-us").code == "1"
    assert cats.mapping("uk-sentencing", "projectvic-us").lossy is True
    with pytest.raises(UserError, match="no category mapping"):
        cats.map(cats.category("projectvic-us", 1), "uk-sentencing")


def test_unknown_scheme_and_code_are_errors() -> None:
    cats = registry()
    with pytest.raises(UserError, match="unknown category scheme"):
        cats.category("nowhere", 1)
    with pytest.raises(UserError, match="no category '7'"):
        cats.category("projectvic-us", 7)


def test_bad_data_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="schemes"):
        CategoryRegistry.from_data({})
    bad_pair = {
        "schemes": {"s": {"codes": {"1": {"label": "one"}}}},
        "mappings": [{"from": "s", "to": "s", "pairs": {"1": "2"}}],
    }
    with pytest.raises(ParseError, match="unknown code"):
        CategoryRegistry.from_data(bad_pair)
