"""One-pass hashing equals hashlib's digests and copies every byte."""

from __future__ import annotations

import hashlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.evidence.hashing import hash_bytes, hash_stream


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=20_000), chunk=st.integers(min_value=1, max_value=5000))
def test_stream_digests_match_hashlib_and_copy_is_exact(data: bytes, chunk: int) -> None:
    out = io.BytesIO()
    d = hash_stream(io.BytesIO(data), copy_to=out, chunk_size=chunk)
    assert d.sha256 == hashlib.sha256(data).hexdigest()
    assert d.sha1 == hashlib.sha1(data).hexdigest()
    assert d.md5 == hashlib.md5(data).hexdigest()
    assert d.size == len(data)
    assert out.getvalue() == data
    assert hash_bytes(data) == d


def test_progress_reports_every_byte() -> None:
    seen: list[int] = []
    hash_stream(io.BytesIO(b"x" * 10_001), chunk_size=1000, progress=seen.append)
    assert sum(seen) == 10_001
    assert len(seen) == 11
