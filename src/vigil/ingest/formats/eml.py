"""One e-mail message saved as a ``.eml`` file (RFC 5322 / MIME): a conversation of one.

See :mod:`vigil.ingest.formats._email` for what is read from the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._email import part_bytes, part_number, read_mail, threads
from vigil.ingest.formats._jsonsupport import head_text
from vigil.model import Conversation, SkippedRecord

EXPECTED = "an e-mail message (.eml, RFC 5322)"
HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:", re.MULTILINE)
KEY_HEADERS = ("from:", "date:", "message-id:", "subject:", "mime-version:", "received:")


def header_block(text: str) -> str:
    """The text before the first blank line (an e-mail's header block)."""
    return re.split(r"\r?\n\r?\n", text, maxsplit=1)[0]


def looks_like_headers(text: str) -> int:
    """How many of the key e-mail headers start a line of ``text``'s header block."""
    block = header_block(text)
    first = block.split("\n", 1)[0]
    if not HEADER.match(first):
        return 0
    lines = [ln.lower() for ln in block.splitlines()]
    return sum(any(ln.startswith(h) for ln in lines) for h in KEY_HEADERS)


class EmlParser:
    """Parser for a single e-mail message (.eml)."""

    name = "eml"
    description = "E-mail message (.eml, RFC 5322 / MIME)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        hits = looks_like_headers(head_text(head))
        named = name.lower().endswith(".eml")
        if hits >= 3 or (named and hits >= 2):
            score = 0.95 if named else 0.85
            return Sniff(score, f"starts with an e-mail header block ({hits} key headers)")
        return Sniff(0.0, "no e-mail header block (From:, Date:, Message-ID:, Subject:...)")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        cap = options.limits.max_json_bytes
        raw = stream.read(cap + 1)
        if len(raw) > cap:
            raise ParseError(
                f"e-mail of more than {cap:,} bytes is over the limit (VIGIL_MAX_JSON_BYTES); "
                "not read",
                file=name,
            )
        if not raw.strip():
            raise ParseError("file is empty", file=name, location="offset 0", expected=EXPECTED)
        mail = read_mail(raw, "message", options.limits.max_message_bytes)
        if isinstance(mail, SkippedRecord):
            raise ParseError(mail.reason, file=name, location="offset 0", expected=EXPECTED)
        yield from threads([mail], [])

    def attachment_bytes(self, stream: BinaryIO, source_path: str, options: ParseOptions) -> bytes:
        """The decoded bytes of the attachment ``source_path`` (``part N``) names."""
        _, number = part_number(source_path, "e-mail")
        cap = options.limits.max_json_bytes
        raw = stream.read(cap + 1)
        if len(raw) > cap:
            raise ParseError("the e-mail is over the limit (VIGIL_MAX_JSON_BYTES)", file="e-mail")
        return part_bytes(raw, number, "e-mail")


PARSER = EmlParser()
