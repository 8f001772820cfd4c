"""Hostile or broken input: importers, marker scan and hashers fail only with ParseError."""

from __future__ import annotations

import contextlib
import hashlib
import io
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from vigil.errors import ParseError
from vigil.evidence.hashing import hash_stream
from vigil.media.blur import blurred_thumbnail
from vigil.media.hashers.crypto import crypto_hashes, from_digests
from vigil.media.hashers.pdq import hash_image
from vigil.media.hashsets import IMPORTERS
from vigil.media.markers import find_markers


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_importers_never_fail_other_than_parse_error(data: bytes) -> None:
    for name, reader in IMPORTERS.items():
        try:
            hl = reader(data, f"fuzz.{name}")
        except ParseError:
            continue
        assert all(r.hashes for r in hl.entries)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_marker_scan_never_raises(tail: bytes) -> None:
    for head in (b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b""):
        find_markers(head + tail)


def test_lying_chunk_lengths_are_harmless() -> None:
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 0xFFFFFFF0) + b"tEXtparameters\x00x"
    assert find_markers(png) == ()
    jpeg = b"\xff\xd8\xff\xeb\xff\xffJP" + b"\x00" * 20
    assert find_markers(jpeg) == ()


def test_truncated_image_is_a_parse_error() -> None:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), (9, 99, 199)).save(out, format="JPEG")
    cut = out.getvalue()[: len(out.getvalue()) // 2]
    with pytest.raises(ParseError):
        hash_image(cut)
    with pytest.raises(ParseError):
        blurred_thumbnail(cut)


def test_crypto_hashes_agree_with_hashlib_and_registration() -> None:
    data = b"benign bytes" * 1000
    got = crypto_hashes(data)
    assert got.md5 == hashlib.md5(data).hexdigest()
    assert got.sha1 == hashlib.sha1(data).hexdigest()
    assert got.sha256 == hashlib.sha256(data).hexdigest()
    assert from_digests(hash_stream(io.BytesIO(data))) == got


@pytest.mark.parametrize("text", ["md5\r", "\r\n\r", "md5,category\rx", 'md5\n"a\r'])
def test_carriage_returns_in_csv_lists_are_read_or_parse_errors(text: str) -> None:
    """A stray carriage return is either read or refused as a ParseError, never a csv.Error."""
    from vigil.media.hashsets import ncmec

    with contextlib.suppress(ParseError):
        ncmec.read_ncmec(text.encode(), "list.csv")


def test_truncated_image_is_refused_even_after_another_library_relaxed_pillow() -> None:
    from PIL import ImageFile

    out = io.BytesIO()
    Image.new("RGB", (200, 200), (9, 99, 199)).save(out, format="JPEG")
    cut = out.getvalue()[: len(out.getvalue()) // 2]
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what importing WeasyPrint does
    try:
        with pytest.raises(ParseError):
            hash_image(cut)
        with pytest.raises(ParseError):
            blurred_thumbnail(cut)
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back for the other library
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
