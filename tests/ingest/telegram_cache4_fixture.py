"""Builders of small synthetic Telegram for Android ``cache4.db`` files.

The ``CREATE TABLE`` statements follow the table definitions of the app's ``MessagesStorage``
(its open-source Android client), written for these tests with a representative set of the
tables and columns; the blobs are serialised here in Telegram's TL binary format as documented
at https://core.telegram.org/mtproto/serialize and in the published API schema (constructor id,
``flags`` word, fields in order, 4-byte alignment, strings with a one-byte length or ``0xfe``
and a 3-byte length, zero padding). Both are written from that documentation, not copied. The
serialiser below is independent of Vigil's reader (``vigil.ingest.formats._tl``).

The ids used for the ``message``, ``user``, ``chat`` and ``channel`` constructors, and for the
objects nested in them (photo, photo size, geo point, profile photo), only need to be distinct:
the reader treats them as opaque and relies on the layer-independent parts (the id,
the ``Peer`` objects, the date before the text). ``Peer``, ``messageService`` and
``MessageMedia`` ids are the ones the reader names.

Content is synthetic and non-graphic; grooming cues are phrased the way public safeguarding
guidance quotes them. The one-to-one chat's first four messages fall either side of the
Europe/London clock changes of 2023 (``device_fixtures.DST_TIMES``).
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

from tests.ingest.device_fixtures import AUTUMN_BST, AUTUMN_GMT, SPRING_BST, SPRING_GMT, _build

# --- TL serialisation (written for the fixtures) ---------------------------------------------


def c32(ctor: int) -> bytes:
    """A constructor id or flags word (unsigned 32 bits)."""
    return struct.pack("<I", ctor)


def i32(v: int) -> bytes:
    return struct.pack("<i", v)


def i64(v: int) -> bytes:
    return struct.pack("<q", v)


def tl_string(value: str | bytes) -> bytes:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    head = bytes([len(raw)]) if len(raw) < 254 else b"\xfe" + len(raw).to_bytes(3, "little")
    body = head + raw
    return body + b"\x00" * (-len(body) % 4)


def vector(items: list[bytes]) -> bytes:
    return c32(0x1CB5C415) + i32(len(items)) + b"".join(items)


PEER_USER, PEER_CHAT, PEER_CHANNEL = 0x59511722, 0x36C6019A, 0xA2A5371E  # 64-bit ids
PEER_USER_OLD, PEER_CHAT_OLD = 0x9DB1BC6D, 0xBAD0E5BB  # 32-bit ids (before layer 133)
MESSAGE = 0x85D6CBE2  # a message constructor with Peer from_id and 64-bit peers
MESSAGE_FLAGS2 = 0x38116EE0  # a message constructor with a second flags word
MESSAGE_OLD = 0x58AE39C9  # a message constructor with from_id:int and to_id:Peer
SERVICE = 0x2B085862  # messageService
ACTION_ADD_USER = 0x15CEFD00  # messageActionChatAddUser users:Vector<long>
MEDIA_PHOTO, MEDIA_DOCUMENT, MEDIA_GEO = 0x695150D7, 0x9CB070D7, 0x56E0D474
UNKNOWN_CTOR = 0x0BADF00D

FWD = 1 << 2  # fwd_from:flags.2?MessageFwdHeader
ENTITIES = 1 << 7  # entities:flags.7?Vector<MessageEntity>
FROM = 1 << 8  # from_id:flags.8?Peer
MEDIA = 1 << 9  # media:flags.9?MessageMedia
POST = 1 << 14  # post:flags.14?true
EDIT = 1 << 15  # edit_date:flags.15?int


def peer(kind: int, ident: int) -> bytes:
    return c32(kind) + (i32(ident) if kind in (PEER_USER_OLD, PEER_CHAT_OLD) else i64(ident))


def photo(date: int) -> bytes:
    """messageMediaPhoto with a photo whose own date is the message's (a second copy of the
    date value after the text) and one size."""
    size = c32(0x75C78E60) + tl_string("x") + i32(1280) + i32(960) + i32(81234)
    pic = (
        c32(0xFB197A65) + c32(0) + i64(5550001) + i64(-77) + tl_string(b"\x01\x02\x03\x04\x05")
        + i32(date) + vector([size]) + i32(4)
    )  # fmt: skip
    return c32(MEDIA_PHOTO) + c32(1) + pic


def message(
    mid: int,
    date: int,
    text: str,
    peer_id: bytes,
    *,
    sender: bytes | None = None,
    media: bytes | None = None,
    ctor: int = MESSAGE,
    extra_flags: int = 0,
) -> bytes:
    """A message: constructor, flags (and flags2), id, from_id?, peer_id, date, message,
    media?, then entities (an empty vector) and, for an edited one, edit_date."""
    flags = extra_flags | ENTITIES | (FROM if sender else 0) | (MEDIA if media else 0)
    out = c32(ctor) + c32(flags) + (c32(0) if ctor == MESSAGE_FLAGS2 else b"") + i32(mid)
    out += sender or b""
    out += peer_id + i32(date) + tl_string(text) + (media or b"") + vector([])
    if flags & EDIT:
        out += i32(date + 60)
    return out


def old_message(mid: int, date: int, text: str, to_id: bytes, sender: int | None) -> bytes:
    """A message of the layers before 119: from_id is a bare int."""
    flags = FROM if sender is not None else 0
    head = c32(MESSAGE_OLD) + c32(flags) + i32(mid) + (i32(sender) if sender is not None else b"")
    return head + to_id + i32(date) + tl_string(text)


def service(mid: int, date: int, sender: bytes, peer_id: bytes, added: int) -> bytes:
    action = c32(ACTION_ADD_USER) + vector([i64(added)])
    return c32(SERVICE) + c32(FROM) + i32(mid) + sender + peer_id + i32(date) + action


def user(
    uid: int, first: str, last: str, username: str, *, me: bool = False, old: bool = False
) -> bytes:
    """A user: flags, (flags2), id, access_hash, first/last name, username, phone, photo."""
    flags = 1 | 16 | (2 if first else 0) | (4 if last else 0) | (8 if username else 0)
    flags |= 1 << 10 if me else 0
    out = c32(0x938458C1 if old else 0x8F97C628) + c32(flags) + (b"" if old else c32(0))
    out += i32(uid) if old else i64(uid)
    out += i64(-99887766)
    for value in (first, last, username):
        out += tl_string(value) if value else b""
    return out + tl_string("+447700900000") + c32(0x4F11BAE1)


def chat(cid: int, title: str) -> bytes:
    return (
        c32(0x41CBF256) + c32(0) + i64(cid) + tl_string(title) + c32(0x37C1011C) + i32(3) + i32(0)
    )


def channel(cid: int, title: str) -> bytes:
    """A channel: flags with bit 13 (access_hash) and bit 5 (broadcast), flags2, id,
    access_hash, title."""
    return (
        c32(0x0AADFC8F)
        + c32((1 << 13) | (1 << 5))
        + c32(0)
        + i64(cid)
        + i64(424242)
        + tl_string(title)
    )


def ts(t: datetime) -> int:
    return int(t.timestamp())


# --- cache4.db (messages_v2) ---------------------------------------------------------------

SCHEMA = """
CREATE TABLE messages_holes(uid INTEGER, start INTEGER, end INTEGER, PRIMARY KEY(uid, start));
CREATE TABLE media_holes_v2(uid INTEGER, type INTEGER, start INTEGER, end INTEGER,
  PRIMARY KEY(uid, type, start));
