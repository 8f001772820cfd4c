"""Builders of small synthetic device databases for the device-database parser tests.

Each builder writes a SQLite file with ``CREATE TABLE`` statements written for these tests from
the apps' widely documented table definitions (the tables and columns forensic tools and
published write-ups describe for each app; unused columns trimmed to a representative set) and
fills it with synthetic, non-graphic content: grooming cues are phrased the way public
safeguarding guidance quotes them. No content comes from a real device.

Every database holds messages either side of the two Europe/London clock changes of 2023, so
the tests can check that stored UTC times are right across DST.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vigil.ingest.base import ParseOptions, Parser
from vigil.model import Conversation, Message

SPRING_GMT = datetime(2023, 3, 26, 0, 30, tzinfo=UTC)  # 00:30 GMT, before clocks go forward
SPRING_BST = datetime(2023, 3, 26, 1, 30, tzinfo=UTC)  # 02:30 BST, just after
AUTUMN_BST = datetime(2023, 10, 29, 0, 30, tzinfo=UTC)  # 01:30 BST, before clocks go back
AUTUMN_GMT = datetime(2023, 10, 29, 1, 30, tzinfo=UTC)  # 01:30 GMT: the same local hour again
DST_TIMES = (SPRING_GMT, SPRING_BST, AUTUMN_BST, AUTUMN_GMT)

APPLE = datetime(2001, 1, 1, tzinfo=UTC)
UNIX = datetime(1970, 1, 1, tzinfo=UTC)

LONG_TEXT = "are your parents home tonight? " * 8  # 248 characters: a two-byte typedstream length


def apple_ns(t: datetime) -> int:
    return int((t - APPLE).total_seconds()) * 1_000_000_000


def apple_s(t: datetime) -> float:
    return (t - APPLE).total_seconds()


def unix_ms(t: datetime) -> int:
    return int((t - UNIX).total_seconds() * 1000)


def typedstream(text: str) -> bytes:
    """An ``attributedBody`` archive holding ``text``, in the typedstream layout Apple's
    NSArchiver writes (header ``streamtyped``, class chain NSAttributedString/NSObject, the
    NSString's ``+`` C-string with a one-byte or ``0x81`` + two-byte length)."""
    raw = text.encode("utf-8")
    size = bytes([len(raw)]) if len(raw) < 0x80 else b"\x81" + len(raw).to_bytes(2, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
        + size
        + raw
        + b"\x86\x84\x02iI\x01\x05\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x00\x86\x86"
    )


def _build(path: Path, schema: str, rows: Mapping[str, Sequence[tuple[Any, ...]]]) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    for table, values in rows.items():
        if values:
            marks = ",".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    conn.commit()
    conn.close()
    return path


# --- iOS sms.db -----------------------------------------------------------------------------

IOS_SMS_SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL,
  country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, UNIQUE (id, service));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  text TEXT, handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, date_read INTEGER,
  is_from_me INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, attributedBody BLOB);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  style INTEGER, state INTEGER, chat_identifier TEXT, service_name TEXT, display_name TEXT);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
  PRIMARY KEY (chat_id, message_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  created_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT,
  transfer_name TEXT, total_bytes INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID)
  ON DELETE CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE,
  UNIQUE(message_id, attachment_id));
