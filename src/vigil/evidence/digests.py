"""Digests that tie the rows an ingest wrote to the custody entry that records it. Pure.

A conversation's messages are summarised by a Merkle root (the tree of RFC 6962, section 2.1,
with SHA-256): the messages, in order of ``seq``, are cut into blocks of :data:`BLOCK`; a leaf is
``SHA-256(0x00 || block)`` where ``block`` is the UTF-8 of the compact JSON array of the block's
messages, each message the JSON array of :data:`MESSAGE_FIELDS` (times as
``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text, flags as 0 or 1, absent values as ``null``); an inner
node is ``SHA-256(0x01 || left || right)``; no messages at all give ``SHA-256("")``. The custody
entry of the ingest holds the root and the count; ``vigil evidence verify`` recomputes both from
the database, so a message edited, deleted or inserted afterwards shows. Participants and
attachments are summarised the same way as one block each (:func:`rows_digest`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson

BLOCK = 256
"""Messages per leaf of the tree."""

MESSAGE_FIELDS: tuple[str, ...] = (
    "seq", "sender_id", "sent_at", "local_time_text", "tz_assumed", "text", "source_id",
    "reply_to_source_id", "reply_to_seq", "forwarded_from", "is_edited", "is_deleted",
    "is_system", "has_attachments", "source_location", "time_note",
)  # fmt: skip
"""A message's fields in the order they are digested (the columns of the messages table)."""

PARTICIPANT_FIELDS: tuple[str, ...] = ("id", "platform_id", "display_name")
"""A participant's fields as digested (not its role: that is case data an officer may set later)."""
ATTACHMENT_FIELDS: tuple[str, ...] = (
    "message_seq", "file_name", "mime_type", "status", "exhibit_id", "size", "source_path",
)  # fmt: skip

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def time_text(t: datetime | None) -> str | None:
    """A UTC time as digested: ``YYYY-MM-DD HH:MM:SS.ffffff`` (naive times are taken as UTC)."""
    if t is None:
        return None
    return t.replace(tzinfo=None).isoformat(" ", "microseconds")


def _encode(rows: Sequence[Sequence[Any]]) -> bytes:
    """The compact JSON of ``rows`` as UTF-8 (``ensure_ascii=False``, ``,`` and ``:``).

    orjson writes these bytes a tenth of the time of the standard library (a tenth of a
    1M-message ingest went on this); it refuses what it cannot write the same way (a lone
    surrogate, an integer beyond 64 bits), which the standard library then writes as before
    (``tests/evidence/test_digests.py`` compares the two on every kind of character).
    """
    try:
        return orjson.dumps(rows)
    except orjson.JSONEncodeError:
        return _ENCODE(rows).encode("utf-8", "surrogatepass")


class MerkleBuilder:
    """Builds the root of the tree over leaves given one at a time, keeping only one subtree
    root per level (memory grows with the logarithm of the leaves)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (leaves under it, hash), sizes decreasing

    def add_leaf(self, data: bytes) -> None:
        node = (1, hashlib.sha256(b"\x00" + data).digest())
        stack = self._stack
        while stack and stack[-1][0] == node[0]:
            size, left = stack.pop()
            node = (size * 2, hashlib.sha256(b"\x01" + left + node[1]).digest())
        stack.append(node)

    def root(self) -> str:
        if not self._stack:
            return EMPTY_ROOT
        right = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            right = hashlib.sha256(b"\x01" + left + right).digest()
        return right.hex()


class MessageDigest:
    """The Merkle root of a conversation's messages, fed message by message in ``seq`` order.

    Each message is given as a tuple in :data:`MESSAGE_FIELDS` order, already in digested form
    (time as text, flags as ints): see :func:`message_row`.
    """

    def __init__(self) -> None:
        self._tree = MerkleBuilder()
        self._block: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self._block.append(row)
        self.count += 1
        if len(self._block) == BLOCK:
            self._tree.add_leaf(_encode(self._block))
            self._block = []

    def root(self) -> str:
        """The root so far (the builder can go on being fed afterwards)."""
        if not self._block:
            return self._tree.root()
        tree = MerkleBuilder()
        tree._stack = list(self._tree._stack)
        tree.add_leaf(_encode(self._block))
        return tree.root()


def message_row(values: Sequence[Any]) -> tuple[Any, ...]:
    """A message row as read back from the database (:data:`MESSAGE_FIELDS` order, times as
    datetimes, flags as booleans) in digested form."""
    out = list(values)
    out[2] = time_text(out[2])
    for i in (10, 11, 12, 13):
        out[i] = int(bool(out[i]))
    return tuple(out)


def messages_root(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """Count and Merkle root of message rows read back from the database, in ``seq`` order."""
    d = MessageDigest()
    for r in rows:
        d.add(message_row(r))
    return d.count, d.root()


def rows_digest(rows: Iterable[Sequence[Any]]) -> str:
    """SHA-256 of the compact JSON array of ``rows`` (each a sequence of plain values)."""
    return hashlib.sha256(_encode([list(r) for r in rows])).hexdigest()