CREATE TABLE scheduled_messages_v2(mid INTEGER, uid INTEGER, send_state INTEGER, date INTEGER,
  data BLOB, ttl INTEGER, replydata BLOB, reply_to_message_id INTEGER, PRIMARY KEY(mid, uid));
CREATE TABLE messages_v2(mid INTEGER, uid INTEGER, read_state INTEGER, send_state INTEGER,
  date INTEGER, data BLOB, out INTEGER, ttl INTEGER, media INTEGER, replydata BLOB,
  imp INTEGER, mention INTEGER, forwards INTEGER, replies_data BLOB, thread_reply_id INTEGER,
  is_channel INTEGER, reply_to_message_id INTEGER, custom_params BLOB, group_id INTEGER,
  PRIMARY KEY(mid, uid));
CREATE INDEX uid_date_mid_idx_messages_v2 ON messages_v2(uid, date, mid);
CREATE TABLE download_queue(uid INTEGER, type INTEGER, date INTEGER, data BLOB, parent TEXT,
  PRIMARY KEY (uid, type));
CREATE TABLE user_contacts_v7(key TEXT PRIMARY KEY, uid INTEGER, fname TEXT, sname TEXT,
  imported INTEGER);
CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER,
  last_mid INTEGER, inbox_max INTEGER, outbox_max INTEGER, last_mid_i INTEGER,
  unread_count_i INTEGER, pts INTEGER, date_i INTEGER, pinned INTEGER, flags INTEGER,
  folder_id INTEGER, data BLOB);
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER, name TEXT, data BLOB, g BLOB,
  authkey BLOB, ttl INTEGER, layer INTEGER, seq_in INTEGER, seq_out INTEGER);
