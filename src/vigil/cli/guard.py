"""Turning Vigil's typed errors into one line and a documented exit code (every command).

The console is loaded only when there is something to say (``vigil scan`` starts faster)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from vigil.config import load_settings
from vigil.errors import VigilError

EXIT_INTERNAL = 70


def _debug() -> bool:
    """``VIGIL_DEBUG``, read when needed (a bad value in another variable must not hide the fault)."""
    try:
        return load_settings().debug
    except VigilError:
        return False


def _say(*lines: str, error: bool = False) -> None:
    """Print ``lines`` on stderr; the first after a red "error:" when ``error``."""
    from vigil.cli.common import err

    for i, line in enumerate(lines):
        if error and i == 0:
            err.print("[red]error:[/red] ", end="", markup=True)
        err.print(line, soft_wrap=True, markup=False)


def guarded(call: Callable[[], object]) -> None:
    """Run ``call``, turning Vigil's typed errors into one line and a documented exit code."""
    try:
        call()
    except VigilError as exc:
        _say(exc.message, *([f"  what to do: {exc.hint}"] if exc.hint else []), error=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _say("interrupted; nothing half-written was kept")
        sys.exit(130)
    except Exception as exc:  # an internal fault, not a user mistake
        if _debug():
            raise
        _say(
            f"internal error: {type(exc).__name__}: {exc}",
            "  what to do: re-run with VIGIL_DEBUG=1 for the traceback and report it",
        )
        sys.exit(EXIT_INTERNAL)