"""


def ios_sms_db(path: Path) -> Path:
    """sms.db: a one-to-one iMessage chat (6 messages: plain text, attributedBody-only text
    with one- and two-byte lengths, an unreadable attributedBody, a pre-iOS 11 time in seconds
    and one attachment), a named group chat with two handles (2 messages, 2 attachments) and
    one message in no chat."""
    h1, h2, h3 = "+447700900123", "sam@example.com", "+447700900456"
    msg = [
        (1, "M1", "hi, how old are you?", 1, "iMessage", apple_ns(SPRING_GMT), 0, 0, 0, None),
        (2, "M2", "why do you ask", 0, "iMessage", apple_ns(SPRING_BST), 0, 1, 0, None),
        (3, "M3", None, 1, "iMessage", apple_ns(AUTUMN_BST), 0, 0, 0,
         typedstream("keep this between us, ok?")),
        (4, "M4", None, 1, "iMessage", apple_ns(AUTUMN_GMT), 0, 0, 0, typedstream(LONG_TEXT)),
        (5, "M5", "ok", 0, "iMessage", apple_s(datetime(2016, 5, 1, 12, tzinfo=UTC)), 0, 1, 1,
         None),
        (6, "M6", None, 1, "iMessage", apple_ns(datetime(2023, 11, 1, 9, tzinfo=UTC)), 0, 0, 0,
         b"\x04\x0bstreamtyped garbage"),
        (7, "M7", "see you at school", 2, "iMessage",
         apple_ns(datetime(2023, 6, 1, 15, tzinfo=UTC)), 0, 0, 0, None),
        (8, "M8", "I'll send you a gift card", 3, "iMessage",
         apple_ns(datetime(2023, 6, 1, 15, 5, tzinfo=UTC)), 0, 0, 1, None),
        (9, "M9", "are you alone?", 3, "SMS", apple_ns(datetime(2023, 7, 1, 20, tzinfo=UTC)),
         0, 0, 0, None),
    ]  # fmt: skip
    return _build(
        path,
        IOS_SMS_SCHEMA,
        {
            "handle": [(1, h1, "gb", "iMessage", h1), (2, h2, "gb", "iMessage", h2),
                       (3, h3, "gb", "iMessage", h3)],
            "message": msg,
            "chat": [(1, "iMessage;-;+447700900123", 45, 3, h1, "iMessage", None),
                     (2, "iMessage;+;chat123456", 43, 3, "chat123456", "iMessage", "Study group")],
            "chat_handle_join": [(1, 1), (2, 2), (2, 3)],
            "chat_message_join": [(1, 1, 0), (1, 2, 0), (1, 3, 0), (1, 4, 0), (1, 5, 0),
                                  (1, 6, 0), (2, 7, 0), (2, 8, 0)],
            "attachment": [
                (1, "A1", 0, "~/Library/SMS/Attachments/ab/11/A1/IMG_0001.jpeg", "public.jpeg",
                 "image/jpeg", "IMG_0001.jpeg", 2048),
                (2, "A2", 0, "~/Library/SMS/Attachments/cd/12/A2/card.png", "public.png",
                 "image/png", None, 512),
                (3, "A3", 0, "~/Library/SMS/Attachments/ef/13/A3/note.txt", "public.text",
                 "text/plain", "note.txt", 10),
            ],
            "message_attachment_join": [(5, 1), (8, 2), (8, 3)],
        },
    )  # fmt: skip


# --- Android mmssms.db ----------------------------------------------------------------------

ANDROID_SCHEMA = """
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0,
  message_count INTEGER DEFAULT 0, recipient_ids TEXT, snippet TEXT, read INTEGER DEFAULT 1,
  type INTEGER DEFAULT 0, has_attachment INTEGER DEFAULT 0);
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER,
  date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0,
  status INTEGER DEFAULT -1, type INTEGER, subject TEXT, body TEXT, service_center TEXT,
  locked INTEGER DEFAULT 0, seen INTEGER DEFAULT 0);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER,
  date_sent INTEGER DEFAULT 0, msg_box INTEGER, read INTEGER DEFAULT 0, m_id TEXT, sub TEXT,
  sub_cs INTEGER, ct_t TEXT, m_type INTEGER, m_size INTEGER);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, seq INTEGER DEFAULT 0,
  ct TEXT, name TEXT, chset INTEGER, cd TEXT, fn TEXT, cid TEXT, cl TEXT, ctt_s INTEGER,
  ctt_t TEXT, _data TEXT, text TEXT);
CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, contact_id INTEGER, address TEXT,
  type INTEGER, charset INTEGER);