CREATE TABLE media_v4(mid INTEGER, uid INTEGER, date INTEGER, type INTEGER, data BLOB,
  PRIMARY KEY(mid, uid, type));
CREATE TABLE params(id INTEGER PRIMARY KEY, seq INTEGER, pts INTEGER, date INTEGER,
  qts INTEGER, lsv INTEGER, sg INTEGER, pbytes BLOB);
"""

OWNER_ID = 5000000001
ALEX, SAM, CHRIS, JO = 5123456789, 5234567890, 5345678901, 6123456789
GROUP, CHANNEL, SECRET = 4001234567, 1777000001, 77
SECRET_DIALOG = (1 << 62) | SECRET
LONG_TEXT = "are your parents home tonight? " * 10  # 310 bytes: the long string form
EMOJI_TEXT = "ça va? 👍 send a pic so I know you're real 🙂"
GROUP_TIME = datetime(2023, 6, 1, 15, tzinfo=UTC)
LATER = datetime(2023, 11, 2, 18, tzinfo=UTC)


def _row(mid: int, uid: int, date: int, data: bytes | None, out: int, *, send_state: int = 0,
         ttl: int = 0, media: int = 0, reply: int = 0) -> tuple[object, ...]:  # fmt: skip
    return (mid, uid, 1, send_state, date, data, out, ttl, media, None, 0, 0, 0, None, 0,
            int(uid < 0), reply, None, 0)  # fmt: skip


def cache4(path: Path) -> Path:
    """cache4.db: a one-to-one chat with Alex (7 messages: four across DST, one over 254 bytes,
    one with emoji and accents, a photo with a caption, a blob cut short inside its text, an
    owner message whose send failed), a group (7: a service message, members' messages with
    their from_id, the owner's, a location, a document, an unknown layout marked as media by
    the media column), a channel post
    (1) and a secret chat (2, with a self-destruct timer); one scheduled message not read."""
    alex = peer(PEER_USER, ALEX)
    me = peer(PEER_USER, OWNER_ID)
    grp = peer(PEER_CHAT, GROUP)
    sam, chris = peer(PEER_USER, SAM), peer(PEER_USER, CHRIS)
    g = ts(GROUP_TIME)
    photo_at = ts(datetime(2023, 10, 30, 9, tzinfo=UTC))
    cut = message(6, photo_at + 60, "I'll get you a new phone if you", alex, sender=alex)
    d = [ts(t) for t in (SPRING_GMT, SPRING_BST, AUTUMN_BST, AUTUMN_GMT)]
    rows = [
        _row(1, ALEX, d[0], message(1, d[0], "how old are you?", me, sender=alex), 0),
        _row(2, ALEX, d[1], message(2, d[1], "why do you ask", alex, sender=me), 1),
        _row(3, ALEX, d[2], message(3, d[2], LONG_TEXT, me, sender=alex), 0),
        _row(4, ALEX, d[3], message(4, d[3], EMOJI_TEXT, me, sender=alex, extra_flags=EDIT,
                                    ctor=MESSAGE_FLAGS2), 0),
        _row(5, ALEX, photo_at, message(5, photo_at, "a gift for you 🎁", me, sender=alex,
                                        media=photo(photo_at)), 0, media=1),
        _row(6, ALEX, photo_at + 60, cut[: len(cut) - 20], 0),
        _row(7, ALEX, ts(LATER), message(7, ts(LATER), "ok", alex, sender=me), 1, send_state=2),
        _row(1, -GROUP, g, service(1, g, sam, grp, CHRIS), 0),
        _row(2, -GROUP, g + 60, message(2, g + 60, "who else uses your phone?", grp, sender=sam), 0),
        _row(3, -GROUP, g + 120, message(3, g + 120, "my mum does", grp, sender=me), 1,
             reply=2),
        _row(4, -GROUP, g + 180, message(4, g + 180, "can we meet at the station?", grp,
                                         sender=chris), 0),
        _row(5, -GROUP, g + 240, message(5, g + 240, "", grp, sender=sam, media=c32(MEDIA_GEO)
                                         + c32(0xB2A2F663) + c32(0) + b"\x00" * 24), 0),
        _row(6, -GROUP, g + 300, c32(UNKNOWN_CTOR) + c32(0) + b"\x11" * 40, 0, media=1),
        _row(7, -GROUP, g + 360, message(7, g + 360, "homework", grp, sender=sam,
                                         media=c32(MEDIA_DOCUMENT) + c32(0)), 0, media=1),
        _row(1, -CHANNEL, g + 30, message(1, g + 30, "school closes early on friday",
                                          peer(PEER_CHANNEL, CHANNEL), extra_flags=POST), 0),
        _row(-1, SECRET_DIALOG, g + 90, message(-1, g + 90, "this chat deletes itself", me,
                                                sender=peer(PEER_USER, JO)), 0, ttl=10),
        _row(-2, SECRET_DIALOG, g + 95, message(-2, g + 95, "ok", peer(PEER_USER, JO), sender=me),
             1, ttl=10),
    ]  # fmt: skip
    return _build(
        path,
        SCHEMA,
        {
            "messages_v2": rows,
            "scheduled_messages_v2": [
                (9, ALEX, 0, ts(LATER) + 3600, message(9, ts(LATER), "later", alex), 0, None, 0)
            ],
            "users": [
                (OWNER_ID, "jamie;;;", 0, user(OWNER_ID, "Jamie", "", "", me=True)),
                (ALEX, "alex;;;alex_k", 0, user(ALEX, "Alex", "", "alex_k")),
                (SAM, "sam taylor;;;", 0, user(SAM, "Sam", "Taylor", "")),
                (CHRIS, "chris;;;chris_99", 0, b"\x00\x01garbage"),
                (JO, "jo;;;", 0, user(JO, "Jo", "", "")),
            ],
            "chats": [
                (GROUP, "year 9 study group", chat(GROUP, "Year 9 Study Group")),
                (CHANNEL, "school news", channel(CHANNEL, "School News")),
            ],
            "enc_chats": [(SECRET, JO, "jo", None, None, None, 10, 101, 0, 0)],
            "dialogs": [(ALEX, ts(LATER), 0, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, None)],
            "params": [(1, 0, 0, 0, 0, 0, 0, None)],
        },
    )


# --- an older cache4.db (messages) ------------------------------------------------------------

LEGACY_SCHEMA = """
CREATE TABLE messages(mid INTEGER PRIMARY KEY, uid INTEGER, read_state INTEGER,
  send_state INTEGER, date INTEGER, data BLOB, out INTEGER);
