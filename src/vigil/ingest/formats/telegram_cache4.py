"""Telegram for Android's cache database ``cache4.db`` (``files/cache4.db`` of the app's data
folder, or ``files/account<N>/cache4.db`` for a second account), read where readable.

Tables read, as the app's ``MessagesStorage`` creates them: ``messages_v2`` (newer versions) or
``messages`` (older) with ``mid`` (message id), ``uid`` (dialog id: above 0 a user, below 0 a
group or channel; secret chats are shifted ids, looked up in ``enc_chats``), ``date`` (Unix
seconds, UTC), ``out`` (1: the device owner sent it) and ``data`` (the message in Telegram's TL
binary serialisation), and when present ``send_state``, ``ttl``, ``media`` and
``reply_to_message_id``; ``users(uid, name, data)``, ``chats(uid, name, data)`` and
``enc_chats(uid, user)``. One conversation per ``uid``.

Columns give the dialog, the time, the direction and the owner's messages. The blobs give the
text, the media kind and a group member's id; they are TL objects of the app's own API layer,
read by :mod:`vigil.ingest.formats._tl` from the parts every layer shares (the text after the
row's ``date`` value; ``from_id`` only when the ``id`` and ``Peer`` anchors hold). A blob whose
text cannot be read keeps its message with empty text; its constructor id is named in the
conversation's notes, with a count. Names come from the ``user``/``chat`` blobs when they agree
with the ``name`` column (a lower-cased search form, ``first last;;;username``), else from that
column, with a note. Media files are not in ``cache4.db``: attachments are MISSING.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats import _tl
from vigil.ingest.formats._sqlite_source import (
    MAGIC,
    OWNER,
    UNIX_EPOCH,
    Db,
    head_tables,
    open_db,
    sqlite_error,
)
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

PLATFORM = "telegram"
WHAT = "Telegram cache4.db"
CORE = ("users", "chats", "dialogs", "enc_chats")
NEEDED = ("mid", "uid", "date", "data", "out")
OPTIONAL = ("send_state", "ttl", "media", "reply_to_message_id")
UNKNOWN = "unknown member"
_NO_BLOB = -2
LISTED = 20
"""How many message ids a note lists before it only counts."""


def _opt(db: Db, table: str, column: str) -> str:
    return column if column in db.columns(table) else "NULL"


def _ids(mids: list[Any]) -> str:
    shown = ", ".join(str(m) for m in mids[:LISTED])
    return shown + (f" and {len(mids) - LISTED} more" if len(mids) > LISTED else "")


def _display(first: str, last: str, username: str) -> str | None:
    full = " ".join(p for p in (first.strip(), last.strip()) if p)
    if username:
        return f"{full} (@{username})" if full else f"@{username}"
    return full or None


class _Names:
    """Users and chats with the names read from their blobs (checked against ``name``)."""

    def __init__(self, db: Db) -> None:
        self.users: dict[int, tuple[str | None, bool]] = {}
        """user id → (display name, taken from the name column)."""
        self.chats: dict[int, tuple[str | None, bool]] = {}
        self.owner_id: int | None = None
        self.secret: dict[int, int | None] = {}
        """secret chat id → the other user's id."""
        if "uid" in db.columns("users"):
            sql = f"SELECT uid, {_opt(db, 'users', 'name')}, {_opt(db, 'users', 'data')} FROM users"
            for uid, name, data in db.query(sql):
                self.users[uid] = self._user(uid, name, data)
        if "uid" in db.columns("chats"):
            sql = f"SELECT uid, {_opt(db, 'chats', 'name')}, {_opt(db, 'chats', 'data')} FROM chats"
            for uid, name, data in db.query(sql):
                self.chats[uid] = self._chat(uid, name, data)
        if {"uid", "user"} <= db.columns("enc_chats"):
            for uid, user in db.query("SELECT uid, user FROM enc_chats"):
                self.secret[uid] = user

    def _user(self, uid: int, name: Any, data: Any) -> tuple[str | None, bool]:
        readings = []
        if isinstance(data, bytes):
            try:
                readings = _tl.read_user(data, uid)
            except _tl.TLError:
                readings = []
        column = str(name) if name else None
        if column is None:  # nothing to check the blob against: only an unambiguous reading
            if len({r[:3] for r in readings}) != 1:
                return None, False
            first, last, username, me = readings[0]
        else:
            wanted, _, handle = (column or "").partition(";;;")
            match = [
                r
                for r in readings
                if " ".join(p for p in r[:2] if p).lower() == wanted.strip()
                and r[2].lower() == handle.strip()
            ]
            if not match:
                return _display(wanted, "", handle.strip()) if column else None, column is not None
            first, last, username, me = match[0]
        if me:
            self.owner_id = uid
        return _display(first, last, username), False

    def _chat(self, uid: int, name: Any, data: Any) -> tuple[str | None, bool]:
        titles = []
        if isinstance(data, bytes):
            try:
                titles = _tl.read_title(data, uid)
            except _tl.TLError:
                titles = []
        column = str(name).partition(";;;")[0].strip() if name else None
        if column is None:  # nothing to check the blob against: only an unambiguous reading
            return (titles[0], False) if len(set(titles)) == 1 else (None, False)
        match = [t for t in titles if t.lower() == column]
        return (match[0], False) if match else (column, True)