"""

MMS_TIME = datetime(2023, 3, 26, 1, 0, 30, tzinfo=UTC)  # between the two spring SMS


def android_mmssms(path: Path) -> Path:
    """mmssms.db: thread 1 with one contact (3 SMS received/sent, 1 draft, 1 received MMS with
    a SMIL part, a text part and a photo), thread 2 a group of two (1 sent MMS with text)."""
    a1, a2 = "+447700900123", "+447700900456"
    return _build(
        path,
        ANDROID_SCHEMA,
        {
            "canonical_addresses": [(1, a1), (2, a2)],
            "threads": [(1, 0, 5, "1", None, 1, 0, 1), (2, 0, 1, "1 2", None, 1, 0, 0)],
            "sms": [
                (1, 1, a1, None, unix_ms(SPRING_GMT), 0, 0, 1, -1, 1, None, "how old are you?", None, 0, 1),
                (2, 1, a1, None, unix_ms(SPRING_BST), 0, 0, 1, -1, 2, None, "why", None, 0, 1),
                (3, 1, a1, None, unix_ms(AUTUMN_BST), 0, 0, 1, -1, 1, None, "are your parents home?", None, 0, 1),
                (4, 1, a1, None, unix_ms(AUTUMN_GMT), 0, 0, 1, -1, 3, None, "not sent", None, 0, 1),
            ],
            "pdu": [
                (1, 1, int(MMS_TIME.timestamp()), 0, 1, 1, "mms-1", None, None, "application/vnd.wap.multipart.related", 132, 900),
                (2, 2, int(datetime(2023, 6, 2, 18, tzinfo=UTC).timestamp()), 0, 2, 1, "mms-2", "plans", 106, "application/vnd.wap.multipart.related", 128, 300),
            ],
            "part": [
                (1, 1, -1, "application/smil", "smil.xml", None, None, None, "<smil>", "smil.xml", None, None, None, "<smil/>"),
                (2, 1, 0, "text/plain", None, 106, None, None, None, "text_0.txt", None, None, None, "look at this"),
                (3, 1, 0, "image/jpeg", "IMG_1.jpg", None, None, None, None, "IMG_1.jpg", None, None, "/data/user_de/0/com.android.providers.telephony/app_parts/PART_1", None),
                (4, 2, 0, "text/plain", None, 106, None, None, None, "text_0.txt", None, None, None, "can we meet at the station?"),
            ],
            "addr": [
                (1, 1, None, a1, 137, 106), (2, 1, None, "insert-address-token", 151, 106),
                (3, 2, None, "insert-address-token", 137, 106), (4, 2, None, a1, 151, 106),
                (5, 2, None, a2, 151, 106),
            ],
        },
    )  # fmt: skip


# --- WhatsApp Android msgstore.db -------------------------------------------------------------

MSGSTORE_SCHEMA = """
CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT NOT NULL,
  agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE,
  hidden INTEGER, subject TEXT, created_timestamp INTEGER, archived INTEGER);
CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
  from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
  broadcast INTEGER, recipient_count INTEGER, origin INTEGER, timestamp INTEGER,
  received_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred INTEGER,
  sort_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
  transferred INTEGER, file_path TEXT, file_size INTEGER, width INTEGER, height INTEGER,
  mime_type TEXT, file_length INTEGER, media_name TEXT, file_hash TEXT, media_caption TEXT);
CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL, rank INTEGER,
  pending INTEGER);
