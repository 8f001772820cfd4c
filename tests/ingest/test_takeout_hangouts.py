"""Google Takeout Hangouts.json: both layouts, segments, events, times across DST.

Fixtures are built here in the structure of Takeout's ``Hangouts/Hangouts.json`` as widely
documented by the tools people wrote to read it: ``conversations`` entries with ``conversation``
(``conversation_id.id``, ``conversation.participant_data[{id.gaia_id, fallback_name}]``) and
``events`` (``sender_id.gaia_id``, ``timestamp`` in microseconds, ``event_type``,
``chat_message.message_content.segment`` / ``attachment``); the older ``conversation_state``
layout with ``conversation_state.conversation`` and ``.event``. Content is synthetic and benign.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.hangouts_json import PARSER
from vigil.model import AttachmentStatus, Conversation, Message

T0 = 1_679_787_000  # 2023-03-25 23:30:00 UTC; Europe/London moves to BST at 01:00 UTC next day
PEOPLE = [
    {"id": {"gaia_id": "101", "chat_id": "101"}, "fallback_name": "Sam Carter"},
    {"id": {"gaia_id": "202", "chat_id": "202"}, "fallback_name": "Alex Lee"},
]


def event(who: str, seconds: int, segments: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "conversation_id": {"id": "UgxAAAA"},
        "sender_id": {"gaia_id": who, "chat_id": who},
        "timestamp": str((T0 + seconds) * 1_000_000),
        "event_id": f"ev{seconds}",
        "event_type": "REGULAR_CHAT_MESSAGE",
        "chat_message": {"message_content": {"segment": segments, **extra}},
    }


EVENTS = [
    event("101", 0, [{"type": "TEXT", "text": "are you home alone?"}]),
    event(
        "202",
        6000,
        [
            {"type": "TEXT", "text": "no"},
            {"type": "LINE_BREAK", "text": "\n"},
            {"type": "TEXT", "text": "mum is here"},
        ],
    ),
    "damaged",
    event(
        "101",
        30_600,
        [],
        attachment=[{"embed_item": {"plus_photo": {"url": "https://example.com/p.jpg"}}}],
    ),
    {
        "sender_id": {"gaia_id": "101"},
        "timestamp": str((T0 + 30_700) * 1_000_000),
        "event_type": "HANGOUT_EVENT",
    },
]


def newer() -> dict[str, Any]:
    inner = {"id": {"id": "UgxAAAA"}, "participant_data": PEOPLE}
    conv = {"conversation_id": {"id": "UgxAAAA"}, "conversation": inner}
    return {"conversations": [{"conversation": conv, "events": EVENTS}]}


def older() -> dict[str, Any]:
    meta = {"id": {"id": "UgxAAAA"}, "participant_data": PEOPLE, "name": "Match chat"}
    state = {"conversation_id": {"id": "UgxAAAA"}, "conversation": meta, "event": EVENTS}
    return {"conversation_state": [{"conversation_state": state}]}


def parse(data: dict[str, Any]) -> list[Conversation]:
    raw = json.dumps(data).encode()
    return list(PARSER.parse(io.BytesIO(raw), "Hangouts.json", ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


@pytest.mark.parametrize("layout", [newer, older])
def test_counts_text_times_and_media(layout: Any) -> None:
    (conv,) = parse(layout())
    ms = msgs(conv)
    assert conv.source_id == "UgxAAAA" and len(ms) == 4
    assert [(p.platform_id, p.display_name) for p in conv.participants] == [
        ("101", "Sam Carter"),
        ("202", "Alex Lee"),
    ]
    assert [m.sender for m in ms] == ["101", "202", "101", "101"]
    assert ms[1].text == "no\nmum is here"
    # epoch microseconds: exact on both sides of the GMT/BST change
    assert ms[0].sent_at == datetime(2023, 3, 25, 23, 30, tzinfo=UTC)
    assert ms[1].sent_at == datetime(2023, 3, 26, 1, 10, tzinfo=UTC)
    assert ms[2].sent_at == datetime(2023, 3, 26, 8, 0, tzinfo=UTC)
    (att,) = ms[2].attachments
    assert (att.status, att.source_path) == (AttachmentStatus.OMITTED, "https://example.com/p.jpg")
    assert ms[3].is_system and ms[3].text == "[HANGOUT_EVENT]"
    (bad,) = conv.skipped
    assert bad.source_location.endswith("[2]") and "not a JSON object" in bad.reason


def test_titles() -> None:
    assert parse(newer())[0].title == "Sam Carter, Alex Lee"
    assert parse(older())[0].title == "Match chat"


@pytest.mark.parametrize("layout", [newer, older])
def test_detection_picks_hangouts(layout: Any) -> None:
    choice = detect(json.dumps(layout()).encode(), "Hangouts.json", vigil_parsers())
    assert choice.parser.name == "hangouts_json", choice.bids


def test_not_hangouts() -> None:
    with pytest.raises(ParseError, match="no 'conversations'"):
        parse({"something": []})
