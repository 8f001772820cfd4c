"""A mailbox in mbox format (Thunderbird, Apple Mail export, Google Takeout ``.mbox``).

Messages are separated by ``From `` lines at the start of a line (after a blank line, or at
the start of the file); ``>From `` lines inside a message are un-escaped (mboxrd: one ``>``
removed). The file is read line by line, one message in memory at a time; a message larger
than ``VIGIL_MAX_JSON_BYTES`` is a skipped record. Messages are grouped into threads (one
conversation each); see :mod:`vigil.ingest.formats._email`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._email import Mail, part_bytes, part_number, read_mail, threads
from vigil.ingest.formats._jsonsupport import head_text
from vigil.ingest.formats.eml import looks_like_headers
from vigil.model import Conversation, SkippedRecord

EXPECTED = "a mailbox in mbox format ('From ' lines between RFC 5322 messages)"
_ESCAPED = re.compile(rb"^>+From ")
_LINE = 64 * 1024


def split_mbox(
    stream: BinaryIO, cap: int, name: str
) -> Iterator[tuple[int, bytes | None, int, int]]:
    """Yield (line number of the From_ line, message bytes or None when over ``cap``, size,
    byte offset of the From_ line from where ``stream`` was when called)."""
    start, buf, size, over = 0, bytearray(), 0, False
    line_no, at_start, blank_before = 0, True, True
    pos = offset = 0
    while True:
        line = stream.readline(_LINE)
        if not line:
            break
        here, pos = pos, pos + len(line)
        if at_start:
            line_no += 1
            if line.startswith(b"From ") and blank_before:
                if start:
                    yield start, None if over else bytes(buf), size, offset
                start, buf, size, over, offset = line_no, bytearray(), 0, False, here
                at_start = line.endswith(b"\n")
                blank_before = False
                continue
            if start == 0 and not line.strip():
                continue
            if start == 0:
                raise ParseError(
                    "text before the first 'From ' line",
                    file=name,
                    location=f"line {line_no}",
                    expected=EXPECTED,
                )
            if _ESCAPED.match(line):
                line = line[1:]
        size += len(line)
        if not over:
            buf += line
            over = size > cap
            if over:
                buf = bytearray()
        at_start = line.endswith(b"\n")
        if at_start:
            blank_before = line.strip() == b""
    if start:
        yield start, None if over else bytes(buf), size, offset


class MboxParser:
    """Parser for mbox mailboxes."""

    name = "mbox"
    description = "E-mail mailbox (mbox): messages grouped into threads"

    def sniff(self, head: bytes, name: str) -> Sniff:
        text = head_text(head)
        if not text.startswith("From "):
            return Sniff(0.0, "does not start with an mbox 'From ' line")
        hits = looks_like_headers(text.split("\n", 1)[1] if "\n" in text else "")
        if hits >= 2:
            named = name.lower().endswith((".mbox", ".mbx")) or name.lower() == "mbox"
            return Sniff(
                0.95 if named else 0.9,
                f"'From ' line then an e-mail header block ({hits} key headers)",
            )
        return Sniff(0.0, "'From ' line without an e-mail header block after it")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        mails: list[Mail] = []
        skipped: list[SkippedRecord] = []
        cap = options.limits.max_json_bytes
        for line, raw, size, offset in split_mbox(stream, cap, name):
            loc = f"message at line {line}"
            if raw is None:
                skipped.append(
                    SkippedRecord(
                        loc,
                        f"message of {size:,} bytes is over the {cap:,}-byte limit "
                        "(VIGIL_MAX_JSON_BYTES); not read",
                    )
                )
                continue
            got = read_mail(raw, loc, options.limits.max_message_bytes, f"byte {offset}, ")
            if isinstance(got, SkippedRecord):
                skipped.append(got)
            else:
                mails.append(got)
        if not mails and not skipped:
            raise ParseError("no messages", file=name, expected=EXPECTED)
        yield from threads(mails, skipped)

    def attachment_bytes(self, stream: BinaryIO, source_path: str, options: ParseOptions) -> bytes:
        """The decoded bytes of the attachment ``source_path`` (``byte B, part N``) names:
        the message whose ``From `` line starts at byte B, read again from there."""
        offset, number = part_number(source_path, "mbox")
        stream.seek(offset or 0)
        first = next(split_mbox(stream, options.limits.max_json_bytes, "mbox"), None)
        if first is None or first[1] is None:
            raise ParseError(f"no readable message at byte {offset}", file="mbox")
        return part_bytes(first[1], number, "mbox")


PARSER = MboxParser()
