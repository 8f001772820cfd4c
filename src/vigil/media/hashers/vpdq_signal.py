"""vPDQ as a signal type: a video's frame PDQ hashes, matched by the share of frames that match.

A vPDQ hash is written in the reference text format (``frame,quality,hash[,timestamp]`` per
frame, lines separated by newlines or ``;``). Only frames of quality 50 or more take part, each
hash once, as in :mod:`vigil.media.vpdq_index`. The distance of a query to a listed video is the
mean, over the query's frames, of the nearest listed frame's Hamming distance; the query matches
when at least 80% of its frames are within the threshold (31) of some listed frame.

vpdq's FFmpeg decoder reads a file itself: :meth:`VpdqSignal.hash_bytes` writes the bytes to a
temporary file first. The hashing is in :mod:`vigil.media.hashers.vpdq`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from vigil.errors import ParseError
from vigil.media.hashers.base import (
    Comparison,
    IndexHit,
    Signal,
    SignalIndex,
    SignalType,
    hamming,
)
from vigil.media.matching import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from vigil.media.hashers.vpdq import VpdqFrame

T = TypeVar("T")
MATCH_PERCENT = 80.0
WORST = 256


class VpdqSignal(SignalType):
    """vPDQ of a video (frames sampled once a second)."""

    name = "vpdq"
    description = "vPDQ: PDQ hashes of a video's frames (share of matching frames)"
    content = ("video",)
    threshold = DEFAULT_THRESHOLD
    min_quality = 50

    def frames(self, value: str) -> list[VpdqFrame]:
        """The usable frames of a vPDQ hash (quality >= 50, each hash once)."""
        from vigil.media.hashers.vpdq import parse_vpdq_text
        from vigil.media.vpdq_index import usable_frames

        try:
            parsed = parse_vpdq_text(value.replace(";", "\n"), "vPDQ value")
        except ParseError as exc:
            raise ValueError(exc.message) from None
        assert self.min_quality is not None
        return usable_frames(parsed, self.min_quality)

    def hash_file(self, path: Path) -> Signal:
        from vigil.media.hashers.vpdq import format_vpdq_text, hash_video

        res = hash_video(path)
        return self._signal(format_vpdq_text(res.frames).strip())

    def hash_bytes(self, data: bytes, *, name: str = "<video>") -> Signal:
        fd, tmp = tempfile.mkstemp(prefix="vigil-vpdq-", suffix=Path(name).suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            try:
                return self.hash_file(Path(tmp))
            except ParseError as exc:
                raise ParseError(f"cannot hash video: {exc.message}", file=name) from None
        finally:
            os.unlink(tmp)

    def _signal(self, value: str) -> Signal:
        usable = self.frames(value) if value else []
        quality = round(sum(f.quality for f in usable) / len(usable)) if usable else 0
        return Signal(self.name, value, quality)

    def normalise(self, value: str) -> str:
        text = value.strip()
        if not text:
            raise ValueError("empty vpdq value")
        self.frames(text)
        return text

    def _best(self, query: Sequence[VpdqFrame], listed: Sequence[VpdqFrame]) -> list[int]:
        return [min((hamming(q.hash, f.hash) for f in listed), default=WORST) for q in query]

    def distance(self, a: str, b: str) -> int:
        best = self._best(self.frames(a), self.frames(b))
        return round(sum(best) / len(best)) if best else WORST

    def compare(self, a: str, b: str, *, threshold: int | None = None) -> Comparison:
        limit = self.threshold if threshold is None else threshold
        best = self._best(self.frames(a), self.frames(b))
        if not best:
            return Comparison(False, WORST, limit)
        near = sum(1 for d in best if d <= limit)
        return Comparison(
            100.0 * near / len(best) >= MATCH_PERCENT, round(sum(best) / len(best)), limit
        )

    def build_index(
        self, entries: Iterable[tuple[str, T]], *, threshold: int | None = None
    ) -> SignalIndex[T]:
        return VpdqSignalIndex(self, entries, self.threshold if threshold is None else threshold)


class VpdqSignalIndex(Generic[T]):
    """Listed videos in a :class:`~vigil.media.vpdq_index.VpdqIndex`."""

    def __init__(self, kind: VpdqSignal, entries: Iterable[tuple[str, T]], threshold: int) -> None:
        from vigil.media.matching import ListRef
        from vigil.media.vpdq_index import VpdqIndex

        self.kind = kind
        self._index = VpdqIndex()
        ref = ListRef("0", "index", threshold)
        self._values: list[str] = []
        self._metas: list[T] = []
        for value, meta in entries:
            text = kind.normalise(value)
            self._index.add_video(kind.frames(text), ref, str(len(self._values)))
            self._values.append(text)
            self._metas.append(meta)

    def query(self, value: str) -> list[IndexHit[T]]:
        look = self._index.lookup(self.kind.frames(self.kind.normalise(value)))
        hits = [
            IndexHit(m.distance, self._values[int(m.record_key)], self._metas[int(m.record_key)])
            for m in look.matches
        ]
        return sorted(hits, key=lambda h: h.distance)

    def __len__(self) -> int:
        return len(self._values)


SIGNALS: tuple[SignalType, ...] = (VpdqSignal(),)
