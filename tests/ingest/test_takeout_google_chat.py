"""Google Takeout Google Chat: messages.json per group folder, zone text, attachments.

Fixtures are built here in the structure Google Takeout writes for Google Chat, as documented
on Google's Takeout help pages and widely described: ``Takeout/Google Chat/Groups/<DM or Space
id>/messages.json`` (``{"messages": [{creator {name, email, user_type}, created_date, text,
topic_id, message_id, attached_files [{original_name, export_name}]}]}``), ``group_info.json``
(``name``, ``members``) and the attached files beside them. Content is synthetic and benign.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.ingest.html_telegram_fixture import zipped

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.google_chat import PARSER
from vigil.model import AttachmentStatus, Conversation, Message

SAM = {"name": "Sam Carter", "email": "sam@example.com", "user_type": "Human"}
ALEX = {"name": "Alex Lee", "email": "alex@example.org", "user_type": "Human"}
DM = "Takeout/Google Chat/Groups/DM 4ht3SAAAAAE/"
LONDON = ParseOptions(tz=ZoneInfo("Europe/London"), tz_source="--tz")


def message(who: dict[str, str], when: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "creator": who,
        "created_date": when,
        "text": text,
        "topic_id": "t1",
        "message_id": f"4ht3SAAAAAE/t1/{len(when)}{len(text)}",
        **extra,
    }


MESSAGES = {
    "messages": [
        message(SAM, "Saturday, March 25, 2023 at 11:30:00\u202fPM UTC", "which year are you in?"),
        message(ALEX, "Sunday, March 26, 2023 at 2:10:00 AM BST", "year 8"),
        42,
        message(
            SAM,
            "Sunday, 26 March 2023 at 09:00:00 GMT+01:00",
            "",
            attached_files=[{"original_name": "cat.jpg", "export_name": "File-cat.jpg"}],
        ),
        message(SAM, "Sunday, March 26, 2023 at 9:05:00 AM PST", "zone not used in London"),
    ]
}


def parse(data: bytes, name: str, options: ParseOptions = LONDON) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, options))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def takeout() -> bytes:
    return zipped(
        {
            DM + "messages.json": json.dumps(MESSAGES).encode(),
            DM + "group_info.json": json.dumps({"members": [SAM, ALEX]}).encode(),
            DM + "File-cat.jpg": b"\xff\xd8\xff\xe0benign",
            "Takeout/Google Chat/Groups/Space AAAA/messages.json": b'{"messages": [',
            "Takeout/Google Chat/Users/User 1/user_info.json": b"{}",
        }
    )


def test_takeout_zip_counts_times_and_attachment() -> None:
    conv, broken = parse(takeout(), "takeout-20230327T000000Z-001.zip")
    ms = msgs(conv)
    assert (conv.platform, conv.source_id, conv.title) == (
        "google_chat",
        "DM 4ht3SAAAAAE",
        "Sam Carter, Alex Lee",
    )
    assert len(ms) == 4
    assert [(p.platform_id, p.display_name) for p in conv.participants] == [
        ("sam@example.com", "Sam Carter"),
        ("alex@example.org", "Alex Lee"),
    ]
    assert [m.sender for m in ms] == ["sam@example.com", "alex@example.org"] + [
        "sam@example.com"
    ] * 2
    # UTC, a BST abbreviation read in Europe/London, a GMT offset, a zone London never uses
    assert [m.sent_at for m in ms] == [
        utc(2023, 3, 25, 23, 30),
        utc(2023, 3, 26, 1, 10),
        utc(2023, 3, 26, 8, 0),
        None,
    ]
    assert ms[1].tz_assumed == "Europe/London (BST)" and ms[0].tz_assumed == "offset in source"
    assert "PST" in (ms[3].time_note or "")
    (att,) = ms[2].attachments
    assert (att.status, att.file_name, att.source_path) == (
        AttachmentStatus.PRESENT,
        "cat.jpg",
        DM + "File-cat.jpg",
    )
    (bad,) = conv.skipped
    assert bad.source_location == "$.messages[2]"
    assert not msgs(broken)
    assert broken.skipped[0].source_location.endswith("Space AAAA/messages.json")
    assert "truncated JSON" in broken.skipped[0].reason


def test_bare_messages_json_and_time_read_in_gmt_before_the_change() -> None:
    data = {"messages": [message(SAM, "Saturday, March 25, 2023 at 11:30:00 PM GMT", "hi")]}
    data["messages"][0]["attached_files"] = [
        {"original_name": "a.png", "export_name": "File-a.png"}
    ]
    (conv,) = parse(json.dumps(data).encode(), "messages.json")
    (m,) = msgs(conv)
    assert m.sent_at == utc(2023, 3, 25, 23, 30)
    assert [a.status for a in m.attachments] == [AttachmentStatus.MISSING]
    assert any("held only when" in n for n in conv.notes)


@pytest.mark.parametrize(
    ("data", "name"),
    [(takeout(), "takeout.zip"), (json.dumps(MESSAGES).encode(), "messages.json")],
)
def test_detection_picks_google_chat(data: bytes, name: str) -> None:
    choice = detect(data[: 64 * 1024], name, vigil_parsers())
    assert choice.parser.name == "google_chat", choice.bids


def test_zip_without_google_chat() -> None:
    with pytest.raises(ParseError, match="no Google Chat"):
        parse(zipped({"Takeout/Mail/x.mbox": b""}), "takeout.zip")


def test_sniff_takeout_zip_named_but_chat_not_in_the_head() -> None:
    data = zipped({"Takeout/Mail/All mail.mbox": b"From x\n"})
    assert PARSER.sniff(data[:65536], "takeout-20230327T000000Z-001.zip").score == 0.35
    assert PARSER.sniff(data[:65536], "other.zip").score == 0.0


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("Sunday, March 12, 2023 at 1:30:00 AM EST", utc(2023, 3, 12, 6, 30)),
        ("Sunday, March 12, 2023 at 3:30:00 AM EDT", utc(2023, 3, 12, 7, 30)),
        ("Sunday, November 5, 2023 at 1:30:00 AM EDT", utc(2023, 11, 5, 5, 30)),
        ("Sunday, November 5, 2023 at 1:30:00 AM EST", utc(2023, 11, 5, 6, 30)),
        ("Sunday, March 12, 2023 at 3:30:00 AM GMT-04:00", utc(2023, 3, 12, 7, 30)),
    ],
)
def test_new_york_abbreviations_across_both_changes(when: str, expected: datetime) -> None:
    data = {"messages": [message(SAM, when, "hi")]}
    options = ParseOptions(tz=ZoneInfo("America/New_York"), tz_source="case default")
    (conv,) = parse(json.dumps(data).encode(), "messages.json", options)
    (m,) = msgs(conv)
    assert m.sent_at == expected, m.time_note
