"""Hashing and comparing with whichever signal types are registered (built-ins and plugins).

Used by ``vigil media hash`` and ``vigil media compare``: files are read, hashed and forgotten;
nothing is registered, stored or logged. Putting media on a case is ``vigil media scan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vigil.errors import ParseError, UserError
from vigil.media.hashers.base import Comparison, SignalType
from vigil.plugins import SIGNAL_TYPES

SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class HashRow:
    """One file hashed by one signal type; ``note`` says why there is no usable value."""

    file: str
    signal_type: str
    value: str
    quality: int | None
    note: str = ""


def content_kind(path: Path) -> str:
    """``image``, ``video`` or ``file``, from the file's first bytes and name."""
    from vigil.evidence.mime import guess_mime

    with path.open("rb") as fh:
        major = guess_mime(fh.read(SNIFF_BYTES), path.name).split("/", 1)[0]
    return major if major in ("image", "video") else "file"


def types_for(kind: str, names: Sequence[str] = ()) -> list[SignalType]:
    """The named signal types, or every registered type that hashes ``kind`` (or any file)."""
    if names:
        return [SIGNAL_TYPES.require(n) for n in names]
    return [t for t in SIGNAL_TYPES.values() if kind in t.content or "file" in t.content]


def hash_one(path: Path, kind: SignalType) -> HashRow:
    """``path`` hashed by ``kind``; a file the type cannot hash gives a row with a note."""
    try:
        sig = kind.hash_file(path)
    except ParseError as exc:
        return HashRow(str(path), kind.name, "", None, f"cannot hash: {exc.message}")
    note = "" if kind.scorable(sig) else f"cannot be scored (quality below {kind.min_quality})"
    return HashRow(str(path), kind.name, sig.value, sig.quality, note)


def hash_files(paths: Sequence[Path], names: Sequence[str] = ()) -> list[HashRow]:
    """Every file hashed by the named signal types (default: those that fit each file)."""
    for p in paths:
        if not p.is_file():
            raise UserError(f"{p}: no such file", hint="check the path")
    types = [SIGNAL_TYPES.require(n) for n in names]
    rows: list[HashRow] = []
    for p in paths:
        for kind in types or types_for(content_kind(p)):
            rows.append(hash_one(p, kind))
    return rows


def _read(value: str) -> str:
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read a hash from it ({exc})") from exc


def compare(signal: str, first: str, second: str, *, threshold: int | None = None) -> Comparison:
    """Two hashes of signal type ``signal`` compared (``@FILE`` reads a hash from a file)."""
    kind = SIGNAL_TYPES.require(signal)
    if threshold is not None and threshold < 0:
        raise UserError("the threshold must be 0 or more")
    try:
        return kind.compare(_read(first), _read(second), threshold=threshold)
    except ValueError as exc:
        raise UserError(f"not a {signal} hash: {exc}") from exc
