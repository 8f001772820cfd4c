"""Reading the packaged YAML data files (or a replacement named by the user)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from vigil.errors import ParseError, UserError


def load_yaml(name: str, path: Path | None = None) -> dict[str, Any]:
    """Load ``path``, or the packaged ``vigil/cases/data/<name>``, as a mapping."""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot read {path}: {exc.strerror}") from exc
        label = str(path)
    else:
        text = (resources.files("vigil.cases") / "data" / name).read_text(encoding="utf-8")
        label = f"vigil/cases/data/{name}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise ParseError(str(exc).splitlines()[0], file=label, location=where) from exc
    if not isinstance(data, dict):
        raise ParseError("top level is not a mapping", file=label, expected="a YAML mapping")
    return data


def need(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """``data[key]`` checked for type, or a ParseError naming where it was expected."""
    if key not in data:
        raise ParseError(f"missing {key!r}", location=where)
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ParseError(f"{key!r} should be {kind.__name__}", location=where)
    return value
