"""What every hash-set importer returns: a HashList of HashRecords, with deletions and issues.

Importers are pure: they take the file's bytes and a display name and return data. The import
date, the importing officer and the custody entry are added by the service that stores the list.
A record that cannot be read is reported as an :class:`ImportIssue` (with its location) and
skipped; it never stops the import and is never dropped silently.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from vigil.media.categories import Category
from vigil.plugins import SIGNAL_TYPES

if TYPE_CHECKING:
    from vigil.media.hashers.base import SignalType

HEX = re.compile(r"^[0-9a-fA-F]+$")
PHOTODNA_BYTES = 144
LISTED_ONLY: tuple[str, ...] = ("photodna",)
"""Algorithms hash lists carry that Vigil can import and store but not compute or compare."""


@dataclass(frozen=True, slots=True)
class HashValue:
    """One hash: a normalised algorithm name and value (lower-case hex; PhotoDNA as base64)."""

    algorithm: str
    value: str


@dataclass(frozen=True, slots=True)
class HashRecord:
    """One listed item: its key in the list, its hashes, its category and whether it is deleted."""

    key: str
    hashes: tuple[HashValue, ...]
    category: Category | None = None
    deleted: bool = False
    attributes: tuple[tuple[str, str], ...] = ()

    def get(self, algorithm: str) -> str | None:
        """The first value for ``algorithm`` in this record, if any."""
        for h in self.hashes:
            if h.algorithm == algorithm:
                return h.value
        return None


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """A record that was skipped or read with a warning, and where it was in the file."""

    location: str
    message: str


@dataclass(frozen=True, slots=True)
class HashList:
    """An imported hash list: where it came from, its version, its live entries and deletions."""

    source: str
    format: str
    version: str | None
    entries: tuple[HashRecord, ...]
    deletions: tuple[HashRecord, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    issues: tuple[ImportIssue, ...] = field(default=())

    def count(self, algorithm: str) -> int:
        """How many live entries carry a hash of ``algorithm``."""
        return sum(1 for r in self.entries if r.get(algorithm) is not None)


def _aliases(types: Mapping[str, SignalType]) -> dict[str, str]:
    table = {name: name for name in LISTED_ONLY}
    for name, kind in types.items():
        for alias in (name, *kind.aliases):
            table[alias.lower().replace("_", "")] = name
    return table


def canonical_algorithm(name: str) -> str | None:
    """The registered algorithm for a column or field name (``SHA-1`` -> ``sha1``), or None.

    Known names are those of the registered signal types (built-in and plugins) with their
    aliases, and PhotoDNA, which lists carry but Vigil cannot compute.
    """
    return SIGNAL_TYPES.derive(_aliases).get(name.strip().lower().replace("_", ""))


def normalise_hash(algorithm: str, value: str) -> str:
    """Check and normalise one hash value; ValueError says what was wrong.

    A registered signal type checks its own values (hex algorithms become lower-case hex of the
    right length). PhotoDNA is accepted as base64 (192 characters) or hex (288) and stored as
    base64. Any other algorithm keeps its text, which must not be empty.
    """
    kind = SIGNAL_TYPES.get(algorithm)
    if kind is not None:
        return kind.normalise(value)
    text = value.strip()
    if algorithm == "photodna":
        raw: bytes
        if len(text) == PHOTODNA_BYTES * 2 and HEX.match(text):
            raw = bytes.fromhex(text)
        else:
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("PhotoDNA must be base64 or hex") from None
        if len(raw) != PHOTODNA_BYTES:
            raise ValueError(f"PhotoDNA must be {PHOTODNA_BYTES} bytes, got {len(raw)}")
        return base64.b64encode(raw).decode("ascii")
    if not text:
        raise ValueError(f"empty {algorithm} value")
    return text


def guess_algorithm(value: str) -> str | None:
    """md5 or sha1 from a bare hex value's length; None when ambiguous or unknown.

    A 64-digit value could be SHA-256 or PDQ, so it is never guessed.
    """
    text = value.strip()
    if not HEX.match(text):
        return None
    return {32: "md5", 40: "sha1"}.get(len(text))


def truthy(value: object) -> bool:
    """Whether a deletion flag from a file means "deleted" (true/yes/1/deleted/removed)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "y", "deleted", "removed", "delete"}


class HashListReader(Protocol):
    """Reads one hash-list file: its bytes and a display name in, a HashList out.

    ``scheme`` is the category scheme in which bare category codes are read (formats without
    categories ignore it). Unreadable files raise :class:`~vigil.errors.ParseError`; a bad
    record becomes an :class:`ImportIssue` and is skipped.
    """

    def __call__(self, data: bytes, source: str, *, scheme: str = ...) -> HashList: ...


@dataclass(frozen=True, slots=True)
class HashListFormat:
    """A hash-list format as registered through the ``vigil_hashlist_formats`` hook."""

    name: str
    description: str
    read: HashListReader
