"""Reading a WhatsApp export: byte blocks (readable twice) and text pieces, line-aligned.

Used by :mod:`.whatsapp_run`. Invisible directional marks are removed here, CRLF becomes LF, and
undecodable bytes become U+FFFD with their offset kept for the conversation's notes. A line longer
than the message limit is cut there (:class:`~vigil.ingest.lines.LineCutter`), so that one huge
line never lives whole in memory; the cut is marked in the text and listed in ``Decoder.cutter``.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from vigil.ingest.base import MAX_MESSAGE_BYTES
from vigil.ingest.formats.whatsapp_locale import MARK_CHARS
from vigil.ingest.lines import LineCutter

BLOCK = 1 << 20
"""Bytes read at a time (and the size of the head that fixes the layout)."""
PIECE = 1 << 16
"""Bytes decoded at a time in the message loop: small enough that a piece's split results
stay in the CPU cache (1 MiB pieces parse about a tenth slower)."""
LONGEST_LINE = 16 << 20
"""Past this many bytes without a newline, text is handed on mid-line (only reached when the
message limit is set higher than this)."""
CUT_MARK = (
    " [\u2026 cut by Vigil at byte offset {offset}: the line is longer than the limit;"
    " the rest is in the exhibit]"
)
"""Put in the text where an over-long line was cut."""


def chain(*parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


def strip_marks(text: str) -> str:
    """Remove WhatsApp's invisible directional marks; CRLF → LF."""
    for mark in MARK_CHARS:
        if mark in text:
            text = text.replace(mark, "")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


class Blocks:
    """The file's bytes, readable a second time.

    The first pass reads the head and, when the date order needs it, the rest. The second pass
    replays the head and goes on reading; if the first pass read past the head, the file is
    reopened (seek or zip member), or, for a stream that cannot seek, the blocks read are
    replayed (they were kept for that).
    """

    def __init__(self, live: Iterator[bytes], reopen: Callable[[], Iterator[bytes]] | None) -> None:
        self._live = live
        self._reopen = reopen
        self._kept: deque[bytes] = deque()
        self._count = 0

    def first_pass(self) -> Iterator[bytes]:
        for block in self._live:
            if self._count == 0 or self._reopen is None:
                self._kept.append(block)
            self._count += 1
            yield block

    def second_pass(self) -> Iterator[bytes]:
        if self._reopen is not None and self._count > 1:
            self._kept.clear()
            yield from self._reopen()
            return
        while self._kept:
            yield self._kept.popleft()
        yield from self._live


class Decoder:
    """Bytes → text in line-aligned pieces: UTF-8 (or UTF-16 with a BOM), marks removed,
    CRLF → LF, undecodable bytes replaced by U+FFFD and their offsets kept."""

    def __init__(self, limit: int = MAX_MESSAGE_BYTES) -> None:
        self.bad = 0  # undecodable byte sequences
        self.first_bad = 0  # byte offset of the first
        self.nul_at: int | None = None
        self.cutter = LineCutter(limit, CUT_MARK)

    def texts(self, blocks: Iterable[bytes], piece: int | None = None) -> Iterator[str]:
        """The text, line-aligned; in pieces of about ``piece`` bytes when given (a longer line
        stays whole), else one per block read."""
        it = iter(blocks)
        first = next(it, b"")
        if first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            it = self._from_utf16(chain([first], it))
            first = next(it, b"")
        carry, offset = b"", 0
        for block in self.cutter.blocks(chain([first], it)):
            raw = carry + block
            cut = raw.rfind(b"\n") + 1
            if cut == 0:
                if len(raw) < LONGEST_LINE:
                    carry = raw
                    continue
                cut = len(raw)  # no newline for so long (binary?): cut, but not inside a character
                while cut > len(raw) - 4 and 0x80 <= raw[cut - 1] < 0xC0:
                    cut -= 1
                if raw[cut - 1] >= 0xC0:
                    cut -= 1
            carry, raw = raw[cut:], raw[:cut]
            for part in _line_pieces(raw, piece) if piece and len(raw) > piece else (raw,):
                yield self._decode(part, offset)
                offset += len(part)
        if carry:
            yield self._decode(carry, offset)

    def _decode(self, raw: bytes, offset: int) -> str:
        if self.nul_at is None and b"\x00" in raw:
            self.nul_at = self.cutter.source_offset(offset + raw.index(b"\x00"))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", "replace")
            if not self.bad:
                self.first_bad = self.cutter.source_offset(offset + exc.start)
            self.bad += text.count("\ufffd") - raw.count("\ufffd".encode())
        return strip_marks(text)

    @staticmethod
    def _from_utf16(blocks: Iterable[bytes]) -> Iterator[bytes]:
        dec = codecs.getincrementaldecoder("utf-16")("replace")
        for block in blocks:
            yield dec.decode(block).encode("utf-8")
        yield dec.decode(b"", final=True).encode("utf-8")


def _line_pieces(raw: bytes, size: int) -> Iterator[bytes]:
    """``raw`` (ending in a newline) cut after newlines into pieces of at most ``size`` bytes,
    except where one line is longer."""
    start, end = 0, len(raw)
    while end - start > size:
        cut = raw.rfind(b"\n", start, start + size) + 1
        if cut <= start:  # one long line: keep it whole
            cut = raw.find(b"\n", start + size) + 1 or end
        yield raw[start:cut]
        start = cut
    if start < end:
        yield raw[start:]


def chain_str(*parts: Iterable[str]) -> Iterator[str]:
    for part in parts:
        yield from part
