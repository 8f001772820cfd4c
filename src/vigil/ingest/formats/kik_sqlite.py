"""Kik Messenger for iOS chat database ``kik.sqlite`` (Core Data), from an extraction.

Tables read, as forensic write-ups of the app describe them: ``ZKIKMESSAGE`` (Z_PK, ZBODY,
ZTIMESTAMP, ZRECEIVEDTIMESTAMP, ZTYPE, ZUSER, ZCHAT when present, ZSTANZAID), ``ZKIKUSER``
(Z_PK, ZUSERNAME, ZDISPLAYNAME, ZJID), ``ZKIKCHAT`` (Z_PK, ZUSER: the contact or group the
chat is with) and ``ZKIKATTACHMENT`` (ZMESSAGE, ZCONTENT), the last two optional.

Messages are grouped by ``ZKIKMESSAGE.ZCHAT`` when the column is there, else by ``ZUSER`` (the
other party; a note says so). ``ZTYPE`` 2 is a message the owner sent (sender ``owner``); 1 and
4 are received (one-to-one and group), and the sender is ``ZUSER``; 3 is a group status message
(joins, leaves: a system message). Another value is read as received and counted in a note.
Users are identified by ``ZJID`` (else ``ZUSERNAME``), with ``ZDISPLAYNAME`` as the name.
In group chats ``ZUSER`` may name the group rather than the member who wrote (the write-ups
differ): check a group's senders against the app.

``ZTIMESTAMP`` is Core Data time (seconds since 2001-01-01 UTC); where it is missing
``ZRECEIVEDTIMESTAMP`` is used, with a note on the message. Attachments are listed from
``ZKIKATTACHMENT`` by their content id; where Kik keeps the files in the app folder is not
documented well enough to look for them, so they are MISSING with a note.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any, BinaryIO

from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._sqlite_source import (
    OWNER,
    Db,
    apple_time,
    bid,
    open_db,
    sqlite_error,
)
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

PLATFORM = "kik"
_TABLES = ("zkikmessage", "zkikuser")
SENT, RECEIVED, GROUP_STATUS, GROUP_RECEIVED = 2, 1, 3, 4


def _opt(db: Db, table: str, column: str, alias: str) -> str:
    return f"{alias}.{column}" if column.lower() in db.columns(table) else "NULL"


class _Reader:
    def __init__(self, db: Db, options: ParseOptions) -> None:
        self.db = db
        self.limit = options.limits.max_message_bytes
        db.require("zkikmessage", ("z_pk", "zbody", "ztimestamp", "ztype", "zuser"), "Kik")
        db.require("zkikuser", ("z_pk",), "Kik")
        cols = [_opt(db, "zkikuser", c, "u") for c in ("ZJID", "ZUSERNAME", "ZDISPLAYNAME")]
        self.users: dict[int, tuple[str, str | None]] = {}
        for pk, jid, username, display in db.query(
            f"SELECT u.Z_PK, {', '.join(cols)} FROM ZKIKUSER u"
        ):
            ident = jid or username or f"ZKIKUSER {pk}"
            self.users[pk] = (str(ident), str(display) if display else None)
        self.by_chat = "zchat" in db.columns("zkikmessage")
        self.attachments = self._attachments()

    def _attachments(self) -> dict[int, list[Attachment]]:
        out: dict[int, list[Attachment]] = {}
        if not {"zmessage", "zcontent"} <= self.db.columns("zkikattachment"):
            return out
        sql = "SELECT ZMESSAGE, ZCONTENT FROM ZKIKATTACHMENT ORDER BY ZMESSAGE, Z_PK"
        for mid, content in self.db.query(sql):
            name = str(content) if content else None
            out.setdefault(mid, []).append(Attachment(name, None, AttachmentStatus.MISSING))
        return out

    def _participant(self, pk: Any) -> Participant | None:
        found = self.users.get(pk)
        return Participant(found[0], found[1]) if found else None

    def groups(self) -> list[tuple[int | None, Participant | None]]:
        """(group key, the chat's other party) for every chat, in order of first message."""
        key = "ZCHAT" if self.by_chat else "ZUSER"
        rows = list(
            self.db.query(
                f"SELECT {key}, min(ZTIMESTAMP) AS first FROM ZKIKMESSAGE GROUP BY {key} "
                "ORDER BY first"
            )
        )
        partner: dict[Any, Any] = {}
        if self.by_chat and "zuser" in self.db.columns("zkikchat"):
            partner = dict(self.db.query("SELECT Z_PK, ZUSER FROM ZKIKCHAT"))
        out = []
        for value, _ in rows:
            with_whom = partner.get(value) if self.by_chat else value
            out.append((value, self._participant(with_whom)))
        return out

    def conversations(self) -> Iterator[Conversation]:
        for value, party in self.groups():
            notes = [*self.db.notes, "Kik kik.sqlite: ZKIKMESSAGE"]
            if not self.by_chat:
                notes.append("no ZKIKMESSAGE.ZCHAT column: messages grouped by ZUSER")
            conv = Conversation(
                platform=PLATFORM,
                title=(party.display_name or party.platform_id) if party else None,
                participants=[Participant(OWNER, "device owner")] + ([party] if party else []),
                source_id=str(value) if value is not None else None,
                notes=notes,
            )
            conv.messages = self.messages(conv, value)
            yield conv

    def messages(self, conv: Conversation, value: int | None) -> Iterator[Message]:
        db = self.db
        key = "ZCHAT" if self.by_chat else "ZUSER"
        extra = [_opt(db, "zkikmessage", c, "m") for c in ("ZRECEIVEDTIMESTAMP", "ZSTANZAID")]
        where = f"m.{key} IS ?" if value is None else f"m.{key} = ?"
        sql = (
            f"SELECT m.Z_PK, m.ZBODY, m.ZTIMESTAMP, m.ZTYPE, m.ZUSER, {', '.join(extra)} "
            f"FROM ZKIKMESSAGE m WHERE {where} ORDER BY coalesce(m.ZTIMESTAMP, {extra[0]}), m.Z_PK"
        )
        seen = {p.platform_id for p in conv.participants}
        odd: dict[Any, int] = {}
        files = 0
        cursor = db.cursor(sql, (value,))
        try:
            for pk, body, stamp, mtype, user, received, stanza in cursor:
                sender: str | None = OWNER
                if mtype != SENT:
                    if mtype not in (RECEIVED, GROUP_RECEIVED, GROUP_STATUS):
                        odd[mtype] = odd.get(mtype, 0) + 1
                    person = self._participant(user)
                    sender = person.platform_id if person else None
                    if person and person.platform_id not in seen:
                        seen.add(person.platform_id)
                        conv.participants.append(person)
                text = str(body) if body is not None else ""
                if len(text) > self.limit:
                    text = text[: self.limit]
                    conv.notes.append(f"ZKIKMESSAGE Z_PK {pk}: text cut at the message limit")
                raw = stamp if stamp is not None else received
                sent, _ = apple_time(raw)
                msg = Message(
                    sender, text, sent, f"ZKIKMESSAGE Z_PK {pk}", str(raw), "UTC (Core Data)"
                )
                msg.source_id = str(stanza) if stanza else None
                msg.is_system = mtype == GROUP_STATUS
                if stamp is None:
                    msg.time_note = "no ZTIMESTAMP: ZRECEIVEDTIMESTAMP used"
                if sent is None:
                    msg.time_note = f"time value {raw!r} is not a Core Data time"
                found = self.attachments.get(pk)
                if found:
                    msg.attachments = found
                    files += len(found)
                yield msg
        except sqlite3.Error as exc:
            raise sqlite_error(exc, db.name) from exc
        for mtype, n in odd.items():
            conv.notes.append(
                f"{n} message(s) with ZTYPE {mtype!r} (not documented) read as received"
            )
        if files:
            conv.notes.append(
                f"{files} attachment(s) named by ZKIKATTACHMENT content id; where Kik keeps the "
                "files is not documented well enough to look for them: status missing"
            )


class KikSqliteParser:
    """Parser for Kik Messenger for iOS's kik.sqlite."""

    name = "kik_sqlite"
    description = "Kik Messenger iOS kik.sqlite (ZKIKMESSAGE, ZKIKUSER, ZKIKCHAT)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        return bid(head, _TABLES, "Kik kik.sqlite")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        with open_db(stream, name) as db:
            yield from _Reader(db, options).conversations()


PARSER = KikSqliteParser()
