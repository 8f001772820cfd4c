"""Routes of the access matrix (tests/web/test_access_matrix.py), one module per feature.

Each module here may define:

- ``ROUTES``: ``{(method, path template): kind}`` (kinds: see ``test_access_matrix.expected``);
- ``FORMS``: ``{path template: form fields}`` for page POSTs (the CSRF token is added);
- ``BODIES``: ``{path template: JSON body}`` for API calls;
- ``QUERIES``: ``{path template: query string}`` appended to the URL (without ``?``).

A ``FORMS`` or ``BODIES`` value may instead be a callable ``(world, n) -> fields``, called for
each request (``n`` unique per request): fresh references for routes that create records.

Path templates may use ``{case_ref}``, ``{conv_id}``, ``{username}``, ``{token_id}`` and
``{exhibit_ref}``; the matrix fills them in.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

ROUTES: dict[tuple[str, str], str] = {}
FORMS: dict[str, dict[str, str]] = {}
BODIES: dict[str, Any] = {}
QUERIES: dict[str, str] = {}
FILLS: dict[str, Any] = {}
"""``{placeholder: fill(world, method, path) -> str}`` for path parameters of a module's own
(e.g. ``{item_id}``), called for every request that has one."""

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    _m = importlib.import_module(f"{__name__}.{_info.name}")
    ROUTES.update(getattr(_m, "ROUTES", {}))
    FORMS.update(getattr(_m, "FORMS", {}))
    BODIES.update(getattr(_m, "BODIES", {}))
    QUERIES.update(getattr(_m, "QUERIES", {}))
    FILLS.update(getattr(_m, "FILLS", {}))
