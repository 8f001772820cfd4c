"""Carries ``make test-pg`` into the ``vigil`` processes tests start (see tests/pgmode.py).

On ``PYTHONPATH`` only while the suite runs on PostgreSQL; does nothing unless the server's
address is in the environment.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

if os.environ.get("VIGIL_TEST_PG_SERVER"):
    _spec = importlib.util.spec_from_file_location(
        "_vigil_test_pgmode", Path(__file__).resolve().parents[1] / "pgmode.py"
    )
    if _spec is not None and _spec.loader is not None:
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
        _module.install()
