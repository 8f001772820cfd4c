"""Every extension point Vigil offers, typed, one docstring each."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from vigil.ingest.base import Parser

hookspec = pluggy.HookspecMarker("vigil")
hookimpl = pluggy.HookimplMarker("vigil")


@hookspec
def vigil_parsers() -> list[Parser]:  # type: ignore[empty-body]
    """Return chat-source parsers this plugin provides."""
