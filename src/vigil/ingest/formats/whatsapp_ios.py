"""WhatsApp for iOS chat database ``ChatStorage.sqlite`` (Core Data), from an extraction.

Tables read: ``ZWACHATSESSION`` (Z_PK, ZCONTACTJID, ZPARTNERNAME: the chat's name, ZSESSIONTYPE:
0 a private chat, 1 a group), ``ZWAMESSAGE`` (Z_PK, ZCHATSESSION, ZISFROMME, ZFROMJID, ZTEXT,
ZMESSAGEDATE, ZMESSAGETYPE, ZGROUPMEMBER, ZSTANZAID), ``ZWAGROUPMEMBER`` (Z_PK, ZCHATSESSION,
ZMEMBERJID, ZCONTACTNAME) and ``ZWAMEDIAITEM`` (ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE, ZTITLE).

``ZMESSAGEDATE`` is Core Data time: seconds (with a fraction) since 2001-01-01 UTC. A group
message's sender is its ``ZGROUPMEMBER``'s jid (else ``ZFROMJID``); the owner's own messages
have sender ``owner``. ``ZMESSAGETYPE`` 6 (group events: joins, subject changes) is a system
message. Media files are named by their path in the app's ``Message/Media`` folder
(``Media/<jid>/a/b/<uuid>.jpg``, beside ``ChatStorage.sqlite`` in the app group folder): they
are MISSING with that path as ``source_path``, and the ingest service registers each file the
extraction holds as a derived exhibit (:meth:`WhatsAppIosParser.attachment_beside`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._attachments import Beside, after, relative
from vigil.ingest.formats._sqlite_source import OWNER, Db, apple_time, bid, open_db
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

_TABLES = ("zwamessage", "zwachatsession")
_GROUP_EVENT = 6


def _col(db: Db, table: str, col: str, alias: str) -> str:
    return f"{alias}.{col}" if col.lower() in db.columns(table) else "NULL"


class _Reader:
    def __init__(self, db: Db, options: ParseOptions) -> None:
        self.db = db
        self.limit = options.limits.max_message_bytes
        need = ("z_pk", "zchatsession", "zisfromme", "zfromjid", "ztext", "zmessagedate")
        db.require("zwamessage", need, "WhatsApp iOS ZWAMESSAGE")
        db.require("zwachatsession", ("z_pk", "zcontactjid"), "WhatsApp iOS ZWACHATSESSION")
        self.members: dict[int, str] = {}
        self.by_chat: dict[int, list[tuple[str, str | None]]] = {}
        if "zwagroupmember" in db.tables:
            name = _col(db, "zwagroupmember", "ZCONTACTNAME", "g")
            for pk, chat, jid, cname in db.query(
                f"SELECT g.Z_PK, g.ZCHATSESSION, g.ZMEMBERJID, {name} FROM ZWAGROUPMEMBER g"
            ):
                if jid:
                    self.members[pk] = str(jid)
                    self.by_chat.setdefault(chat, []).append((str(jid), cname))

    def conversations(self) -> Iterator[Conversation]:
        db = self.db
        pname = _col(db, "zwachatsession", "ZPARTNERNAME", "s")
        stype = _col(db, "zwachatsession", "ZSESSIONTYPE", "s")
        sessions = list(
            db.query(f"SELECT s.Z_PK, s.ZCONTACTJID, {pname}, {stype} FROM ZWACHATSESSION s")
        )
        for pk, jid, partner, kind in sessions:
            jid = str(jid) if jid else None
            group = kind == 1 or bool(jid and jid.endswith("@g.us"))
            conv = Conversation(
                platform="whatsapp",
                title=partner or jid,
                participants=[Participant(OWNER, "device owner")],
                source_id=jid,
                notes=[*db.notes, "ChatStorage.sqlite (WhatsApp iOS, Core Data time)"],
            )
            if group:
                for mjid, cname in self.by_chat.get(pk, []):
                    if conv.participant(mjid) is None:
                        conv.participants.append(Participant(mjid, cname))
            elif jid:
                conv.participants.append(Participant(jid, partner))
            conv.messages = self.messages(conv, pk, None if group else jid)
            yield conv

    def messages(self, conv: Conversation, chat: int, partner: str | None) -> Iterator[Message]:
        db = self.db
        cols = [
            _col(db, "zwamessage", c, "m")
            for c in ("ZMESSAGETYPE", "ZGROUPMEMBER", "ZSTANZAID", "ZMEDIAITEM")
        ]
        media = "zwamediaitem" in db.tables
        mcols = (
            [_col(db, "zwamediaitem", c, "mi") for c in ("ZMEDIALOCALPATH", "ZTITLE", "ZFILESIZE")]
            if media
            else ["NULL"] * 3
        )
        join = " LEFT JOIN ZWAMEDIAITEM mi ON mi.ZMESSAGE = m.Z_PK" if media else ""
        sql = (
            f"SELECT m.Z_PK, m.ZISFROMME, m.ZFROMJID, m.ZTEXT, m.ZMESSAGEDATE, {', '.join(cols)}, "
            f"{', '.join(mcols)} FROM ZWAMESSAGE m{join} WHERE m.ZCHATSESSION = ? "
            "ORDER BY m.ZMESSAGEDATE, m.Z_PK"
        )
        files = 0
        for row in db.query(sql, (chat,)):
            pk, from_me, from_jid, text, date, mtype, member, stanza, item, path, title, size = row
            if from_me:
                sender: str | None = OWNER
            else:
                sender = self.members.get(member) if member else None
                sender = sender or (str(from_jid) if from_jid else partner)
            if sender is not None and conv.participant(sender) is None:
                conv.participants.append(Participant(sender))
            body = text or ""
            if len(body) > self.limit:
                body = body[: self.limit]
                conv.notes.append(f"ZWAMESSAGE Z_PK {pk}: text cut at the message limit")
            sent, _ = apple_time(date)
            msg = Message(sender, body, sent, f"ZWAMESSAGE Z_PK {pk}", str(date), "UTC (Core Data)")
            if sent is None:
                msg.time_note = f"ZMESSAGEDATE {date!r} is not a Core Data time"
            msg.source_id = stanza
            msg.is_system = mtype == _GROUP_EVENT
            if path or (item and media):
                fname = str(path).rsplit("/", 1)[-1] if path else None
                msg.attachments = [
                    Attachment(
                        fname or title,
                        None,
                        AttachmentStatus.MISSING,
                        size=size,
                        source_path=str(path) if path else None,
                    )
                ]
                files += 1
            yield msg
        if files:
            conv.notes.append(
                f"{files} media file(s) are named by the database (Message/Media paths); "
                "the ingest looks for them in the extraction holding the database"
            )


class WhatsAppIosParser:
    """Parser for WhatsApp for iOS's ChatStorage.sqlite."""

    name = "whatsapp_ios"
    description = "WhatsApp iOS ChatStorage.sqlite (ZWAMESSAGE, ZWACHATSESSION, media items)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        return bid(head, _TABLES, "WhatsApp iOS ChatStorage.sqlite")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        with open_db(stream, name) as db:
            yield from _Reader(db, options).conversations()

    def attachment_beside(self, source_path: str) -> Beside | None:
        """``ZMEDIALOCALPATH`` (``Media/...``, relative to the app group's ``Message`` folder)
        lies at ``Message/Media/...`` beside ``ChatStorage.sqlite``."""
        if source_path.startswith("/"):
            rel = after(source_path, "Message")
        else:
            rel = relative(source_path)
        return Beside(rel, ("Message",)) if rel else None


PARSER = WhatsAppIosParser()
