"""Builders of small synthetic app databases: Kik for iOS ``kik.sqlite`` and Snapchat for
Android ``arroyo.db``.

The ``CREATE TABLE`` statements are written for these tests from the tables and columns that
published forensic write-ups of each app describe (Core Data ``Z``-prefixed tables for Kik;
``conversation_message``, ``user_conversation`` and ``required_values`` for arroyo), trimmed to a
representative set of columns. Snapchat's ``message_content`` blobs are built in protobuf wire
format with the text at the field path the write-ups give (4 → 4 → 2 → 1), next to other
fields a reader must skip. Content is synthetic and non-graphic; grooming cues are phrased the
way public safeguarding guidance quotes them. Times fall either side of the Europe/London clock
changes of 2023 (``device_fixtures.DST_TIMES``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.ingest.device_fixtures import (
    AUTUMN_BST,
    AUTUMN_GMT,
    SPRING_BST,
    SPRING_GMT,
    _build,
    apple_s,
    unix_ms,
)

from vigil.ingest.formats._protobuf import encode_field

# --- Kik kik.sqlite (iOS) ------------------------------------------------------------------------

KIK_SCHEMA = """
CREATE TABLE ZKIKUSER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS INTEGER,
  ZDISPLAYNAME VARCHAR, ZEMAIL VARCHAR, ZJID VARCHAR, ZUSERNAME VARCHAR, ZPPURL VARCHAR);
CREATE TABLE ZKIKCHAT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS INTEGER,
  ZLASTMESSAGE INTEGER, ZUSER INTEGER, ZDATEUPDATED TIMESTAMP);
CREATE TABLE ZKIKMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFLAGS INTEGER, ZSTATE INTEGER, ZSYSTEMSTATE INTEGER, ZTYPE INTEGER, ZCHAT INTEGER,
  ZUSER INTEGER, ZRECEIVEDTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBODY VARCHAR,
  ZSTANZAID VARCHAR);