def dialog_kind(uid: int, names: _Names) -> tuple[str, int, str | None]:
    """(``user``/``group``/``secret``, the user, chat or secret chat id, a note on how a secret
    chat was recognised) of the dialog id ``uid``."""
    if uid in names.users or uid == 0:
        return "user", uid, None
    if uid > 0 and uid >> 62 == 1:  # newer app versions: bit 62 set, the chat id in 32 bits
        enc = uid & _tl.U32
        enc = enc - (1 << 32) if enc >= 1 << 31 else enc
        return "secret", enc, f"dialog id {uid} read as secret chat {enc} (bit 62 set)"
    if uid & _tl.U32 == 0:  # older app versions: the chat id shifted 32 bits up
        enc = uid >> 32
        return "secret", enc, f"dialog id {uid} read as secret chat {enc} (id shifted 32 bits)"
    return ("user", uid, None) if uid > 0 else ("group", -uid, None)


class _Reader:
    def __init__(self, db: Db, options: ParseOptions) -> None:
        self.db = db
        self.limit = options.limits.max_message_bytes
        if "messages_v2" in db.tables:
            self.table = "messages_v2"
        elif "messages" in db.tables:
            self.table = "messages"
        else:
            raise ParseError(
                "no messages_v2 or messages table: not a Telegram cache4.db schema Vigil knows",
                file=db.name,
                expected="the Telegram for Android cache4.db tables",
            )
        db.require(self.table, NEEDED, WHAT)
        cols = db.columns(self.table)
        self.extra = [c if c in cols else "NULL" for c in OPTIONAL]
        self.names = _Names(db)
        self.notes = [*db.notes, f"{WHAT}: table {self.table}"]
        missing = [c for c in OPTIONAL if c not in cols]
        if missing:
            self.notes.append(
                f"{self.table} has no {', '.join(missing)} column(s) (an older app version): "
                "not read"
            )
        for other in ("messages", "scheduled_messages_v2"):
            if other != self.table and "data" in db.columns(other):
                (n,) = next(db.query(f"SELECT count(*) FROM {other}"))
                if n:
                    self.notes.append(f"{n} row(s) in table {other} are not read")
        if self.names.owner_id is not None:
            self.notes.append(
                f"the device owner is Telegram user {self.names.owner_id} (the 'self' flag of "
                "its users row); their messages have sender 'owner'"
            )

    def participant(self, kind: str, ident: int) -> Participant:
        table = self.names.users if kind == "user" else self.names.chats
        name, _ = table.get(ident, (None, False))
        return Participant(f"{kind}{ident}", name)

    def conversations(self) -> Iterator[Conversation]:
        sql = f"SELECT uid, min(date) AS first FROM {self.table} GROUP BY uid ORDER BY first, uid"
        for (uid,) in [r[:1] for r in self.db.query(sql)]:
            yield self.conversation(uid)

    def conversation(self, uid: Any) -> Conversation:
        notes = list(self.notes)
        kind, ident, how = dialog_kind(int(uid or 0), self.names)
        parts = [Participant(OWNER, "device owner")]
        other: str | None = None
        if how:
            notes.append(how)
        if kind == "group":
            name, from_column = self.names.chats.get(ident, (None, False))
            title = name or f"chat {ident}"
            if ident not in self.names.chats:
                notes.append(f"chat {ident} is not in the chats table: no title")
            elif from_column:
                notes.append(
                    "the title is the lower-cased search form of the chats.name column: the "
                    "chat's data blob could not be read or did not match it"
                )
            notes.append(
                "group members are those seen writing; the member lists the app keeps in "
                "other blobs (chat_settings_v2, channel_users_v2) are not read"
            )
        else:
            partner: int | None = ident
            if kind == "secret":
                partner = self.names.secret.get(ident)
                if partner is None:
                    notes.append(f"secret chat {ident} is not in enc_chats: its partner is unknown")
            if partner is not None:
                person = self.participant("user", partner)
                if partner not in self.names.users:
                    notes.append(f"user {partner} is not in the users table: no name")
            else:
                person = Participant(f"secret chat {ident} partner")
            parts.append(person)
            other = person.platform_id
            title = person.display_name or person.platform_id
            if kind == "secret":
                title = f"secret chat with {title}"
        conv = Conversation(PLATFORM, title, parts, source_id=str(uid), notes=notes)
        conv.messages = self.messages(conv, uid, kind, ident, other)
        return conv

    def _sender(self, blob: _tl.MessageBlob | None, ident: int) -> tuple[str, int] | None:
        """A group message's author from its blob, when the header anchors hold."""
        if blob is None or blob.peer is None or blob.peer[0] not in ("chat", "channel"):
            return None
        if blob.peer[1] != ident:
            return None
        if blob.sender is not None:
            return blob.sender
        return (blob.peer[0], ident) if blob.is_post else None

    def messages(
        self, conv: Conversation, uid: Any, kind: str, ident: int, other: str | None
    ) -> Iterator[Message]:
        t = self.table
        seen = {p.platform_id for p in conv.participants}
        unread: dict[int, list[Any]] = {}
        unknown: list[Any] = []
        files: dict[str, list[Any]] = {}
        shared: dict[str, list[Any]] = {}
        marked: list[Any] = []
        ambiguous: list[Any] = []
        states: Counter[Any] = Counter()
        timed = 0
        sql = (
            f"SELECT mid, date, out, data, {', '.join(self.extra)} FROM {t} "
            "WHERE uid IS ? ORDER BY date, mid"
        )
        cursor = self.db.cursor(sql, (uid,))
        try:
            for mid, date, out, data, send_state, ttl, media, reply in cursor:
                loc = f"{t} uid {uid} mid {mid}"
                day = date if type(date) is int else None
                blob: _tl.MessageBlob | None = None
                if isinstance(data, bytes):
                    blob = _tl.read_message(data, int(mid or 0), day)
                    if blob.text is None:
                        unread.setdefault(blob.constructor, []).append(mid)
                        if blob.kind is None:
                            conv.notes.append(
                                f"{loc}: text not read (constructor {_hex(blob.constructor)}): "
                                f"{blob.reason}; kept with empty text"
                            )
                    elif blob.ambiguous:
                        ambiguous.append(mid)
                else:
                    unread.setdefault(_NO_BLOB, []).append(mid)
                    conv.notes.append(f"{loc}: no data blob; kept with empty text")
                sender: str | None
                if out:
                    sender = OWNER
                    if send_state:
                        states[send_state] += 1
                elif kind != "group":
                    sender = other
                else:
                    found = self._sender(blob, ident)
                    if found is None:
                        sender = UNKNOWN
                        unknown.append(mid)
                    elif found == ("user", self.names.owner_id):
                        sender = OWNER
                    else:
                        sender = f"{found[0]}{found[1]}"
                    if sender not in seen:
                        seen.add(sender)
                        conv.participants.append(
                            self.participant(*found)
                            if found is not None
                            else Participant(UNKNOWN, "group member(s) not identified")
                        )
                text = blob.text if blob is not None and blob.text is not None else ""
                if len(text) > self.limit:
                    text = text[: self.limit]
                    conv.notes.append(f"{loc}: text cut at the message limit")
                sent = UNIX_EPOCH + timedelta(seconds=day) if day is not None else None
                msg = Message(sender, text, sent, loc, str(date), "UTC (epoch)", str(mid))
                if sent is None:
                    msg.time_note = f"date {date!r} is not Unix seconds"
                msg.is_system = blob is not None and blob.kind in _tl.SERVICE.values()
                if reply:
                    msg.reply_to = str(reply)
                if ttl:
                    timed += 1
                kind_of = self._media(blob, media)
                if kind_of is not None:
                    what, is_file = kind_of
                    (files if is_file else shared).setdefault(what, []).append(mid)
                    if is_file:
                        msg.attachments = [Attachment(None, None, AttachmentStatus.MISSING)]
                    if what == "media (kind not known)":
                        marked.append(mid)
                yield msg
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.db.name) from exc
        self._notes(conv, unread, unknown, files, shared, marked, ambiguous, states, timed)

    @staticmethod
    def _media(blob: _tl.MessageBlob | None, media: Any) -> tuple[str, bool] | None:
        """(kind, is a file) of a message's media, from its blob, else the media column."""
        if blob is not None and blob.text is not None:
            if blob.media is not None:
                found = _tl.MEDIA.get(blob.media, f"media of constructor {_hex(blob.media)}")
                if found is None:
                    return None
                return found, found in _tl.FILE_KINDS or found not in _tl.MEDIA.values()
            if blob.has_media_flag:
                return "media (the blob ends before the media object)", True
            return None
        if type(media) is int and media > 0:
            return "media (kind not known)", True
        return None

    def _notes(
        self,
        conv: Conversation,
        unread: dict[int, list[Any]],
        unknown: list[Any],
        files: dict[str, list[Any]],
        shared: dict[str, list[Any]],
        marked: list[Any],
        ambiguous: list[Any],
        states: Counter[Any],
        timed: int,
    ) -> None:
        notes = conv.notes
        if unread:
            parts = []
            for ctor, mids in sorted(unread.items()):
                what = "no data blob" if ctor == _NO_BLOB else f"constructor {_hex(ctor)}"
                named = _tl.SERVICE.get(ctor) or _tl.EMPTY.get(ctor)
                if named:
                    what += f" ({named}, no text)"
                parts.append(f"{what}: {len(mids)} (mid {_ids(mids)})")
            total = sum(len(m) for m in unread.values())
            notes.append(
                f"{total} message(s) whose text could not be read, kept with empty text: "
                + "; ".join(parts)
            )
        if unknown:
            notes.append(
                f"{len(unknown)} group message(s) not sent by the owner whose sender could not "
                f"be read from the blob (no from_id with its Peer anchors): sender "
                f"'{UNKNOWN}', which may be several people (mid {_ids(unknown)})"
            )
        if files:
            n = sum(len(m) for m in files.values())
            kinds = "; ".join(f"{k}: {len(m)} (mid {_ids(m)})" for k, m in sorted(files.items()))
            notes.append(
                f"{n} attachment(s) ({kinds}): the files are not in cache4.db (the app keeps "
                "them in its cache folders, not read here): status missing"
            )
        if marked:
            notes.append(
                f"{len(marked)} message(s) whose blob could not be read are marked as having "
                "media from the media column (non-zero); some app versions keep other counts "
                "in that column (views of channel posts): check them"
            )
        if shared:
            kinds = "; ".join(f"{k}: {len(m)} (mid {_ids(m)})" for k, m in sorted(shared.items()))
            notes.append(f"media that are not files, not listed as attachments: {kinds}")
        if ambiguous:
            notes.append(
                f"{len(ambiguous)} forwarded message(s) hold the date value more than once; the "
                f"text after the first was taken: check them (mid {_ids(ambiguous)})"
            )
        if states:
            said = ", ".join(f"{v}: {n}" for v, n in sorted(states.items(), key=str))
            notes.append(
                f"owner messages with a send_state other than 0 (sent) — the app uses 1 for "
                f"sending and 2 for a failed send: {said}"
            )
        if timed:
            notes.append(f"{timed} message(s) have a self-destruct timer (ttl column)")
        names = [
            p.platform_id
            for p in conv.participants
            if p.platform_id.startswith(("user", "chat", "channel")) and self._from_column(p)
        ]
        if names:
            notes.append(
                f"names of {', '.join(names)} are the lower-cased search form of the name "
                "column: their data blobs could not be read or did not match it"
            )

    def _from_column(self, p: Participant) -> bool:
        for prefix, table in (("user", self.names.users), ("chat", self.names.chats),
                              ("channel", self.names.chats)):  # fmt: skip
            rest = p.platform_id.removeprefix(prefix)
            if rest != p.platform_id and rest.lstrip("-").isdigit():
                return table.get(int(rest), (None, False))[1]
        return False


