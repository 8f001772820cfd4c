"""Every module of Vigil imports on its own in a fresh interpreter: no import cycle hides behind
the order in which the CLI, the web app or the tests happen to load things."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _modules() -> list[str]:
    out = []
    for p in sorted((SRC / "vigil").rglob("*.py")):
        rel = p.relative_to(SRC).with_suffix("")
        if "migrations" in rel.parts:
            continue  # Alembic loads these with its own context
        name = ".".join(rel.parts)
        out.append(name.removesuffix(".__init__"))
    return out


def _import(name: str) -> tuple[str, str]:
    r = subprocess.run(
        [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=120
    )
    return name, (r.stderr.strip().splitlines() or ["?"])[-1] if r.returncode else ""


@pytest.mark.slow
def test_every_module_imports_on_its_own() -> None:
    names = _modules()
    assert len(names) > 200
    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = {n: e for n, e in pool.map(_import, names) if e}
    assert failed == {}