"""

J1, J2, GROUP = "447700900123@s.whatsapp.net", "447700900456@s.whatsapp.net", "120363000001@g.us"


def msgstore(path: Path) -> Path:
    """msgstore.db (2021+ schema): a private chat (4 messages: DST times, an image with a
    caption, one deleted for everyone), a group of two (a system message and 2 more) and one
    message whose chat is not in the chat table."""
    t = datetime(2023, 6, 3, 17, tzinfo=UTC)
    return _build(
        path,
        MSGSTORE_SCHEMA,
        {
            "jid": [(1, "447700900123", "s.whatsapp.net", 0, 0, 0, J1),
                    (2, "447700900456", "s.whatsapp.net", 0, 0, 0, J2),
                    (3, "120363000001", "g.us", 0, 0, 1, GROUP)],
            "chat": [(1, 1, 0, None, 0, 0), (2, 3, 0, "Year 9 gaming", 0, 0)],
            "message": [
                (1, 1, 0, "K1", 0, 0, 0, 0, 0, unix_ms(SPRING_GMT), 0, 0, "what school do you go to?", 0, 1),
                (2, 1, 1, "K2", 0, 13, 0, 0, 0, unix_ms(SPRING_BST), 0, 0, "why", 0, 2),
                (3, 1, 0, "K3", 0, 0, 0, 0, 0, unix_ms(AUTUMN_BST), 0, 1, None, 0, 3),
                (4, 1, 0, "K4", 0, 0, 0, 0, 0, unix_ms(AUTUMN_GMT), 0, 15, None, 0, 4),
                (5, 2, 0, "K5", 1, 0, 0, 0, 0, unix_ms(t), 0, 7, None, 0, 5),
                (6, 2, 0, "K6", 1, 0, 0, 0, 0, unix_ms(t) + 60_000, 0, 0, "add me on the other app", 0, 6),
                (7, 2, 1, "K7", 0, 13, 0, 0, 0, unix_ms(t) + 120_000, 0, 0, "no", 0, 7),
                (8, 99, 0, "K8", 2, 0, 0, 0, 0, unix_ms(t) + 180_000, 0, 0, "hello?", 0, 8),
            ],
            "message_media": [(3, 1, 1, "Media/WhatsApp Images/IMG-20231029-WA0001.jpg", 4096,
                               640, 480, "image/jpeg", 4096, None, "h", "a gift for you")],
            "group_participant_user": [(1, 3, 1, 0, 0), (2, 3, 2, 0, 0)],
        },
    )  # fmt: skip


LEGACY_SCHEMA = """
CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
  key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data TEXT,
  timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT,
  media_size INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT,
  remote_resource TEXT, received_timestamp INTEGER);
CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
  message_table_id INTEGER, subject TEXT, creation INTEGER);
CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL,
  jid TEXT NOT NULL, admin INTEGER, pending INTEGER);
"""


def msgstore_legacy(path: Path) -> Path:
    """msgstore.db (before 2021): WhatsApp's -1 placeholder row, a private chat (4 messages
    across DST, one a photo) and a group of two (2 messages)."""
    t = unix_ms(datetime(2019, 6, 3, 17, tzinfo=UTC))
    row = (None, None, None, None, None, None, None)
    return _build(
        path,
        LEGACY_SCHEMA,
        {
            "messages": [
                (1, "-1", 0, "-1", -1, 0, None, 0, None, None, "0", 0, *row[:5]),
                (2, J1, 0, "L2", 0, 0, "how old are you?", unix_ms(SPRING_GMT), None, None, "0", 0, *row[:5]),
                (3, J1, 1, "L3", 13, 0, "why", unix_ms(SPRING_BST), None, None, "0", 0, *row[:5]),
                (4, J1, 0, "L4", 0, 0, None, unix_ms(AUTUMN_BST), "https://mmg.invalid/x", "image/jpeg", "1", 2048, "IMG-1.jpg", "gift", None, None, 0),
                (5, J1, 0, "L5", 0, 0, "don't tell anyone", unix_ms(AUTUMN_GMT), None, None, "0", 0, *row[:5]),
                (6, GROUP, 0, "L6", 0, 0, "who else uses your phone?", t, None, None, "0", 0, None, None, None, J2, 0),
                (7, GROUP, 1, "L7", 13, 0, "my mum", t + 1000, None, None, "0", 0, *row[:5]),
            ],
            "chat_list": [(1, J1, 5, None, 0), (2, GROUP, 7, "Year 9 gaming", 0)],
            "group_participants": [(1, GROUP, "", 1, 0), (2, GROUP, J1, 0, 0), (3, GROUP, J2, 0, 0)],
        },
    )  # fmt: skip


# --- WhatsApp iOS ChatStorage.sqlite ----------------------------------------------------------

CHATSTORAGE_SCHEMA = """
CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZARCHIVED INTEGER, ZMESSAGECOUNTER INTEGER, ZSESSIONTYPE INTEGER, ZUNREADCOUNT INTEGER,
  ZGROUPINFO INTEGER, ZLASTMESSAGE INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR,
  ZLASTMESSAGETEXT VARCHAR, ZPARTNERNAME VARCHAR);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER,
  ZSORT INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER,
  ZMEDIAITEM INTEGER, ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP,
  ZFROMJID VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);
CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZISACTIVE INTEGER, ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR,
  ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR);
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFILESIZE INTEGER, ZMOVIEDURATION INTEGER, ZMESSAGE INTEGER, ZLATITUDE FLOAT,
  ZLONGITUDE FLOAT, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTHUMBNAILLOCALPATH VARCHAR,
  ZTITLE VARCHAR);
"""


def chatstorage(path: Path) -> Path:
    """ChatStorage.sqlite: a private chat (4 messages across DST, one a photo) and a group of
    two members (a group event and 2 messages, one by each member)."""
    t = apple_s(datetime(2023, 6, 4, 19, tzinfo=UTC))
    z = (None,) * 4
    return _build(
        path,
        CHATSTORAGE_SCHEMA,
        {
            "ZWACHATSESSION": [(1, 4, 1, 0, 4, 0, 0, None, 4, None, J1, None, "Alex"),
                               (2, 4, 1, 0, 3, 1, 0, 1, 7, None, GROUP, None, "Year 9 gaming")],
            "ZWAMESSAGE": [
                (1, 9, 1, 0, 0, 0, 0, 1, 0, 1, None, None, None, apple_s(SPRING_GMT), None, J1, None, "S1", "how old are you?", None),
                (2, 9, 1, 0, 1, 0, 0, 2, 0, 1, None, None, None, apple_s(SPRING_BST), None, None, None, "S2", "why", J1),
                (3, 9, 1, 0, 0, 0, 1, 3, 0, 1, None, 1, None, apple_s(AUTUMN_BST), None, J1, None, "S3", None, None),
                (4, 9, 1, 0, 0, 0, 0, 4, 0, 1, None, None, None, apple_s(AUTUMN_GMT) + 0.25, None, J1, None, "S4", "delete our chats", None),
                (5, 9, 1, 1, 0, 0, 6, 5, 0, 2, 1, None, None, t, None, GROUP, None, "S5", None, None),
                (6, 9, 1, 0, 0, 0, 0, 6, 0, 2, 1, None, None, t + 60, None, GROUP, None, "S6", "when are you alone?", None),
                (7, 9, 1, 0, 0, 0, 0, 7, 0, 2, 2, None, None, t + 120, None, GROUP, None, "S7", "stop it", None),
            ],
            "ZWAGROUPMEMBER": [(1, 6, 1, 1, 0, 2, "Alex", "Alex", J1), (2, 6, 1, 1, 0, 2, "Sam", "Sam", J2)],
            "ZWAMEDIAITEM": [(1, 7, 1, 2048, None, 3, None, None, "Media/447700900123@s.whatsapp.net/a/b/photo.jpg", *z[:3])],
        },
    )  # fmt: skip


# --- helpers shared by the tests ----------------------------------------------------------------


def parse_all(parser: Parser, path: Path, options: ParseOptions | None = None) -> list[Parsed]:
    """Every conversation of ``path`` with its messages read, in order."""
    out: list[Parsed] = []
    with path.open("rb") as fh:
        for conv in parser.parse(fh, path.name, options or ParseOptions()):
            out.append(Parsed(conv, list(conv.messages)))
    return out


@dataclass
class Parsed:
    conv: Conversation
    messages: list[Message]

    @property
    def attachments(self) -> int:
        return sum(len(m.attachments) for m in self.messages)

    def ids(self) -> list[str]:
        return [p.platform_id for p in self.conv.participants]


_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size=1")
conn.execute("BEGIN EXCLUSIVE")
for i in range(500):
    conn.execute(sys.argv[2], (i, b"x" * 400))
print("locked", flush=True)
sys.stdin.readline()
"""


@contextmanager
def write_locked(path: Path, insert: str) -> Iterator[int]:
    """Another process writing ``path``: it holds SQLite's write lock in the middle of a
    transaction (``insert``, with two parameters, run 500 times, so that pages reach the file and
    the journal) while the block runs, and yields its process id. It is then killed mid-write,
    so its rollback journal stays behind, hot, as a crashed app's would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), insert],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()
