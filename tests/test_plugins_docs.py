"""Every hook in vigil.hookspecs is documented in docs/plugins.md, and the docs are linked."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from vigil import hookspecs

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "plugins.md"


def hook_names() -> list[str]:
    return [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if getattr(fn, "vigil_spec", None) is not None
    ]


def test_every_hookspec_is_documented_with_an_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    names = hook_names()
    assert len(names) >= 9 and "vigil_parsers" in names
    sections = re.split(r"^### ", text, flags=re.M)
    by_heading = {s.split("\n", 1)[0].strip("` "): s for s in sections[1:]}
    for name in names:
        assert name in by_heading, f"{name} has no '### `{name}`' section in docs/plugins.md"
        body = by_heading[name]
        assert "```python" in body and "@hookimpl" in body, f"{name} has no example"
        assert f"def {name}(" in body, f"{name}'s example does not implement it"
    assert set(by_heading) <= set(names) | {"Current limits"}


def test_every_hookspec_has_a_docstring() -> None:
    for name in hook_names():
        assert (getattr(hookspecs, name).__doc__ or "").strip(), name


def test_readme_links_the_plugin_docs() -> None:
    assert "(docs/plugins.md)" in (REPO / "README.md").read_text(encoding="utf-8")
