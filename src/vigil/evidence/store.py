"""Content-addressed, write-once blob store.

Layout under ``<VIGIL_HOME>/evidence``::

    blobs/ab/cd/abcdef...   bytes, named by SHA-256, mode 0444
    tmp/                    in-flight writes; never read; cleared of stale files on open

A blob becomes visible only by an atomic rename after its bytes are complete and fsynced, so
a writer killed at any moment leaves either nothing under ``blobs/`` or a complete file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vigil.evidence.hashing import Digests, Readable, hash_stream

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True, slots=True)
class Stored:
    """The result of putting bytes in the store."""

    digests: Digests
    path: Path
    already_present: bool


class BlobStore:
    """The evidence store on local disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.tmp = root / "tmp"

    def ensure(self) -> None:
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def partial_files(self) -> list[tuple[Path, int]]:
        """Files left in ``tmp/`` by writes that did not finish, with their sizes."""
        if not self.tmp.is_dir():
            return []
        out = []
        for p in sorted(self.tmp.iterdir()):
            with contextlib.suppress(FileNotFoundError):
                out.append((p, p.stat().st_size))
        return out

    def clear_stale_tmp(self) -> list[Path]:
        """Remove leftovers of writers that died. Call only when no writer is running."""
        removed = []
        if self.tmp.is_dir():
            for p in self.tmp.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                    removed.append(p)
        return removed

    def put_stream(
        self,
        src: Readable,
        chunk_size: int = 4 * 1024 * 1024,
        progress: Callable[[int], None] | None = None,
    ) -> Stored:
        """Hash and store ``src`` in one pass; atomic and idempotent."""
        self.ensure()
        fd, tmp_name = tempfile.mkstemp(prefix="incoming-", dir=self.tmp)
        tmp_path = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                digests = hash_stream(src, copy_to=out, chunk_size=chunk_size, progress=progress)
                out.flush()
                os.fsync(out.fileno())
            final = self.path_for(digests.sha256)
            if final.is_file():
                tmp_path.unlink()
                return Stored(digests, final, already_present=True)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_path, READ_ONLY)
            os.replace(tmp_path, final)
            _fsync_dir(final.parent)
            return Stored(digests, final, already_present=False)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            raise

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored blob for reading. Callers must log the access (see services)."""
        return self.path_for(sha256).open("rb")

    def rehash(self, sha256: str, chunk_size: int = 4 * 1024 * 1024) -> Digests:
        with self.open(sha256) as fh:
            return hash_stream(fh, chunk_size=chunk_size)

    def iter_blob_names(self) -> Iterator[str]:
        """Names of every file under ``blobs/`` (normally SHA-256 hex strings)."""
        if not self.blobs.is_dir():
            return
        for p in self.blobs.rglob("*"):
            if p.is_file():
                yield p.name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
