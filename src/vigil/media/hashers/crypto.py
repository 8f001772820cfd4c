"""Cryptographic hashes of media: MD5, SHA-1 and SHA-256, for exact hash-set look-ups.

Media already registered as exhibits has these digests from registration
(:mod:`vigil.evidence.hashing`); :func:`from_digests` reuses them so nothing is read twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vigil.evidence.hashing import Digests

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
