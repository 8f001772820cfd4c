"""Snapchat for Android's chat database ``arroyo.db`` (``databases/arroyo.db`` of the app's
data folder), as forensic write-ups of the app since 2021 describe it.

Tables read: ``conversation_message`` (client_conversation_id, client_message_id,
server_message_id, content_type, message_content, creation_timestamp in epoch milliseconds
UTC, sender_id), ``user_conversation`` (client_conversation_id, user_id: the members, optional)
and ``required_values`` (key ``USERID``: the device owner's user id, optional). One
conversation per ``client_conversation_id``; users are Snapchat's user ids (UUIDs): their names
are in another database (``core.db``/``main.db``), which is not read (a note says so).

``message_content`` is a protobuf blob with no published schema. Vigil reads it with a minimal
wire-format reader (:mod:`vigil.ingest.formats._protobuf`) and takes the text at field path
4 → 4 → 2 → 1, where the write-ups find a chat message's words. ``content_type`` 1 is a text
chat message; other types (snaps, media, shares, stickers, calls...) are stored as messages with
their type in the text (``[content_type 2: not decoded]``) unless that path holds text, and a
note per conversation counts them by type. A blob that is not valid protobuf keeps its message
(text empty, the reason and byte offset in the message's notes): nothing is dropped. Media
bytes are not in this database (snaps and chat media live in the app's cache, not read).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._protobuf import ProtoError, at_path
from vigil.ingest.formats._sqlite_source import OWNER, Db, bid, open_db, sqlite_error, unix_ms
from vigil.model import Conversation, Message, Participant

PLATFORM = "snapchat"
TEXT_PATH = (4, 4, 2, 1)
"""Field numbers from the ``message_content`` blob to a chat message's text."""
TEXT_TYPE = 1
_NAMES_NOTE = (
    "participants are Snapchat user ids; their names are in the app's other databases "
    "(core.db / main.db), not read here"
)


def message_text(blob: Any) -> tuple[str | None, str | None]:
    """The text of a ``message_content`` blob: (text, None), (None, None) when the blob holds
    none at :data:`TEXT_PATH`, or (None, reason) when it cannot be read."""
    if blob is None:
        return None, None
    if not isinstance(blob, bytes):
        return None, f"message_content is {type(blob).__name__}, not a blob"
    try:
        raw = at_path(blob, TEXT_PATH)
    except ProtoError as exc:
        return None, f"message_content is not readable protobuf ({exc})"
    if raw is None:
        return None, None
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"text field is not UTF-8 (byte {exc.start})"


class _Reader:
    def __init__(self, db: Db, options: ParseOptions) -> None:
        self.db = db
        self.limit = options.limits.max_message_bytes
        db.require(
            "conversation_message",
            (
                "client_conversation_id", "client_message_id", "content_type", "message_content",
                "creation_timestamp", "sender_id",
            ),
            "Snapchat arroyo.db",
        )  # fmt: skip
        self.owner: str | None = None
        if "key" in db.columns("required_values") and "value" in db.columns("required_values"):
            row = next(db.query("SELECT value FROM required_values WHERE key = 'USERID'"), None)
            self.owner = str(row[0]) if row and row[0] else None

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if {"client_conversation_id", "user_id"} <= self.db.columns("user_conversation"):
            sql = "SELECT client_conversation_id, user_id FROM user_conversation ORDER BY rowid"
            for cid, uid in self.db.query(sql):
                if uid and str(uid) != self.owner:
                    out.setdefault(str(cid), []).append(str(uid))
        return out

    def conversations(self) -> Iterator[Conversation]:
        members = self.members()
        ids = [
            str(r[0])
            for r in self.db.query(
                "SELECT client_conversation_id, min(creation_timestamp) AS first "
                "FROM conversation_message GROUP BY client_conversation_id ORDER BY first"
            )
        ]
        for cid in ids:
            people = members.get(cid, [])
            conv = Conversation(
                platform=PLATFORM,
                title=", ".join(people) or cid,
                participants=[Participant(OWNER, "device owner")]
                + [Participant(p) for p in people],
                source_id=cid,
                notes=[*self.db.notes, "Snapchat arroyo.db: conversation_message", _NAMES_NOTE],
            )
            if self.owner is None:
                conv.notes.append(
                    "the owner's user id is not in required_values: no message is marked as "
                    "the owner's"
                )
            conv.messages = self.messages(conv, cid)
            yield conv

    def messages(self, conv: Conversation, cid: str) -> Iterator[Message]:
        seen = {p.platform_id for p in conv.participants}
        other: Counter[int] = Counter()
        bad = 0
        sql = (
            "SELECT client_message_id, server_message_id, content_type, message_content, "
            "creation_timestamp, sender_id FROM conversation_message "
            "WHERE client_conversation_id = ? ORDER BY creation_timestamp, client_message_id"
        )
        if "server_message_id" not in self.db.columns("conversation_message"):
            sql = sql.replace("server_message_id", "NULL")
        cursor = self.db.cursor(sql, (cid,))
        try:
            for mid, server_id, ctype, blob, ts, sender_id in cursor:
                sender = str(sender_id) if sender_id else None
                if sender is not None and sender == self.owner:
                    sender = OWNER
                if sender is not None and sender not in seen:
                    seen.add(sender)
                    conv.participants.append(Participant(sender))
                text, why = message_text(blob)
                loc = f"conversation_message {cid}/{mid}"
                if why is not None:
                    bad += 1
                    conv.notes.append(f"{loc}: {why}; kept with empty text")
                if text is None:
                    text = "" if why else f"[content_type {ctype}: not decoded]"
                    if why is None:
                        other[int(ctype) if isinstance(ctype, int) else -1] += 1
                if len(text) > self.limit:
                    text = text[: self.limit]
                    conv.notes.append(f"{loc}: text cut at the message limit")
                sent = unix_ms(ts)
                msg = Message(sender, text, sent, loc, str(ts), "UTC (epoch)")
                msg.source_id = str(server_id) if server_id is not None else str(mid)
                if sent is None:
                    msg.time_note = f"creation_timestamp {ts!r} is not epoch milliseconds"
                yield msg
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.db.name) from exc
        if other:
            counts = ", ".join(f"{n} of content_type {t}" for t, n in sorted(other.items()))
            conv.notes.append(
                f"message content not decoded (no text at protobuf field path 4.4.2.1): {counts}"
            )
        if bad:
            conv.notes.append(f"{bad} message_content blob(s) could not be read")


class SnapchatArroyoParser:
    """Parser for Snapchat for Android's arroyo.db."""

    name = "snapchat_arroyo"
    description = "Snapchat Android arroyo.db (conversation_message, protobuf text)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        return bid(head, ("conversation_message",), "Snapchat arroyo.db")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        with open_db(stream, name) as db:
            yield from _Reader(db, options).conversations()


PARSER = SnapchatArroyoParser()
