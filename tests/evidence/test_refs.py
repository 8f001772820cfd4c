"""Exhibit references in the police style."""

from __future__ import annotations

import pytest

from vigil.errors import UserError
from vigil.evidence.refs import format_ref, initials


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("Jane Smith", "JS"),
        ("anne-marie o'neil", "AMO"),
        ("JS", "JS"),
        ("Zoë Çelik", "ZÇ"),
        ("  Bob   Ray  Lee ", "BRL"),
    ],
)
def test_initials(name: str, want: str) -> None:
    assert initials(name) == want


def test_initials_rejects_empty() -> None:
    with pytest.raises(UserError):
        initials("   ")


def test_template() -> None:
    assert format_ref("{initials}/{n}", "JS", 3) == "JS/3"
    assert format_ref("EX-{n:04d}", "JS", 3) == "EX-0003"
    with pytest.raises(UserError):
        format_ref("{initials}", "JS", 1)
