"""SHA-256, SHA-1 and MD5 of a stream in one pass, optionally copying it as it is read.

The three digests run in their own threads (hashlib releases the GIL on large updates), so
on a machine with two or more cores the pass costs about as much as the slowest digest alone.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

ALGORITHMS: tuple[str, ...] = ("sha256", "sha1", "md5")


@dataclass(frozen=True, slots=True)
class Digests:
    """The three digests of some bytes and their length."""

    sha256: str
    sha1: str
    md5: str
    size: int


class Readable(Protocol):
    """Anything with ``read(n) -> bytes``."""

    def read(self, n: int = -1, /) -> bytes: ...


_STOP = b""


def _worker(h: hashlib._Hash, q: queue.Queue[bytes]) -> None:
    while True:
        block = q.get()
        if block is _STOP:
            return
        h.update(block)


def hash_stream(
    src: Readable,
    copy_to: BinaryIO | None = None,
    chunk_size: int = 4 * 1024 * 1024,
    progress: Callable[[int], None] | None = None,
) -> Digests:
    """Read ``src`` to the end once, hashing with every algorithm and writing to ``copy_to``.

    ``progress`` is called with the number of bytes read after each chunk.
    """
    hashers = [hashlib.new(name) for name in ALGORITHMS]
    queues: list[queue.Queue[bytes]] = [queue.Queue(maxsize=4) for _ in hashers]
    threads = [
        threading.Thread(target=_worker, args=(h, q), daemon=True)
        for h, q in zip(hashers, queues, strict=True)
    ]
    for t in threads:
        t.start()
    size = 0
    try:
        while True:
            block = src.read(chunk_size)
            if not block:
                break
            size += len(block)
            for q in queues:
                q.put(block)
            if copy_to is not None:
                copy_to.write(block)
            if progress is not None:
                progress(len(block))
    finally:
        for q in queues:
            q.put(_STOP)
        for t in threads:
            t.join()
    sha256, sha1, md5 = (h.hexdigest() for h in hashers)
    return Digests(sha256=sha256, sha1=sha1, md5=md5, size=size)


def hash_bytes(data: bytes) -> Digests:
    """Digests of an in-memory buffer (small files, tests)."""
    return Digests(
        sha256=hashlib.sha256(data).hexdigest(),
        sha1=hashlib.sha1(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest(),
        size=len(data),
    )
