"""WhatsApp for Android message store ``msgstore.db`` (decrypted), both schema generations.

**2021 and later** (``message`` table): ``jid`` (_id, raw_string), ``chat`` (_id, jid_row_id,
subject), ``message`` (_id, chat_row_id, from_me, key_id, sender_jid_row_id, timestamp in epoch
milliseconds UTC, message_type, text_data), ``message_media`` (message_row_id, file_path,
file_size, mime_type, media_name, media_caption) and group members in
``group_participant_user`` (group_jid_row_id, user_jid_row_id). ``message_type`` 7 is a system
message, 15 a message the sender deleted for everyone.

**Before 2021** (``messages`` table): key_remote_jid (the chat), key_from_me, key_id, data,
timestamp (ms), remote_resource (a group message's sender), media_wa_type, media_mime_type,
media_size, media_name, media_caption; chat subjects in ``chat_list``, group members in
``group_participants`` (gjid, jid). WhatsApp's placeholder row with key_remote_jid ``-1`` is
skipped (recorded). A store holding both tables is read from ``message`` when it has rows.

The owner's own messages have sender ``owner``. Media files are named by path in WhatsApp's
media folder on the phone's shared storage (``Media/WhatsApp Images/IMG-….jpg``): they are
MISSING with that path as ``source_path``, and the ingest service registers each file the
extraction holds as a derived exhibit, looking in the WhatsApp folders of shared storage
(:data:`MEDIA_ROOTS`) beside the database and up to four folders above it (where an extraction
holding ``data/data/com.whatsapp/databases/msgstore.db`` keeps ``data/media/0/...``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO

from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._attachments import Beside, after, relative
from vigil.ingest.formats._sqlite_source import OWNER, Db, bid, open_db, sqlite_error, unix_ms
from vigil.ingest.formats._sqlite_source import UNIX_EPOCH as _UNIX
from vigil.model import (
    Attachment,
    AttachmentStatus,
    Conversation,
    Message,
    Participant,
    SkippedRecord,
)

_SYSTEM, _REVOKED = 7, 15


def _col(db: Db, table: str, col: str, alias: str) -> str:
    return f"{alias}.{col}" if col in db.columns(table) else "NULL"


def _message(
    conv: Conversation,
    seen: set[str],
    rowid: int,
    sender: str | None,
    text: str | None,
    ts: Any,
    key_id: str | None,
    limit: int,
) -> Message:
    body = text or ""
    if len(body) > limit:
        body = body[:limit]
        conv.notes.append(f"message _id {rowid}: text cut at the message limit")
    sent = _UNIX + timedelta(0, 0, 0, ts) if type(ts) is int else unix_ms(ts)
    msg = Message(sender, body, sent, f"message _id {rowid}", str(ts), "UTC (epoch)", key_id)
    if sent is None:
        msg.time_note = f"timestamp {ts!r} is not epoch milliseconds"
    if sender not in seen and sender is not None:
        seen.add(sender)
        conv.participants.append(Participant(sender))
    return msg


MEDIA_ROOTS: tuple[str, ...] = (
    "",
    "WhatsApp",
    "Android/media/com.whatsapp/WhatsApp",
    "media/0/WhatsApp",
    "media/0/Android/media/com.whatsapp/WhatsApp",
    "data/media/0/WhatsApp",
    "data/media/0/Android/media/com.whatsapp/WhatsApp",
    "sdcard/WhatsApp",
    "sdcard/Android/media/com.whatsapp/WhatsApp",
    "storage/emulated/0/WhatsApp",
    "storage/emulated/0/Android/media/com.whatsapp/WhatsApp",
)
"""Folders where an extraction keeps WhatsApp's media folder (``Media/...`` below it): the
shared-storage ``WhatsApp`` folder (Android 10 and before) or ``Android/media/com.whatsapp/
WhatsApp`` (Android 11+), as the extraction's root, ``/sdcard`` or ``/data/media/0`` names it;
``""`` for a database kept inside that folder (``WhatsApp/Databases/``) or beside ``Media/``."""


def _media(path: Any, name: Any, mime: Any, size: Any) -> Attachment:
    fname = name or (str(path).rsplit("/", 1)[-1] if path else None)
    where = str(path) if path else None
    return Attachment(fname, mime, AttachmentStatus.MISSING, size=size, source_path=where)


def media_beside(source_path: str) -> Beside | None:
    """Where ``message_media.file_path`` (relative to the WhatsApp folder, or absolute on the
    phone) may lie in the extraction."""
    rel = (
        relative(source_path) if not source_path.startswith("/") else after(source_path, "WhatsApp")
    )
    if rel is None:
        return None
    return Beside(rel, MEDIA_ROOTS, levels=4)


def _media_note(conv: Conversation, count: int, legacy: bool = False) -> None:
    if count and legacy:
        conv.notes.append(
            f"{count} media file(s) are named by the database without their path (the legacy "
            "schema keeps it in a serialised thumb_image blob, not read): status missing"
        )
    elif count:
        conv.notes.append(
            f"{count} media file(s) are named by the database (WhatsApp/Media paths); the "
            "ingest looks for them in the extraction holding the database"
        )


class _Modern:
    def __init__(self, db: Db, limit: int) -> None:
        self.db, self.limit = db, limit
        db.require("message", ("_id", "chat_row_id", "from_me", "timestamp"), "WhatsApp message")
        db.require("chat", ("_id", "jid_row_id"), "WhatsApp chat")
        db.require("jid", ("_id", "raw_string"), "WhatsApp jid")
        self.jids = {r[0]: str(r[1]) for r in db.query("SELECT _id, raw_string FROM jid")}

    def members(self) -> dict[int, list[int]]:
        if "group_participant_user" not in self.db.tables:
            return {}
        out: dict[int, list[int]] = {}
        sql = "SELECT group_jid_row_id, user_jid_row_id FROM group_participant_user"
        for g, u in self.db.query(sql):
            out.setdefault(g, []).append(u)
        return out

    def conversations(self) -> Iterator[Conversation]:
        """One pass over every message in (chat, time) order: one sort, however many chats
        (a per-chat query would scan the table once per chat where no index leads with
        ``chat_row_id``). Chats without messages follow; a chat_row_id missing from the chat
        table gets a conversation of its own, with a note."""
        db = self.db
        subject = _col(db, "chat", "subject", "c")
        members = self.members()
        chats = {
            r[0]: (r[1], r[2])
            for r in db.query(f"SELECT c._id, c.jid_row_id, {subject} FROM chat c ORDER BY c._id")
        }
        cursor = db.cursor(self._select())
        try:
            for chat_id, rows in groupby(cursor, key=itemgetter(0)):
                conv, jid = self._conversation(chat_id, chats.pop(chat_id, None), members)
                conv.messages = self.messages(conv, rows, jid)
                yield conv
        except sqlite3.Error as exc:
            raise sqlite_error(exc, db.name) from exc
        for chat_id, known in chats.items():
            yield self._conversation(chat_id, known, members)[0]

    def _conversation(
        self, chat_id: int, known: tuple[int, str | None] | None, members: dict[int, list[int]]
    ) -> tuple[Conversation, str | None]:
        note = "msgstore.db schema: message/jid/chat tables (2021 or later)"
        conv = Conversation(
            platform="whatsapp",
            title=f"(chat_row_id {chat_id}: not in the chat table)",
            participants=[Participant(OWNER, "device owner")],
            notes=[*self.db.notes, note],
        )
        if known is None:
            conv.notes.append(
                f"messages name chat_row_id {chat_id}, which is not in the chat table; "
                "gathered here"
            )
            return conv, None
        jid_id, subj = known
        jid = self.jids.get(jid_id)
        conv.title, conv.source_id = subj or jid, jid
        others = members.get(jid_id) or ([jid_id] if jid and not jid.endswith("@g.us") else [])
        for u in others:
            if (uj := self.jids.get(u)) and conv.participant(uj) is None:
                conv.participants.append(Participant(uj))
        return conv, jid

    def _select(self) -> str:
        db = self.db
        cols = [
            _col(db, "message", c, "m")
            for c in ("key_id", "sender_jid_row_id", "message_type", "text_data")
        ]
        media = "message_media" in db.tables
        names = ("file_path", "media_name", "mime_type", "file_size", "media_caption")
        mcols = [_col(db, "message_media", c, "mm") for c in names] if media else ["NULL"] * 5
        join = " LEFT JOIN message_media mm ON mm.message_row_id = m._id" if media else ""
        return (
            f"SELECT m.chat_row_id, m._id, m.from_me, m.timestamp, {', '.join(cols)}, "
            f"{', '.join(mcols)} FROM message m{join} ORDER BY m.chat_row_id, m.timestamp, m._id"
        )

    def messages(
        self, conv: Conversation, rows: Iterator[tuple[Any, ...]], jid: str | None
    ) -> Iterator[Message]:
        jids, is_group = self.jids, bool(jid and jid.endswith("@g.us"))
        files = 0
        seen = {p.platform_id for p in conv.participants}
        try:
            for row in rows:
                (
                    _,
                    rowid,
                    from_me,
                    ts,
                    key_id,
                    sender_id,
                    mtype,
                    text,
                    path,
                    mname,
                    mime,
                    size,
                    cap,
                ) = row
                if from_me:
                    sender: str | None = OWNER
                elif sender_id:
                    sender = jids.get(sender_id)
                else:
                    sender = None if is_group else jid
                msg = _message(conv, seen, rowid, sender, text or cap, ts, key_id, self.limit)
                msg.is_system = mtype == _SYSTEM
                msg.is_deleted = mtype == _REVOKED
                if path or mname or mime:
                    msg.attachments = [_media(path, mname, mime, size)]
                    files += 1
                yield msg
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.db.name) from exc
        _media_note(conv, files)


class _Legacy:
    def __init__(self, db: Db, limit: int) -> None:
        self.db, self.limit = db, limit
        db.require(
            "messages",
            ("_id", "key_remote_jid", "key_from_me", "timestamp", "data"),
            "WhatsApp messages",
        )

    def conversations(self) -> Iterator[Conversation]:
        db = self.db
        subjects: dict[str, str] = {}
        if "chat_list" in db.tables and "subject" in db.columns("chat_list"):
            subjects = {
                str(r[0]): r[1]
                for r in db.query("SELECT key_remote_jid, subject FROM chat_list")
                if r[1]
            }
        members: dict[str, list[str]] = {}
        if "group_participants" in db.tables:
            for g, u in db.query("SELECT gjid, jid FROM group_participants"):
                if u:
                    members.setdefault(str(g), []).append(str(u))
        jids = [
            str(r[0]) for r in db.query("SELECT DISTINCT key_remote_jid FROM messages ORDER BY 1")
        ]
        placeholders = [
            r[0] for r in db.query("SELECT _id FROM messages WHERE key_remote_jid = '-1'")
        ]
        for jid in jids:
            if jid == "-1":
                continue
            conv = Conversation(
                platform="whatsapp",
                title=subjects.get(jid) or jid,
                participants=[Participant(OWNER, "device owner")],
                source_id=jid,
                notes=[*db.notes, "msgstore.db schema: legacy messages table (before 2021)"],
            )
            if placeholders:
                conv.skipped.extend(
                    SkippedRecord(
                        f"messages _id {p}", "WhatsApp placeholder row (key_remote_jid -1)"
                    )
                    for p in placeholders
                )
                placeholders = []
            for u in members.get(jid) or ([] if jid.endswith("@g.us") else [jid]):
                if conv.participant(u) is None:
                    conv.participants.append(Participant(u))
            conv.messages = self.messages(conv, jid)
            yield conv

    def messages(self, conv: Conversation, jid: str) -> Iterator[Message]:
        db = self.db
        cols = [
            _col(db, "messages", c, "m")
            for c in (
                "key_id", "remote_resource", "media_wa_type", "media_name",
                "media_mime_type", "media_size", "media_caption",
            )
        ]  # fmt: skip
        sql = (
            f"SELECT m._id, m.key_from_me, m.timestamp, m.data, {', '.join(cols)} FROM messages m "
            "WHERE m.key_remote_jid = ? ORDER BY m.timestamp, m._id"
        )
        is_group = jid.endswith("@g.us")
        files = 0
        seen = {p.platform_id for p in conv.participants}
        cursor = db.cursor(sql, (jid,))
        try:
            for row in cursor:
                rowid, from_me, ts, data, key_id, remote, wa_type, mname, mime, size, cap = row
                sender = OWNER if from_me else (remote or None) if is_group else jid
                msg = _message(conv, seen, rowid, sender, data or cap, ts, key_id, self.limit)
                if str(wa_type or "0") not in ("0", "") and (mname or mime):
                    msg.attachments = [_media(None, mname, mime, size)]
                    files += 1
                yield msg
        except sqlite3.Error as exc:
            raise sqlite_error(exc, db.name) from exc
        _media_note(conv, files, legacy=True)


class WhatsAppMsgstoreParser:
    """Parser for WhatsApp for Android's decrypted message store (msgstore.db)."""

    name = "whatsapp_msgstore"
    description = "WhatsApp Android msgstore.db (decrypted; 2021+ and legacy schemas)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        modern = bid(head, ("message", "jid", "chat"), "WhatsApp msgstore.db")
        if modern.score >= 0.9:
            return modern
        legacy = bid(head, ("messages", "chat_list"), "legacy WhatsApp msgstore.db")
        return legacy if legacy.score > modern.score else modern

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        limit = options.limits.max_message_bytes
        with open_db(stream, name) as db:
            use_modern = "message" in db.tables and (
                "messages" not in db.tables or next(db.query("SELECT 1 FROM message LIMIT 1"), None)
            )
            reader: _Modern | _Legacy = _Modern(db, limit) if use_modern else _Legacy(db, limit)
            yield from reader.conversations()

    def attachment_beside(self, source_path: str) -> Beside | None:
        """See :func:`media_beside`."""
        return media_beside(source_path)


PARSER = WhatsAppMsgstoreParser()
