"""The pluggy plugin manager. Built-in parsers register through the same hooks as outside ones.

Outside plugins are found through the ``vigil`` entry-point group.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

import pluggy

from vigil import hookspecs

if TYPE_CHECKING:
    from vigil.ingest.base import Parser

BUILTIN_PLUGINS: tuple[str, ...] = ("vigil.ingest.formats",)
"""Modules holding built-in hook implementations (one registration line per format lives there)."""


@cache
def get_plugin_manager() -> pluggy.PluginManager:
    """Return the process-wide plugin manager, with built-ins and entry points loaded."""
    pm = pluggy.PluginManager("vigil")
    pm.add_hookspecs(hookspecs)
    for mod_name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(mod_name), name=mod_name)
    pm.load_setuptools_entrypoints("vigil")
    return pm


def parsers() -> list[Parser]:
    """All registered parsers, in registration order."""
    found: list[Parser] = []
    for group in get_plugin_manager().hook.vigil_parsers():
        found.extend(group)
    return found
