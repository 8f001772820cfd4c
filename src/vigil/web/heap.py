"""Keeping the cycle finder off the application's own objects while it serves.

A warm server holds hundreds of thousands of long-lived objects (modules, the ORM's metadata,
the taxonomy, its compiled patterns, the templates). Python's full collections walked all of
them every few requests: on the demo workspace every eighth search form took 80 ms more than
the others. :func:`settle` loads what requests would load on first use, then moves everything
alive to the permanent generation (``gc.freeze``), so later collections walk only what
requests make. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import contextlib
import gc


def warm() -> None:
    """Load the caches the first requests would fill (the analysis may be absent: skipped)."""
    with contextlib.suppress(Exception):
        from vigil.analysis.wording import default_wording

        default_wording()
    with contextlib.suppress(Exception):
        from vigil.analysis.engine import default_engine

        default_engine()


def settle() -> None:
    """Warm the caches, collect once, and freeze what is alive (see the module's docstring)."""
    warm()
    gc.collect()
    gc.freeze()
