"""Text of bounded line length: one huge line never lives whole in memory.

Two readers, for the two ways parsers take text in:

* :class:`LineCutter` passes a stream of byte blocks through, cutting every line longer than
  ``limit`` bytes to its first ``limit`` bytes (at a UTF-8 character boundary) and leaving out
  the rest of that line up to its newline. The blocks it yields hold at most what came in;
  the bytes left out are counted, never held. Used by the WhatsApp reader.
* :func:`bounded_lines` reads a binary stream with ``readline(limit + 1)``, so a line is never
  read whole when it is longer; it yields each line with its number and byte offset, and for a
  cut line only the first ``limit`` bytes. Used by the CSV and JSON-lines parsers.

Either way every cut is recorded as a :class:`Cut` (line number, the byte offset where the bytes
left out start, how many) so that the parser can say so in the conversation's notes
(:func:`cut_notes`): nothing is lost silently, and the exhibit keeps every byte.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

SETTING = "VIGIL_MAX_MESSAGE_BYTES"
CHUNK = 1 << 20
"""Bytes read at a time while skipping the rest of a cut line."""
NOTED = 10
"""Cuts described one by one in the notes; any more are counted together."""


@dataclass(slots=True)
class Cut:
    """A line cut to the limit: its number, where the bytes left out start, and how many."""

    line: int
    offset: int
    dropped: int


def char_start(data: bytes, at: int, floor: int = 0) -> int:
    """Where to cut ``data`` at ``at`` without splitting a UTF-8 character: ``at`` moved back to
    the character's first byte (not below ``floor``); ``at`` itself when that cannot be done."""
    i = at
    while i > floor and at - i < 3 and i < len(data) and 0x80 <= data[i] < 0xC0:
        i -= 1
    if i < len(data) and 0x80 <= data[i] < 0xC0:
        return at  # not UTF-8, or a character begun before ``floor``
    return i


class LineCutter:
    """Cut lines longer than ``limit`` bytes out of a stream of byte blocks (see module doc).

    ``cuts`` lists every cut once its line has ended (or the stream has); ``marker``, when
    given, is formatted with ``offset`` and put where a line was cut, so that the text itself
    says it is incomplete.
    """

    def __init__(self, limit: int, marker: str | None = None) -> None:
        if limit < 1:
            raise ValueError("the line limit must be 1 byte or more")
        self.limit = limit
        self.marker = marker
        self.cuts: list[Cut] = []
        self._line = 1  # number of the line the next byte belongs to
        self._offset = 0  # stream offset of the next block
        self._out = 0  # bytes passed on before the next block
        self._run = 0  # bytes of the current line already passed on
        self._open: Cut | None = None  # the cut line still being skipped
        self._shift_at: list[int] = []  # output offsets where a cut line resumes ...
        self._shift: list[int] = []  # ... and input minus output offset from there on

    def source_offset(self, out: int) -> int:
        """The stream offset of the byte passed on at offset ``out``."""
        i = bisect.bisect_right(self._shift_at, out)
        return out + (self._shift[i - 1] if i else 0)

    def _resume(self, parts: list[bytes], at: int) -> None:
        """The cut line being skipped ends at block offset ``at`` (its newline)."""
        assert self._open is not None
        self.cuts.append(self._open)
        self._open = None
        out = self._out + sum(len(p) for p in parts)
        self._shift_at.append(out)
        self._shift.append(self._offset + at - out)
        self._line += 1
        self._run = 0

    def blocks(self, source: Iterable[bytes]) -> Iterator[bytes]:
        """``source`` with over-long lines cut."""
        for block in source:
            out = self._block(block)
            self._offset += len(block)
            self._out += len(out)
            if out:
                yield out
        if self._open is not None:
            self.cuts.append(self._open)
            self._open = None

    def _block(self, block: bytes) -> bytes:
        n, pos, keep_from = len(block), 0, 0
        parts: list[bytes] = []
        if self._open is not None:  # still skipping a cut line: up to its newline
            nl = block.find(b"\n")
            if nl < 0:
                self._open.dropped += n
                return b""
            self._open.dropped += nl
            self._resume(parts, nl)
            pos = keep_from = nl + 1
            parts.append(b"\n")
        limit = self.limit
        while pos < n:
            room = limit - self._run
            end = min(n, pos + room + 1)  # the newline may fall at pos + room, no later
            last = block.rfind(b"\n", pos, end)
            if last >= 0:  # every line ending in [pos, last] is within the limit
                self._line += block.count(b"\n", pos, last + 1)
                self._run = 0
                pos = last + 1
                continue
            if end == n and n - pos <= room:  # the line goes on into the next block
                self._run += n - pos
                pos = n
                break
            cut = char_start(block, pos + room, pos)
            parts.append(block[keep_from:cut])
            if self.marker is not None:
                parts.append(self.marker.format(offset=self._offset + cut).encode())
            nl = block.find(b"\n", cut)
            self._open = Cut(self._line, self._offset + cut, (n if nl < 0 else nl) - cut)
            if nl < 0:
                return b"".join(parts)
            self._resume(parts, nl)
            keep_from, pos = nl, nl + 1  # the newline is kept
        if not parts:
            return block
        parts.append(block[keep_from:])
        return b"".join(parts)


def bounded_lines(
    stream: BinaryIO, limit: int, cuts: list[Cut]
) -> Iterator[tuple[int, int, bytes, bool]]:
    """``(number, offset, line, was_cut)`` for each line of ``stream`` (newline included when
    there is one). A line longer than ``limit`` bytes is read only ``limit`` bytes far: the rest
    is skipped in chunks, the cut appended to ``cuts``, and ``line`` is its first ``limit``
    bytes (plus its newline)."""
    readline = stream.readline
    number = offset = 0
    while True:
        raw = readline(limit + 1)
        if not raw:
            return
        number += 1
        start = offset
        offset += len(raw)
        if len(raw) <= limit or raw[-1:] == b"\n":
            yield number, start, raw, False
            continue
        dropped, newline = 1, b""
        while more := readline(CHUNK):
            offset += len(more)
            if more[-1:] == b"\n":
                dropped += len(more) - 1
                newline = b"\n"
                break
            dropped += len(more)
        cuts.append(Cut(number, start + limit, dropped))
        yield number, start, raw[:limit] + newline, True


def cut_notes(name: str, cuts: list[Cut], limit: int) -> list[str]:
    """Notes on ``cuts``: the first few one by one, the rest counted; empty when none."""
    if not cuts:
        return []
    notes = [
        f"{name}: line {c.line} is longer than the {limit:,}-byte limit ({SETTING}): "
        f"cut at byte offset {c.offset:,}, {c.dropped:,} byte(s) left out "
        "(the full bytes stay in the exhibit)"
        for c in cuts[:NOTED]
    ]
    if len(cuts) > NOTED:
        rest = cuts[NOTED:]
        notes.append(
            f"{name}: {len(rest):,} more over-long line(s) cut, {sum(c.dropped for c in rest):,} "
            f"byte(s) left out in all (lines {rest[0].line} to {rest[-1].line}; the full bytes "
            "stay in the exhibit)"
        )
    return notes