CREATE TABLE dialogs(did INTEGER PRIMARY KEY, date INTEGER, unread_count INTEGER,
  last_mid INTEGER);
CREATE TABLE users(uid INTEGER PRIMARY KEY, name TEXT, status INTEGER, data BLOB);
CREATE TABLE chats(uid INTEGER PRIMARY KEY, name TEXT, data BLOB);
CREATE TABLE enc_chats(uid INTEGER PRIMARY KEY, user INTEGER, name TEXT, data BLOB, g BLOB,
  authkey BLOB, ttl INTEGER);
"""

ROBIN, KAI, OLD_GROUP = 123456, 234567, 987654
OLD_TIME = datetime(2019, 3, 31, 0, 30, tzinfo=UTC)  # 00:30 GMT, before the 2019 clock change


def cache4_legacy(path: Path) -> Path:
    """An older cache4.db: a ``messages`` table without the later ``ttl``/``media`` columns
    (left out to exercise the missing-column note), 32-bit ids, ``from_id`` as an int: a
    one-to-one chat with Robin (2 messages either side of the 2019 spring clock change) and a
    group (3: two members and the owner)."""
    t = ts(OLD_TIME)
    to_me = peer(PEER_USER_OLD, 1000)
    grp = peer(PEER_CHAT_OLD, OLD_GROUP)
    said = [  # (mid, dialog, seconds after t, text, to_id, from_id, out)
        (1, ROBIN, 0, "what school do you go to?", to_me, ROBIN, 0),
        (2, ROBIN, 3600, "not saying", peer(PEER_USER_OLD, ROBIN), 1000, 1),
        (3, -OLD_GROUP, 60, "add me on the other app", grp, ROBIN, 0),
        (4, -OLD_GROUP, 120, "don't tell anyone", grp, KAI, 0),
        (5, -OLD_GROUP, 180, "no", grp, 1000, 1),
    ]
    rows = [
        (mid, uid, 1, 0, t + s, old_message(mid, t + s, text, to_id, frm), out)
        for mid, uid, s, text, to_id, frm, out in said
    ]
    return _build(
        path,
        LEGACY_SCHEMA,
        {
            "messages": rows,
            "dialogs": [(ROBIN, t, 0, 2)],
            "users": [
                (ROBIN, "robin;;;", 0, user(ROBIN, "Robin", "", "", old=True)),
                (KAI, "kai lee;;;kai_l", 0, user(KAI, "Kai", "Lee", "kai_l", old=True)),
                (1000, "me;;;", 0, user(1000, "Me", "", "", me=True, old=True)),
            ],
            "chats": [(OLD_GROUP, "gaming", None)],
        },
    )
