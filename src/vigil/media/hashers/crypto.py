"""Cryptographic hashes of media: MD5, SHA-1 and SHA-256, for exact hash-set look-ups.

Media already registered as exhibits has these digests from registration
(:mod:`vigil.evidence.hashing`); :func:`from_digests` reuses them so nothing is read twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from vigil.evidence.hashing import Digests
from vigil.media.hashers.base import DictIndex, Signal, SignalIndex, SignalType, hex_value

T = TypeVar("T")
ALGORITHMS: tuple[str, ...] = ("md5", "sha1", "sha256")


@dataclass(frozen=True, slots=True)
class CryptoHashes:
    """MD5, SHA-1 and SHA-256 (lower-case hex) of some bytes, and their length."""

    md5: str
    sha1: str
    sha256: str
    size: int

    def items(self) -> tuple[tuple[str, str], ...]:
        """``(algorithm, value)`` pairs, in :data:`ALGORITHMS` order."""
        return (("md5", self.md5), ("sha1", self.sha1), ("sha256", self.sha256))


def crypto_hashes(data: bytes) -> CryptoHashes:
    """The three digests of ``data``."""
    return CryptoHashes(
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def from_digests(digests: Digests) -> CryptoHashes:
    """The same values taken from an exhibit's registration digests."""
    return CryptoHashes(digests.md5, digests.sha1, digests.sha256, digests.size)


class CryptoSignal(SignalType):
    """MD5, SHA-1 or SHA-256 as a signal type: exact matches only (distance 0 or 1)."""

    content = ("file",)
    threshold = 0

    def __init__(self, name: str, digits: int, aliases: tuple[str, ...], description: str) -> None:
        self.name, self.digits, self.aliases, self.description = name, digits, aliases, description

    def hash_bytes(self, data: bytes, *, name: str = "<bytes>") -> Signal:
        h = hashlib.new(self.name, data, usedforsecurity=self.name == "sha256")
        return Signal(self.name, h.hexdigest())

    def normalise(self, value: str) -> str:
        return hex_value(self.name, value, self.digits)

    def distance(self, a: str, b: str) -> int:
        """0 when identical, else 1: a cryptographic hash says nothing about near copies."""
        return 0 if a == b else 1

    def build_index(
        self, entries: Iterable[tuple[str, T]], *, threshold: int | None = None
    ) -> SignalIndex[T]:
        return DictIndex(self, entries)


MD5 = CryptoSignal("md5", 32, (), "MD5 of the file's bytes (exact copies only)")
SHA1 = CryptoSignal("sha1", 40, ("sha-1",), "SHA-1 of the file's bytes (exact copies only)")
SHA256 = CryptoSignal("sha256", 64, ("sha-256",), "SHA-256 of the file's bytes (exact copies only)")
SIGNALS: tuple[SignalType, ...] = (MD5, SHA1, SHA256)
"""The three cryptographic signal types, registered by :mod:`vigil.media.hashers`."""