def _hex(ctor: int) -> str:
    return "none (the blob is shorter than 4 bytes)" if ctor < 0 else f"0x{ctor:08x}"


class TelegramCache4Parser:
    """Parser for Telegram for Android's cache4.db."""

    name = "telegram_cache4"
    description = "Telegram Android cache4.db (messages_v2/messages, users, chats; TL blobs)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if not head.startswith(MAGIC):
            return Sniff(0.0, "not a SQLite database (no 'SQLite format 3' header)")
        tables = head_tables(head)
        core = [t for t in CORE if t in tables]
        msgs = [t for t in ("messages_v2", "messages") if t in tables]
        if len(core) == len(CORE) and msgs:
            score = 0.95 if msgs[0] == "messages_v2" else 0.9
            return Sniff(
                score, f"SQLite database with the {WHAT} tables ({msgs[0]}, {', '.join(CORE)})"
            )
        if "messages_v2" in tables or {"dialogs", "enc_chats"} <= tables:
            return Sniff(
                0.35,
                f"SQLite database with some {WHAT} tables ({', '.join(msgs + core)}); not "
                f"seen in the first bytes: {', '.join(t for t in CORE if t not in core)}",
            )
        return Sniff(0.0, f"SQLite database without the {WHAT} tables")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        with open_db(stream, name) as db:
            yield from _Reader(db, options).conversations()


PARSER = TelegramCache4Parser()
