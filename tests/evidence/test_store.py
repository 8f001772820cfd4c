"""The blob store: content-addressed, write-once, read-only, atomic."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from vigil.evidence.store import BlobStore


def test_put_is_content_addressed_and_read_only(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "ev")
    s = store.put_stream(io.BytesIO(b"evidence bytes"))
    assert s.path == store.path_for(s.digests.sha256)
    assert s.path.read_bytes() == b"evidence bytes"
    mode = stat.S_IMODE(os.stat(s.path).st_mode)
    assert mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0
    assert not s.already_present
    assert list(store.tmp.iterdir()) == []


def test_same_bytes_stored_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "ev")
    a = store.put_stream(io.BytesIO(b"same"))
    b = store.put_stream(io.BytesIO(b"same"))
    assert b.already_present and a.path == b.path
    assert sorted(store.iter_blob_names()) == [a.digests.sha256]


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "ev")

    class Boom(io.RawIOBase):
        calls = 0

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("device went away")
            return b"a" * 100

    with pytest.raises(OSError):
        store.put_stream(Boom(), chunk_size=100)  # type: ignore[arg-type]
    assert list(store.iter_blob_names()) == []
    assert list(store.tmp.iterdir()) == []


def test_clear_stale_tmp(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "ev")
    store.ensure()
    (store.tmp / "incoming-dead").write_bytes(b"partial")
    assert [p.name for p in store.clear_stale_tmp()] == ["incoming-dead"]
    assert list(store.tmp.iterdir()) == []
