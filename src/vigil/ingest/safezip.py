"""Open zip containers (WhatsApp exports, UFDR reports) without trusting them.

Refuses path traversal, absolute or drive-qualified member names, encrypted members, too many
members, and zip bombs: a member or the whole archive expanding past a limit, a member's
compression ratio past a limit, or all members together expanding to more than
``max_total_ratio`` times the archive's own size (``VIGIL_MAX_ARCHIVE_RATIO``; archives expanding
to under ``total_floor`` bytes are always allowed). The checks use the sizes the archive declares,
before anything is extracted. Reads are bounded by the declared size, so a lying header cannot
expand further than it claims: what an ingest extracts is bounded by the declared total (read
twice for a WhatsApp chat text, whose parser makes two passes).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import MAX_ARCHIVE_RATIO, Limits


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Limits applied to every archive Vigil opens."""

    max_members: int = 200_000
    max_total_bytes: int = 64 * 1024**3
    max_member_bytes: int = 16 * 1024**3
    max_ratio: float = 200.0
    """Largest uncompressed/compressed ratio for members above ``ratio_floor`` bytes."""
    ratio_floor: int = 1024 * 1024
    max_total_ratio: float = float(MAX_ARCHIVE_RATIO)
    """Most bytes all members may expand to, as a multiple of the archive's own size ..."""
    total_floor: int = 64 * 1024 * 1024
    """... unless they expand to fewer bytes than this."""


DEFAULT_LIMITS = ZipLimits()


def zip_limits(limits: Limits) -> ZipLimits:
    """The archive limits for an ingest run under ``limits`` (its archive ratio)."""
    return replace(DEFAULT_LIMITS, max_total_ratio=float(limits.max_archive_ratio))


def _size_of(stream: BinaryIO) -> int | None:
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
    except (OSError, ValueError):
        return None
    return end


def _check_name(name: str, file: str) -> None:
    if "\x00" in name:
        raise ParseError("member name contains a NUL byte", file=file, location=f"member {name!r}")
    norm = name.replace("\\", "/")
    p = PurePosixPath(norm)
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in p.parts:
        raise ParseError(
            "archive member would be written outside the archive (path traversal)",
            file=file,
            location=f"member {name!r}",
        )


def open_zip(stream: BinaryIO, file: str, limits: ZipLimits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """Open ``stream`` as a zip and check every member against ``limits``."""
    size = _size_of(stream)
    try:
        zf = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise ParseError(f"not a readable zip archive: {exc}", file=file) from exc
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ParseError(
            f"archive has {len(infos)} members, more than {limits.max_members}", file=file
        )
    total = 0
    for info in infos:
        _check_name(info.filename, file)
        if info.flag_bits & 0x1:
            raise ParseError(
                "encrypted archive member", file=file, location=f"member {info.filename!r}"
            )
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise ParseError(
                f"member expands to {info.file_size} bytes, over the limit (possible zip bomb)",
                file=file,
                location=f"member {info.filename!r}",
            )
        if info.file_size > limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ParseError(
                    f"member compresses {ratio:.0f}:1, over the {limits.max_ratio:.0f}:1 limit "
                    "(possible zip bomb)",
                    file=file,
                    location=f"member {info.filename!r}",
                )
    if total > limits.max_total_bytes:
        raise ParseError(
            f"archive expands to {total} bytes, over the limit (possible zip bomb)", file=file
        )
    if size is not None and total > max(limits.total_floor, limits.max_total_ratio * size):
        raise ParseError(
            f"archive of {size:,} bytes expands to {total:,} bytes, {total / max(size, 1):,.0f} "
            f"times its size: over the limit of {limits.max_total_ratio:g} times "
            "(VIGIL_MAX_ARCHIVE_RATIO) for an ingest (possible zip bomb); nothing was extracted",
            file=file,
            hint="if the archive is genuine, raise VIGIL_MAX_ARCHIVE_RATIO and ingest it again",
        )
    return zf


def iter_member_chunks(
    zf: zipfile.ZipFile, member: str, file: str, chunk: int = 1024 * 1024
) -> Iterator[bytes]:
    """Yield a member's bytes, refusing to read past its declared size."""
    info = zf.getinfo(member)
    read = 0
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(chunk)
                if not block:
                    break
                read += len(block)
                if read > info.file_size:  # defence in depth; zipfile also stops here
                    raise ParseError(
                        "member expands past its declared size (possible zip bomb)",
                        file=file,
                        location=f"member {member!r}",
                    )
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ParseError(
            f"corrupt archive member: {exc}", file=file, location=f"member {member!r} offset {read}"
        ) from exc


def read_member(zf: zipfile.ZipFile, member: str, file: str) -> bytes:
    """Read a whole member, bounded by its declared size."""
    return b"".join(iter_member_chunks(zf, member, file))
