"""Android telephony database ``mmssms.db`` (SMS and MMS), as it comes out of an extraction.

SMS: table ``sms`` (_id, thread_id, address, date in epoch milliseconds UTC, type, body).
``type`` 1 is received (the sender is ``address``); 2 sent, 3 draft, 4 outbox, 5 failed and 6
queued are the owner's side (the non-sent ones noted). MMS: table ``pdu`` (the content provider
calls it ``mms``; _id, thread_id, date in epoch **seconds**, msg_box, sub), its parts in
``part`` (mid, ct, text, name, cl, _data) and addresses in ``addr`` (msg_id, address, type:
137 from, 151 to, 130 cc). Text parts become the message text, SMIL layout parts are counted
in a note, other parts are attachments: MISSING with their ``_data`` path as ``source_path``;
the ingest service registers each part file the extraction holds (``app_parts/PART_…`` beside
the ``databases/`` folder) as a derived exhibit (:meth:`AndroidMmsSmsParser.attachment_beside`).

One conversation per ``thread_id``, its members from ``threads.recipient_ids`` through
``canonical_addresses`` when those tables are there, else from the records' addresses; SMS and
MMS of a thread are merged in time order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._attachments import Beside, after
from vigil.ingest.formats._sqlite_source import OWNER, UNIX_EPOCH, Db, bid, open_db, unix_ms
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

_SMS_TYPES = {1: "received", 2: "sent", 3: "draft", 4: "outbox", 5: "failed", 6: "queued"}
_FROM = 137
_NEVER = datetime.max.replace(tzinfo=UNIX_EPOCH.tzinfo)


def _key(m: Message) -> datetime:
    return m.sent_at or _NEVER


class _Reader:
    def __init__(self, db: Db, options: ParseOptions) -> None:
        self.db = db
        self.limit = options.limits.max_message_bytes
        db.require("sms", ("_id", "thread_id", "address", "date", "type", "body"), "Android sms")
        self.mms = "pdu" in db.tables and "part" in db.tables
        if self.mms:
            db.require("pdu", ("_id", "thread_id", "date", "msg_box"), "Android MMS pdu")
            db.require("part", ("mid", "ct", "text"), "Android MMS part")

    def members(self) -> dict[int, list[str]]:
        db = self.db
        if not {"threads", "canonical_addresses"} <= db.tables:
            return {}
        canon = {r[0]: str(r[1]) for r in db.query("SELECT _id, address FROM canonical_addresses")}
        out: dict[int, list[str]] = {}
        for tid, ids in db.query("SELECT _id, recipient_ids FROM threads"):
            out[tid] = [
                canon[int(i)] for i in str(ids or "").split() if i.isdigit() and int(i) in canon
            ]
        return out

    def threads(self) -> list[int]:
        sql = "SELECT DISTINCT thread_id FROM sms"
        if self.mms:
            sql += " UNION SELECT DISTINCT thread_id FROM pdu"
        return sorted(r[0] for r in self.db.query(sql) if r[0] is not None) + (
            [-1]
            if next(self.db.query("SELECT 1 FROM sms WHERE thread_id IS NULL LIMIT 1"), None)
            else []
        )

    def sms(self, conv: Conversation, tid: int) -> Iterator[Message]:
        where = "thread_id IS NULL" if tid == -1 else "thread_id = ?"
        sql = f"SELECT _id, address, date, type, body FROM sms WHERE {where} ORDER BY date, _id"
        for rowid, address, date, kind, body in self.db.query(sql, () if tid == -1 else (tid,)):
            sender = str(address) if kind == 1 and address else OWNER
            if kind not in (1, 2):
                label = _SMS_TYPES.get(kind, "unknown type")
                conv.notes.append(f"sms _id {rowid}: type {kind} ({label}), owner's side")
            text = body or ""
            if len(text) > self.limit:
                text = text[: self.limit]
                conv.notes.append(f"sms _id {rowid}: text cut at the message limit")
            msg = Message(sender, text, unix_ms(date), f"sms _id {rowid}", str(date), "UTC (epoch)")
            if msg.sent_at is None:
                msg.time_note = f"date {date!r} is not epoch milliseconds"
            yield msg

    def mms_messages(self, conv: Conversation, tid: int) -> Iterator[Message]:
        db = self.db
        sub = "sub" if "sub" in db.columns("pdu") else "NULL"
        rows = list(
            db.query(
                f"SELECT _id, date, msg_box, {sub} FROM pdu WHERE thread_id = ? ORDER BY date, _id",
                (tid,),
            )
        )
        if not rows:
            return
        ids = "(SELECT _id FROM pdu WHERE thread_id = ?)"
        pcols = db.columns("part")
        extra = [c if c in pcols else "NULL" for c in ("name", "cl", "_data")]
        parts: dict[int, list[tuple[Any, ...]]] = {}
        for p in db.query(
            f"SELECT mid, ct, text, {', '.join(extra)} FROM part WHERE mid IN {ids} "
            "ORDER BY mid, _id",
            (tid,),
        ):
            parts.setdefault(p[0], []).append(p)
        senders: dict[int, str] = {}
        if "addr" in db.tables:
            for mid, address, typ in db.query(
                f"SELECT msg_id, address, type FROM addr WHERE msg_id IN {ids}", (tid,)
            ):
                if typ == _FROM and address and address != "insert-address-token":
                    senders.setdefault(mid, str(address))
        smil = 0
        for rowid, date, box, subject in rows:
            texts = [f"Subject: {subject}"] if subject else []
            atts: list[Attachment] = []
            for _, ct, text, pname, cl, data in parts.get(rowid, []):
                if ct == "application/smil":
                    smil += 1
                elif ct == "text/plain":
                    texts.append(text or "")
                else:
                    fname = pname or cl or (str(data).rsplit("/", 1)[-1] if data else None)
                    atts.append(
                        Attachment(
                            fname,
                            ct,
                            AttachmentStatus.MISSING,
                            source_path=str(data) if data else None,
                        )
                    )
            sender: str | None = OWNER
            if box == 1:
                sender = senders.get(rowid)
                if sender is None:
                    conv.notes.append(f"pdu _id {rowid}: received MMS names no sender")
            when = unix_ms(date * 1000) if isinstance(date, int) else None
            msg = Message(
                sender, "\n".join(texts), when, f"pdu _id {rowid}", str(date), "UTC (epoch)"
            )
            if when is None:
                msg.time_note = f"date {date!r} is not epoch seconds"
            msg.attachments = atts
            yield msg
        if smil:
            conv.notes.append(f"{smil} SMIL layout part(s) of MMS messages skipped")

    def conversations(self) -> Iterator[Conversation]:
        members = self.members()
        for tid in self.threads():
            addrs = members.get(tid, [])
            conv = Conversation(
                platform="sms",
                title=", ".join(addrs) or (f"thread {tid}" if tid != -1 else "(no thread)"),
                participants=[Participant(OWNER, "device owner")] + [Participant(a) for a in addrs],
                source_id=str(tid) if tid != -1 else None,
                notes=[
                    *self.db.notes,
                    "Android mmssms.db: sms" + (" and MMS (pdu)" if self.mms else ""),
                ],
            )
            conv.messages = self._merged(conv, tid)
            yield conv

    def _merged(self, conv: Conversation, tid: int) -> Iterator[Message]:
        streams = [self.sms(conv, tid)]
        if self.mms and tid != -1:
            streams.append(self.mms_messages(conv, tid))
        for msg in heapq.merge(*streams, key=_key):
            if msg.sender is not None and conv.participant(msg.sender) is None:
                conv.participants.append(Participant(msg.sender))
            yield msg


class AndroidMmsSmsParser:
    """Parser for Android's telephony database (mmssms.db)."""

    name = "android_mmssms"
    description = "Android mmssms.db (SMS and MMS with parts and addresses)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        return bid(head, ("sms", "pdu", "part", "addr"), "Android mmssms.db")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        with open_db(stream, name) as db:
            yield from _Reader(db, options).conversations()

    def attachment_beside(self, source_path: str) -> Beside | None:
        """A part's ``_data`` (``/data/user_de/0/com.android.providers.telephony/app_parts/
        PART_1``) lies in ``app_parts/`` beside the ``databases/`` folder holding mmssms.db."""
        rel = after(source_path, "com.android.providers.telephony")
        return Beside(rel, levels=1) if rel else None


PARSER = AndroidMmsSmsParser()
