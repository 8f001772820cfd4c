"""What a signal type is: a named hash of content, how to compare two, and how to index many.

The idea follows python-threatexchange's ``SignalType``: one small object per hash algorithm
that knows how to hash content, how far apart two hashes are, the distance at or below which
they match, and how to build an index that answers "which listed hashes are near this one".
Signal types register through the ``vigil_signal_types`` hook; MD5, SHA-1, SHA-256, PDQ and
vPDQ are built-in plugins of it (:mod:`vigil.media.hashers`).

A signal type is pure: it hashes bytes (or, when its decoder must read a file itself, a path)
and compares strings. Nothing here opens evidence or writes to the database.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
_HEX = re.compile(r"^[0-9a-fA-F]+$")


@dataclass(frozen=True, slots=True)
class Signal:
    """One hash made by one signal type; ``quality`` (0-100) when the algorithm rates it."""

    signal_type: str
    value: str
    quality: int | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two hashes compared: whether they match, their distance, and the threshold used."""

    match: bool
    distance: int
    threshold: int


@dataclass(frozen=True, slots=True)
class IndexHit(Generic[T]):
    """A listed hash near a query: its distance, its value and what was stored with it."""

    distance: int
    value: str
    meta: T


class SignalIndex(Protocol[T]):
    """Listed hashes of one signal type, searched by distance."""

    def query(self, value: str) -> list[IndexHit[T]]:
        """Every listed hash that matches ``value``, nearest first."""
        ...

    def __len__(self) -> int: ...


class SignalType(ABC):
    """A media hash algorithm. Subclasses set the attributes and implement three methods.

    ``name`` is the short stable name used in hash lists and on the command line (lower case);
    ``aliases`` are other spellings hash lists use for it (``sha-1``). ``content`` says what it
    hashes (``image``, ``video`` or ``file``). ``threshold`` is the largest distance that still
    matches (0 for exact hashes). ``min_quality``, when set, is the quality below which a hash
    cannot be scored: a match or no-match means nothing for it.
    """

    name: str
    description: str
    content: tuple[str, ...] = ("file",)
    threshold: int = 0
    min_quality: int | None = None
    aliases: tuple[str, ...] = ()

    @abstractmethod
    def hash_bytes(self, data: bytes, *, name: str = "<bytes>") -> Signal:
        """Hash content given as bytes; :class:`~vigil.errors.ParseError` when it cannot."""

    def hash_file(self, path: Path) -> Signal:
        """Hash the file at ``path`` (by default: its bytes, through :meth:`hash_bytes`)."""
        return self.hash_bytes(path.read_bytes(), name=str(path))

    @abstractmethod
    def normalise(self, value: str) -> str:
        """Check a hash written as text and return its canonical form; ValueError says why not."""

    @abstractmethod
    def distance(self, a: str, b: str) -> int:
        """Distance between two canonical hashes (0 for identical)."""

    def compare(self, a: str, b: str, *, threshold: int | None = None) -> Comparison:
        """Compare two hashes (normalised first) at ``threshold`` (default: the type's)."""
        limit = self.threshold if threshold is None else threshold
        d = self.distance(self.normalise(a), self.normalise(b))
        return Comparison(d <= limit, d, limit)

    def build_index(
        self, entries: Iterable[tuple[str, T]], *, threshold: int | None = None
    ) -> SignalIndex[T]:
        """An index over ``(hash, meta)`` pairs; by default a linear scan with :meth:`distance`."""
        return LinearIndex(self, entries, self.threshold if threshold is None else threshold)

    def scorable(self, signal: Signal) -> bool:
        """Whether ``signal`` has the quality a match or no-match needs."""
        if self.min_quality is None or signal.quality is None:
            return True
        return signal.quality >= self.min_quality


class LinearIndex(Generic[T]):
    """Every listed hash compared with the query: right for small lists and toy types."""

    def __init__(self, kind: SignalType, entries: Iterable[tuple[str, T]], threshold: int) -> None:
        self.kind, self.threshold = kind, threshold
        self._entries = [(kind.normalise(v), meta) for v, meta in entries]

    def query(self, value: str) -> list[IndexHit[T]]:
        q = self.kind.normalise(value)
        hits = [IndexHit(self.kind.distance(q, v), v, m) for v, m in self._entries]
        return sorted((h for h in hits if h.distance <= self.threshold), key=lambda h: h.distance)

    def __len__(self) -> int:
        return len(self._entries)


class DictIndex(Generic[T]):
    """Identical hashes only, in a dict: for cryptographic hashes of any list size."""

    def __init__(self, kind: SignalType, entries: Iterable[tuple[str, T]]) -> None:
        self.kind = kind
        self._map: dict[str, list[T]] = {}
        self._n = 0
        for v, meta in entries:
            self._map.setdefault(kind.normalise(v), []).append(meta)
            self._n += 1

    def query(self, value: str) -> list[IndexHit[T]]:
        q = self.kind.normalise(value)
        return [IndexHit(0, q, m) for m in self._map.get(q, ())]

    def __len__(self) -> int:
        return self._n


def hex_value(algorithm: str, value: str, digits: int) -> str:
    """``value`` as lower-case hex of exactly ``digits`` digits; ValueError says what was wrong."""
    text = value.strip()
    if len(text) != digits or not _HEX.match(text):
        raise ValueError(f"{algorithm} must be {digits} hex digits, got {text[:80]!r}")
    return text.lower()


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex strings of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
