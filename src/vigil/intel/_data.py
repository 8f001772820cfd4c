"""Loads the intel package's domain data (JSON files under ``vigil/intel/data``).

Files are read lazily on first use and cached, so importing the package reads nothing.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Return the parsed JSON document ``data/<name>.json``."""
    ref = resources.files("vigil.intel").joinpath("data", f"{name}.json")
    return json.loads(ref.read_text(encoding="utf-8"))
