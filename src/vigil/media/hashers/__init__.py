"""Hashers, one module per algorithm (crypto: MD5/SHA-1/SHA-256, PDQ, vPDQ), and the built-in
signal types, which register through the ``vigil_signal_types`` hook like any plugin's.

Adding a signal type: one module exposing ``SIGNALS`` plus one line in
:data:`BUILTIN_SIGNAL_MODULES` (or, outside Vigil, a plugin; see docs/plugins.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from vigil.hookspecs import hookimpl

if TYPE_CHECKING:
    from vigil.media.hashers.base import SignalType

BUILTIN_SIGNAL_MODULES: tuple[str, ...] = ("crypto", "pdq_signal", "vpdq_signal")
"""Module names under ``vigil.media.hashers``, each exposing ``SIGNALS``."""


@hookimpl
def vigil_signal_types() -> list[SignalType]:
    out: list[SignalType] = []
    for m in BUILTIN_SIGNAL_MODULES:
        out.extend(importlib.import_module(f"{__name__}.{m}").SIGNALS)
    return out
