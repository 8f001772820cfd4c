"""vigil.ingest.safezip: traversal, bombs, encryption and member limits."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from vigil.errors import ParseError
from vigil.ingest.safezip import ZipLimits, iter_member_chunks, open_zip, read_member


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


def open_bytes(data: bytes, limits: ZipLimits | None = None) -> zipfile.ZipFile:
    if limits is None:
        return open_zip(io.BytesIO(data), "ev.zip")
    return open_zip(io.BytesIO(data), "ev.zip", limits)


def test_ordinary_archive_opens_and_reads() -> None:
    zf = open_bytes(make_zip({"chat.txt": b"hello", "media/a.jpg": b"\xff\xd8" * 10}))
    assert zf.namelist() == ["chat.txt", "media/a.jpg"]
    assert read_member(zf, "chat.txt", "ev.zip") == b"hello"


def test_chunks_respect_size() -> None:
    zf = open_bytes(make_zip({"a.bin": bytes(range(256)) * 40}))
    chunks = list(iter_member_chunks(zf, "a.bin", "ev.zip", chunk=1000))
    assert [len(c) for c in chunks] == [1000] * 10 + [240]


def test_not_a_zip() -> None:
    with pytest.raises(ParseError, match=r"^ev\.zip: not a readable zip archive"):
        open_bytes(b"this is plain text, not a zip")


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "../../evil.txt",
        "media/../../evil.txt",
        "/etc/cron.d/evil",
        "C:/Windows/evil.txt",
        "..\\..\\evil.txt",
        "media\\..\\..\\evil.txt",
    ],
)
def test_path_traversal_refused(name: str) -> None:
    data = make_zip({"chat.txt": b"hi", name: b"payload"})
    with pytest.raises(ParseError, match=r"path traversal") as info:
        open_bytes(data)
    assert info.value.location == f"member {name!r}"


def test_dotdot_inside_a_name_is_fine() -> None:
    zf = open_bytes(make_zip({"media/IMG..1.jpg": b"x", "notes..txt": b"y"}))
    assert len(zf.namelist()) == 2


def test_encrypted_member_refused() -> None:
    data = bytearray(make_zip({"secret.txt": b"x"}))
    central = data.find(b"PK\x01\x02")
    flags = struct.unpack_from("<H", data, central + 8)[0]
    struct.pack_into("<H", data, central + 8, flags | 0x1)
    with pytest.raises(ParseError, match=r"member 'secret\.txt': encrypted"):
        open_bytes(bytes(data))


def test_member_count_limit() -> None:
    data = make_zip({f"f{i}.txt": b"x" for i in range(4)})
    with pytest.raises(ParseError, match=r"archive has 4 members, more than 3"):
        open_bytes(data, ZipLimits(max_members=3))


def test_member_size_limit() -> None:
    data = make_zip({"big.bin": b"x" * 200})
    with pytest.raises(ParseError, match=r"member 'big\.bin': member expands to 200 bytes"):
        open_bytes(data, ZipLimits(max_member_bytes=100))


def test_total_size_limit() -> None:
    data = make_zip({"a.bin": b"a" * 100, "b.bin": b"b" * 100})
    with pytest.raises(ParseError, match=r"archive expands to 200 bytes, over the limit"):
        open_bytes(data, ZipLimits(max_total_bytes=150))


def test_compression_ratio_bomb_refused() -> None:
    data = make_zip({"zeros.bin": bytes(8 * 1024 * 1024)})
    assert len(data) < 64 * 1024
    with pytest.raises(ParseError, match=r"member 'zeros\.bin': member compresses \d+:1.*zip bomb"):
        open_bytes(data)


def test_small_compressible_member_is_allowed() -> None:
    # below the 1 MiB floor the ratio is not checked: chat logs compress well
    zf = open_bytes(make_zip({"chat.txt": b"a" * 500_000}))
    assert len(read_member(zf, "chat.txt", "ev.zip")) == 500_000


def test_member_larger_than_declared_never_yields_extra_bytes() -> None:
    data = bytearray(make_zip({"a.txt": b"hello world " * 100}))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)  # central directory: uncompressed size
    struct.pack_into("<I", data, 22, 10)  # local header: uncompressed size
    zf = open_bytes(bytes(data))
    got: list[bytes] = []
    with pytest.raises((ParseError, zipfile.BadZipFile)):
        for chunk in iter_member_chunks(zf, "a.txt", "ev.zip"):
            got.append(chunk)
    assert sum(len(c) for c in got) <= 10
