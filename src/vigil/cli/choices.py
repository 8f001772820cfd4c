"""Option help that lists what the plugins registered (formats, signal types, renderers).

Help text is made when a command module is imported, so the list includes plugins from
``vigil`` entry points and ``VIGIL_PLUGINS``. If the plugins cannot be loaded then (a module
that does not import, a bad setting), the help says so and the command itself reports the
error with its exit code when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from vigil.errors import VigilError


def _name(item: Any) -> str:
    return item if isinstance(item, str) else str(item.name)


def listing(
    items: Callable[[], Iterable[Any]], show: Callable[[Any], str] = _name, sep: str = ", "
) -> str:
    """The registered items (names, or things with a ``name``) shown with ``show`` and joined;
    a short note instead if the plugins cannot be loaded."""
    try:
        return sep.join(show(i) for i in items())
    except (VigilError, ImportError) as exc:
        return f"(plugins could not be loaded: {exc})"