CREATE TABLE ZKIKATTACHMENT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZFLAGS INTEGER, ZTYPE INTEGER, ZMESSAGE INTEGER, ZCONTENT VARCHAR);
"""

ALEX_JID = "alex_k1_x7a@talk.kik.com"
GROUP_JID = "1100000001_g@groups.kik.com"
KIK_GROUP_TIME = datetime(2023, 6, 5, 18, tzinfo=UTC)


def kik_sqlite(path: Path) -> Path:
    """kik.sqlite: a one-to-one chat with Alex (5 messages: four across DST, one sent with a
    photo, one of an undocumented ZTYPE, one with only a received time) and a group chat (a
    status message, two members' messages and one sent)."""
    t = apple_s(KIK_GROUP_TIME)
    return _build(
        path,
        KIK_SCHEMA,
        {
            "ZKIKUSER": [
                (1, 5, 1, 0, "Alex", None, ALEX_JID, "alex_k1", None),
                (2, 5, 1, 0, "Year 9 chat", None, GROUP_JID, None, None),
                (3, 5, 1, 0, "Sam", None, "sam_k2_p0q@talk.kik.com", "sam_k2", None),
                (4, 5, 1, 0, None, None, None, "chris_k3", None),
            ],
            "ZKIKCHAT": [(1, 2, 1, 0, 5, 1, None), (2, 2, 1, 0, 9, 2, None)],
            "ZKIKMESSAGE": [
                (1, 3, 1, 0, 0, 0, 1, 1, 1, None, apple_s(SPRING_GMT), "how old are you?", "k-1"),
                (2, 3, 1, 0, 0, 0, 2, 1, 1, None, apple_s(SPRING_BST), "why", "k-2"),
                (3, 3, 1, 0, 0, 0, 1, 1, 1, None, apple_s(AUTUMN_BST), "keep this between us", "k-3"),
                (4, 3, 1, 0, 0, 0, 2, 1, 1, None, apple_s(AUTUMN_GMT), None, "k-4"),
                (5, 3, 1, 0, 0, 0, 9, 1, 1, apple_s(AUTUMN_GMT) + 600, None, "are your parents home?", "k-5"),
                (6, 3, 1, 0, 0, 0, 3, 2, 3, None, t, "Sam joined the group", None),
                (7, 3, 1, 0, 0, 0, 4, 2, 3, None, t + 60, "who else uses your phone?", "k-7"),
                (8, 3, 1, 0, 0, 0, 4, 2, 4, None, t + 120, "my brother", "k-8"),
                (9, 3, 1, 0, 0, 0, 2, 2, 2, None, t + 180, "hi all", "k-9"),
            ],
            "ZKIKATTACHMENT": [(1, 4, 1, 0, 1, 4, "3f2a1c9e-0000-4000-8000-000000000001")],
        },
    )  # fmt: skip


# --- Snapchat arroyo.db (Android) ---------------------------------------------------------------

ARROYO_SCHEMA = """
CREATE TABLE conversation_message (client_conversation_id TEXT NOT NULL,
  client_message_id INTEGER NOT NULL, server_message_id INTEGER, content_type INTEGER NOT NULL,
  message_content BLOB, message_state_type TEXT, creation_timestamp INTEGER NOT NULL,
  read_timestamp INTEGER NOT NULL DEFAULT 0, hidden_from_conversation INTEGER DEFAULT 0,
  sender_id TEXT, PRIMARY KEY (client_conversation_id, client_message_id));
CREATE TABLE user_conversation (client_conversation_id TEXT NOT NULL, user_id TEXT NOT NULL,
  conversation_type INTEGER, PRIMARY KEY (client_conversation_id, user_id));
CREATE TABLE required_values (key TEXT PRIMARY KEY, value TEXT);
"""

OWNER_ID = "0f0e0d0c-0000-4000-8000-00000000000a"
FRIEND = "1a1b1c1d-0000-4000-8000-00000000000b"
MEMBER = "2a2b2c2d-0000-4000-8000-00000000000c"
ONE_TO_ONE = "c0000000-0000-4000-8000-000000000001"
GROUP = "c0000000-0000-4000-8000-000000000002"
SNAP_GROUP_TIME = datetime(2023, 6, 6, 20, tzinfo=UTC)


def snap_text(text: str) -> bytes:
    """A ``message_content`` blob holding ``text`` at field path 4 → 4 → 2 → 1, after a varint
    and a bytes field the reader must skip."""
    inner = encode_field(1, text)
    return (
        encode_field(2, 1)
        + encode_field(3, b"\x01\x02")
        + encode_field(4, encode_field(1, 7) + encode_field(4, encode_field(2, inner)))
    )


def snap_media() -> bytes:
    """A media message's blob: no text at the text path."""
    return encode_field(2, 2) + encode_field(4, encode_field(5, encode_field(1, b"media-key")))


def arroyo_db(path: Path) -> Path:
    """arroyo.db: a one-to-one conversation (6 messages: four texts across DST, a media message
    without text and a damaged blob) and a group of two friends and the owner (2 texts)."""
    t = unix_ms(SNAP_GROUP_TIME)
    return _build(
        path,
        ARROYO_SCHEMA,
        {
            "conversation_message": [
                (ONE_TO_ONE, 1, 101, 1, snap_text("what school do you go to?"), "COMMITTED", unix_ms(SPRING_GMT), 0, 0, FRIEND),
                (ONE_TO_ONE, 2, 102, 1, snap_text("why"), "COMMITTED", unix_ms(SPRING_BST), 0, 0, OWNER_ID),
                (ONE_TO_ONE, 3, 103, 1, snap_text("add me on the other app"), "COMMITTED", unix_ms(AUTUMN_BST), 0, 0, FRIEND),
                (ONE_TO_ONE, 4, 104, 1, snap_text("ok 👍"), "COMMITTED", unix_ms(AUTUMN_GMT), 0, 0, OWNER_ID),
                (ONE_TO_ONE, 5, 105, 2, snap_media(), "COMMITTED", unix_ms(AUTUMN_GMT) + 60_000, 0, 0, FRIEND),
                (ONE_TO_ONE, 6, None, 1, b"\x22\xff\x01", "COMMITTED", unix_ms(AUTUMN_GMT) + 120_000, 0, 0, FRIEND),
                (GROUP, 1, 201, 1, snap_text("when are you alone?"), "COMMITTED", t, 0, 0, MEMBER),
                (GROUP, 2, 202, 1, snap_text("never"), "COMMITTED", t + 1000, 0, 0, OWNER_ID),
            ],
            "user_conversation": [
                (ONE_TO_ONE, OWNER_ID, 0), (ONE_TO_ONE, FRIEND, 0),
                (GROUP, OWNER_ID, 1), (GROUP, FRIEND, 1), (GROUP, MEMBER, 1),
            ],
            "required_values": [("USERID", OWNER_ID)],
        },
    )  # fmt: skip
