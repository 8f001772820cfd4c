"""PDQ as a signal type: 256-bit perceptual hashes of images, matched by Hamming distance.

The hashing itself (and the image-preparation pipeline it records) is in
:mod:`vigil.media.hashers.pdq`; the index is :class:`vigil.media.index.PdqIndex`. Both load
numpy, pdqhash, Pillow and faiss, so this module imports them only when a hash is made or an
index is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from vigil.media.hashers.base import IndexHit, Signal, SignalIndex, SignalType, hamming, hex_value
from vigil.media.matching import DEFAULT_THRESHOLD

T = TypeVar("T")


class PdqSignal(SignalType):
    """PDQ of an image's pixels; hashes of quality below 50 cannot be scored."""

    name = "pdq"
    description = "PDQ perceptual hash of an image (Hamming distance of 256 bits)"
    content = ("image",)
    threshold = DEFAULT_THRESHOLD
    min_quality = 50  # vigil.media.hashers.pdq.MIN_QUALITY (a test checks they agree)

    def hash_bytes(self, data: bytes, *, name: str = "<image>") -> Signal:
        from vigil.media.hashers.pdq import hash_image

        res = hash_image(data, name=name)
        return Signal(self.name, res.hash.hex, res.hash.quality)

    def normalise(self, value: str) -> str:
        return hex_value(self.name, value, 64)

    def distance(self, a: str, b: str) -> int:
        return hamming(a, b)

    def build_index(
        self, entries: Iterable[tuple[str, T]], *, threshold: int | None = None
    ) -> SignalIndex[T]:
        return PdqSignalIndex(self, entries, self.threshold if threshold is None else threshold)


class PdqSignalIndex(Generic[T]):
    """Listed PDQ hashes in a :class:`~vigil.media.index.PdqIndex` (exact within threshold)."""

    def __init__(self, kind: PdqSignal, entries: Iterable[tuple[str, T]], threshold: int) -> None:
        from vigil.media.index import PdqIndex, codes_from_hex
        from vigil.media.matching import ListRef

        self.kind = kind
        pairs = [(kind.normalise(v), m) for v, m in entries]
        self._values = [v for v, _ in pairs]
        self._metas = [m for _, m in pairs]
        self._index = PdqIndex()
        self._index.add_codes(codes_from_hex(self._values), ListRef("0", "index", threshold))

    def query(self, value: str) -> list[IndexHit[T]]:
        from vigil.media.index import codes_from_hex

        ids, dists = self._index.search(codes_from_hex([self.kind.normalise(value)]))[0]
        _, rows = self._index.owners(ids)
        hits = [
            IndexHit(int(d), self._values[r], self._metas[r])
            for r, d in zip(rows.tolist(), dists.tolist(), strict=True)
        ]
        return sorted(hits, key=lambda h: h.distance)

    def __len__(self) -> int:
        return len(self._values)


SIGNALS: tuple[SignalType, ...] = (PdqSignal(),)
