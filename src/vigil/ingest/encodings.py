"""Exports written in UTF-16 or UTF-32 (Windows tools, some phone backups): recognised from
the byte-order mark or, without one, from where the zero bytes fall, and read as UTF-8.

The exhibit keeps its original bytes; parsers see the text converted to UTF-8, so offsets in a
parse error refer to the converted text. Pure functions and a stream wrapper.
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

CHUNK = 1 << 20
SPOOL = 64 << 20
"""Converted text is kept in memory up to this size, then in a temporary file."""

_BOMS = (  # longest first: a UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _zero_share(head: bytes, phase: int, step: int) -> float:
    picked = head[phase::step]
    return picked.count(0) / len(picked) if picked else 0.0


def wide_encoding(head: bytes) -> str | None:
    """The codec to read a file starting with ``head`` as, when it is UTF-16 or UTF-32; None
    for anything else (UTF-8, other 8-bit text, binary formats)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    sample = head[: 4096 - 4096 % 4]
    if len(sample) < 16:
        return None
    zeros = [_zero_share(sample, i, 4) for i in range(4)]
    if zeros[0] < 0.05 and min(zeros[1:]) > 0.9:
        return "utf-32-le"
    if zeros[3] < 0.05 and min(zeros[:3]) > 0.9:
        return "utf-32-be"
    even, odd = _zero_share(sample, 0, 2), _zero_share(sample, 1, 2)
    if even < 0.05 and odd > 0.9:
        return "utf-16-le"
    if odd < 0.05 and even > 0.9:
        return "utf-16-be"
    return None


def utf8_head(head: bytes, codec: str) -> bytes:
    """``head`` converted to UTF-8 (a character cut at the end is dropped)."""
    return codecs.getincrementaldecoder(codec)("replace").decode(head).encode("utf-8")


@contextmanager
def as_utf8(
    raw: BinaryIO, codec: str, progress: Callable[[int], None] | None = None
) -> Iterator[BinaryIO]:
    """A seekable UTF-8 copy of ``raw`` read as ``codec``; ``progress`` gets the bytes read."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as out:
        while block := raw.read(CHUNK):
            out.write(decoder.decode(block).encode("utf-8"))
            if progress is not None:
                progress(len(block))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
        out.seek(0)
        yield out  # type: ignore[misc]
