"""Vigil's own YAML data files (taxonomy, normaliser tables), parsed once per exact text.

Parsing them is most of the taxonomy's load time, which every ``vigil scan`` pays. When the
compiled-pattern cache folder is set (:func:`vigil.analysis.scanner.set_database_cache`), the
parsed value is kept there as JSON named by the SHA-256 of the YAML text, so a later process
reading the same text loads JSON instead (and does not import PyYAML at all). A value JSON
cannot carry exactly is never cached; the file is written atomically; a file that cannot be
read as JSON is ignored. Like the compiled databases beside it, it is a rebuildable cache
that holds no case material.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class YamlDataError(ValueError):
    """The text is not valid YAML (the message is PyYAML's)."""


def parse_yaml(text: str) -> Any:
    """The value of a YAML text, from the cache when the same text was parsed before."""
    from vigil.analysis.scanner import database_cache_folder

    folder = database_cache_folder()
    path = None
    if folder is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        path = folder / f"yaml-{digest[:40]}.json"
        with contextlib.suppress(OSError, ValueError):
            return json.loads(path.read_text(encoding="utf-8"))
    value = _parse(text)
    if path is not None:
        _keep(path, value)
    return value


def _parse(text: str) -> Any:
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, ten times faster
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise YamlDataError(str(exc)) from exc


def _keep(path: Path, value: Any) -> None:
    """Write ``value`` as JSON when it round-trips exactly; a read-only cache only costs time."""
    try:
        encoded = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return
    if json.loads(encoded) != value:  # e.g. number keys, which JSON turns into strings
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".yaml-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(encoded)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
