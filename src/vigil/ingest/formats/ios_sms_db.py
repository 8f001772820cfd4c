"""iOS Messages database ``sms.db`` (iMessage, SMS and MMS), as it comes out of an extraction.

Tables read: ``message`` (ROWID, guid, text, attributedBody, handle_id, date, is_from_me,
service), ``handle`` (ROWID, id: the phone number or e-mail), ``chat`` (ROWID, guid,
chat_identifier, display_name, service_name), ``chat_message_join``, ``chat_handle_join``,
``attachment`` (filename, mime_type, transfer_name, total_bytes) and
``message_attachment_join``. One conversation per chat, its members from
``chat_handle_join``; messages in no chat are gathered in one conversation with a note.

``date`` counts from 2001-01-01 UTC: nanoseconds since iOS 11, seconds before (decided per
value, with a note). iOS 16 and later often leave ``text`` NULL and keep the words only in
``attributedBody``, an NSAttributedString in Apple's typedstream archive: the NSString in it
is read by :func:`attributed_text`; when it cannot be, the message keeps an empty text and a
note says so. Attachments are named by path on the phone (``~/Library/SMS/Attachments/...``):
they are MISSING with that path as ``source_path``, and the ingest service registers each file
the extraction holds beside the database (``Attachments/...`` next to ``sms.db``) as a derived
exhibit (:meth:`IosSmsDbParser.attachment_beside`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._attachments import Beside, after
from vigil.ingest.formats._sqlite_source import (
    APPLE_EPOCH,
    OWNER,
    Db,
    apple_time,
    bid,
    open_db,
    sqlite_error,
)
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

_TABLES = ("message", "handle", "chat", "chat_message_join")
_NSSTRING = b"NSString"
_NS_FROM = 10**11
_MARK_LIMIT = 1 << 26
_APPLE = APPLE_EPOCH
_NO_CHAT = "m.ROWID NOT IN (SELECT message_id FROM chat_message_join)"


def attributed_text(blob: bytes) -> tuple[str | None, str | None]:
    """The plain text of a typedstream ``attributedBody``: (text, None) or (None, reason).

    After the class name ``NSString`` the archive holds a C-string marker ``+`` followed by a
    length (one byte; ``0x81`` then two bytes little-endian; ``0x82`` then four) and that many
    bytes of UTF-8.
    """
    at = blob.find(_NSSTRING)
    if at < 0:
        return None, "no NSString in the attributedBody archive"
    plus = blob.find(b"+", at + len(_NSSTRING))
    if plus < 0 or plus - at > 24:
        return None, "no string marker after NSString in the attributedBody archive"
    i = plus + 1
    if i >= len(blob):
        return None, "attributedBody archive ends before the string length"
    size = blob[i]
    i += 1
    if size == 0x81:
        size, i = int.from_bytes(blob[i : i + 2], "little"), i + 2
    elif size == 0x82:
        size, i = int.from_bytes(blob[i : i + 4], "little"), i + 4
    elif size >= 0x80:
        return None, f"unexpected string length marker 0x{size:02x} in attributedBody"
    if i + size > len(blob):
        return None, "attributedBody string runs past the end of the archive"
    try:
        return blob[i : i + size].decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"attributedBody string is not UTF-8 ({exc.reason} at byte {exc.start})"


class _Reader:
    def __init__(self, db: Db, options: ParseOptions) -> None:
        self.db = db
        self.limit = options.limits.max_message_bytes
        db.require("message", ("text", "handle_id", "date", "is_from_me"), "iOS sms.db")
        db.require("chat_message_join", ("chat_id", "message_id"), "iOS sms.db")
        cols = db.columns("message")
        self.body = "attributedbody" in cols
        low, top = next(db.query("SELECT min(ROWID), max(ROWID) FROM message"))
        self.marks: bytearray | None = (
            bytearray((top or 0) + 1) if (low or 0) >= 0 and (top or 0) < _MARK_LIMIT else None
        )
        """One byte per ROWID, set when a chat's message is read: finds messages in no chat
        without a second pass over the table."""
        self.handles = {r[0]: str(r[1]) for r in db.query("SELECT ROWID, id FROM handle")}
        self.attachments = self._attachments()
        self.version_note = (
            "sms.db schema: message.attributedBody present (iOS 10 or later)"
            if self.body
            else "sms.db schema: no message.attributedBody column (before iOS 10)"
        )

    def _attachments(self) -> dict[int, list[Attachment]]:
        out: dict[int, list[Attachment]] = {}
        if not {"attachment", "message_attachment_join"} <= self.db.tables:
            return out
        cols = self.db.columns("attachment")
        pick = [c if c in cols else "NULL" for c in ("filename", "mime_type", "transfer_name")]
        size = "total_bytes" if "total_bytes" in cols else "NULL"
        sql = (
            f"SELECT j.message_id, {', '.join(pick)}, {size} FROM message_attachment_join j "
            "JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, a.ROWID"
        )
        for mid, path, mime, transfer, nbytes in self.db.query(sql):
            fname = transfer or (str(path).rsplit("/", 1)[-1] if path else None)
            att = Attachment(
                fname, mime, AttachmentStatus.MISSING, size=nbytes, source_path=path or None
            )
            out.setdefault(mid, []).append(att)
        return out

    def _select(self) -> str:
        body = "m.attributedBody" if self.body else "NULL"
        return f"SELECT m.ROWID, m.guid, m.text, {body}, m.handle_id, m.date, m.is_from_me FROM "

    def messages(
        self, conv: Conversation, where: str, params: tuple[Any, ...]
    ) -> Iterator[Message]:
        atts, handles, notes, limit = self.attachments, self.handles, conv.notes, self.limit
        seen = {p.platform_id for p in conv.participants}
        marks = self.marks if params else None  # the messages-in-no-chat pass marks nothing
        odd_times = 0
        missing_files = 0
        cursor = self.db.cursor(self._select() + where, params)
        try:
            for rowid, guid, text, body, handle_id, date, from_me in cursor:
                if marks is not None:
                    marks[rowid] = 1
                if text is None:
                    text = ""
                    if body is not None:
                        found_text, why = attributed_text(bytes(body))
                        if found_text is None:
                            notes.append(f"message ROWID {rowid}: {why}; its text is left empty")
                        else:
                            text = found_text
                if len(text) > limit:
                    text = text[:limit]
                    notes.append(f"message ROWID {rowid}: text cut at the message limit")
                sender = OWNER if from_me else handles.get(handle_id)
                if sender not in seen and sender is not None:
                    seen.add(sender)
                    conv.participants.append(Participant(sender))
                sent: datetime | None
                if type(date) is int and date > _NS_FROM:  # iOS 11+: nanoseconds (the hot path)
                    sent, note = _APPLE + timedelta(0, 0, date // 1000), None
                else:
                    sent, note = apple_time(date)
                msg = Message(
                    sender,
                    text,
                    sent,
                    f"message ROWID {rowid}",
                    str(date),
                    "UTC (Apple epoch)",
                    guid,
                )
                if note:
                    odd_times += 1
                    msg.time_note = note
                found = atts.get(rowid)
                if found:
                    msg.attachments = found
                    missing_files += len(found)
                yield msg
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.db.name) from exc
        if odd_times:
            notes.append(f"{odd_times} message time(s) read as seconds since 2001 (before iOS 11)")
        if missing_files:
            notes.append(
                f"{missing_files} attachment file(s) are named by the database (paths under "
                "~/Library/SMS/Attachments): a database alone does not hold them; the ingest "
                "looks for them in the extraction folder holding the database"
            )

    def _orphans(self) -> int:
        """Messages in no chat: those whose ROWID no chat's query marked (else asked of SQL)."""
        if self.marks is None:
            return int(next(self.db.query(f"SELECT count(*) FROM message m WHERE {_NO_CHAT}"))[0])
        (total,) = next(self.db.query("SELECT count(*) FROM message"))
        return int(total) - self.marks.count(1)

    def chats(self) -> Iterator[Conversation]:
        db = self.db
        cols = db.columns("chat")
        title = "display_name" if "display_name" in cols else "NULL"
        service = "service_name" if "service_name" in cols else "NULL"
        members: dict[int, list[str]] = {}
        if "chat_handle_join" in db.tables:
            for chat_id, hid in db.query("SELECT chat_id, handle_id FROM chat_handle_join"):
                if hid in self.handles:
                    members.setdefault(chat_id, []).append(self.handles[hid])
        chats = list(db.query(f"SELECT ROWID, guid, chat_identifier, {title}, {service} FROM chat"))
        order = " ORDER BY m.date, m.ROWID"
        for rowid, guid, ident, display, svc in chats:
            conv = Conversation(
                platform=(svc or "imessage").lower(),
                title=display or ident,
                participants=[Participant(OWNER, "device owner")]
                + [Participant(h) for h in members.get(rowid, [])],
                source_id=guid,
                notes=[*db.notes, self.version_note],
            )
            where = (
                "message m JOIN chat_message_join j ON j.message_id = m.ROWID WHERE j.chat_id = ?"
            )
            conv.messages = self.messages(conv, where + order, (rowid,))
            yield conv
        orphans = self._orphans()
        if orphans:
            conv = Conversation(
                platform="imessage",
                title="(messages in no chat)",
                participants=[Participant(OWNER, "device owner")],
                notes=[
                    *db.notes,
                    self.version_note,
                    f"{orphans} message(s) belong to no chat (no chat_message_join row); "
                    "gathered here",
                ],
            )
            where = f"message m WHERE {_NO_CHAT}"
            conv.messages = self.messages(conv, where + order, ())
            yield conv


class IosSmsDbParser:
    """Parser for the iOS Messages database (sms.db)."""

    name = "ios_sms_db"
    description = "iOS Messages database sms.db (iMessage/SMS, attributedBody text)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        return bid(head, _TABLES, "iOS sms.db")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        with open_db(stream, name) as db:
            yield from _Reader(db, options).chats()

    def attachment_beside(self, source_path: str) -> Beside | None:
        """``~/Library/SMS/Attachments/ab/12/GUID/IMG.jpeg`` (or ``/var/mobile/Library/...``)
        lies at ``Attachments/ab/12/GUID/IMG.jpeg`` beside ``sms.db`` (both in ``Library/SMS``)."""
        rel = after(source_path, "Library/SMS")
        return Beside(rel) if rel else None


PARSER = IosSmsDbParser()
