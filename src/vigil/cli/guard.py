"""Turning Vigil's typed errors into one line and a documented exit code (every command)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from vigil.cli.common import err
from vigil.config import load_settings
from vigil.errors import VigilError

EXIT_INTERNAL = 70


def guarded(call: Callable[[], object]) -> None:
    """Run ``call``, turning Vigil's typed errors into one line and a documented exit code."""
    try:
        call()
    except VigilError as exc:
        err.print(f"[red]error:[/red] {exc.message}", markup=True, soft_wrap=True)
        if exc.hint:
            err.print(f"  what to do: {exc.hint}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing half-written was kept")
        sys.exit(130)
    except Exception as exc:  # an internal fault, not a user mistake
        if load_settings().debug:
            raise
        err.print(f"internal error: {type(exc).__name__}: {exc}", soft_wrap=True)
        err.print("  what to do: re-run with VIGIL_DEBUG=1 for the traceback and report it")
        sys.exit(EXIT_INTERNAL)
