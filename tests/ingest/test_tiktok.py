"""TikTok data export: direct messages from user_data.json (both nestings) and the TXT form.

Fixtures are built here in the structure of TikTok's "Download your data" export as widely
documented by people reading their own exports: ``user_data.json`` with top-level sections
(``Activity``, ``Direct Messages`` or, since 2023, ``Direct Message`` > ``Direct Messages``,
``Profile``...), chats under ``Chat History`` > ``ChatHistory`` keyed ``Chat History with NAME:``,
records ``{"Date", "From", "Content"}`` newest first. The TXT form writes the same records as
``Date:`` / ``From:`` / ``Content:`` blocks. Content is synthetic and benign.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.tiktok import PARSER
from vigil.model import Conversation, Message

ROWS = [  # newest first, as the export lists them; across the change to BST (26 March 2023)
    {"Date": "2023-03-26 08:00:00", "From": "sam.carter", "Content": "keep this between us"},
    {"Date": "2023-03-26 01:10:00", "From": "alex.lee", "Content": "ok"},
    "not a record",
    {"Date": "2023-03-25 23:30:00", "From": "sam.carter", "Content": "how old are you?"},
]


def export(newer: bool = True) -> dict[str, Any]:
    chats = {
        "Chat History with alex.lee:": ROWS,
        "Chat History with chris_99:": [
            {"Date": "2023-01-05 18:00:00", "From": "chris_99", "Content": "gg"},
        ],
    }
    dms = {"Chat History": {"ChatHistory": chats}}
    return {
        "Activity": {"Video Browsing History": {"VideoList": []}, "Login History": {}},
        **({"Direct Message": {"Direct Messages": {"ChatHistory": chats}}} if newer else {}),
        **({} if newer else {"Direct Messages": dms}),
        "Profile": {"Profile Information": {"ProfileMap": {"userName": "sam.carter"}}},
    }


def parse(data: bytes, name: str, options: ParseOptions | None = None) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, options or ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


@pytest.mark.parametrize("newer", [True, False])
def test_json_counts_order_and_times(newer: bool) -> None:
    london = ParseOptions(tz=ZoneInfo("Europe/London"), tz_source="--tz")
    conv, other = parse(json.dumps(export(newer)).encode(), "user_data.json", london)
    ms = msgs(conv)
    assert (conv.platform, conv.title, conv.source_id) == ("tiktok", "alex.lee", "alex.lee")
    assert len(ms) == 3 and len(msgs(other)) == 1
    assert [p.platform_id for p in conv.participants] == ["alex.lee", "sam.carter"]
    assert [m.text for m in ms] == ["how old are you?", "ok", "keep this between us"]
    # UTC in the export; --tz does not move them, before or after the DST change
    assert [m.sent_at for m in ms] == [
        utc(2023, 3, 25, 23, 30),
        utc(2023, 3, 26, 1, 10),
        utc(2023, 3, 26, 8, 0),
    ]
    assert ms[0].tz_assumed == "UTC (TikTok export)"
    (bad,) = conv.skipped
    assert bad.source_location.endswith('["Chat History with alex.lee:"][2]')
    assert "export made by account sam.carter (Profile > ProfileMap > userName)" in conv.notes
    assert any("newest first" in n for n in conv.notes)


TXT = """Chat History with alex.lee:
Date: 2023-03-25 23:30:00
From: sam.carter
Content: are your parents home?

Date: 2023-03-26 01:10:00
From: alex.lee
Content: yes
they are downstairs

this line is damaged
Date: 2023-03-26 99:00:00
From: sam.carter
Content: ok

Chat History with chris_99:
Date: 2023-01-05 18:00:00
From: chris_99
Content: gg
"""


def test_txt_blocks_multiline_and_damaged_line() -> None:
    conv, other = parse(TXT.encode(), "Direct Messages.txt")
    ms = msgs(conv)
    assert len(ms) == 3 and len(msgs(other)) == 1
    assert [p.platform_id for p in conv.participants] == ["alex.lee", "sam.carter"]
    assert ms[1].text == "yes\nthey are downstairs"
    assert ms[1].sent_at == utc(2023, 3, 26, 1, 10)
    assert ms[2].sent_at is None and "unreadable Date" in (ms[2].time_note or "")
    (bad,) = conv.skipped
    assert (bad.source_location, bad.raw) == ("line 11", "this line is damaged")
    assert [m.source_location for m in ms] == ["line 2", "line 6", "line 12"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (json.dumps(export()).encode(), "user_data.json"),
        (json.dumps(export(newer=False)).encode(), "data.json"),
        (TXT.encode(), "Direct Messages.txt"),
    ],
)
def test_detection_picks_tiktok(data: bytes, name: str) -> None:
    choice = detect(data, name, vigil_parsers())
    assert choice.parser.name == "tiktok", choice.bids


def test_no_chats_and_bad_input() -> None:
    with pytest.raises(ParseError, match="ChatHistory"):
        parse(json.dumps({"Activity": {}}).encode(), "user_data.json")
    with pytest.raises(ParseError, match="Chat History with"):
        parse(b"Date: 2023-01-01 00:00:00\n", "x.txt")
    with pytest.raises(ParseError, match="truncated JSON"):
        parse(json.dumps(export()).encode()[:-20], "user_data.json")
