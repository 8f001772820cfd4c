"""Snapchat chat_history.json, newer (keyed by conversation) and older (Saved Chat History)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import discord_json, meta_json, snapchat_json, telegram_json
from vigil.model import AttachmentStatus, Conversation, Message

PARSER = snapchat_json.PARSER
OWN = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "snapchat"
NEW, OLD = OWN / "chat_history.json", OWN / "chat_history_2019.json"


def parse(path: Path) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(path.read_bytes()), path.name, ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def test_newer_shape_one_to_one() -> None:
    dm = parse(NEW)[0]
    ms = msgs(dm)
    assert (dm.title, dm.source_id) == ("jo_example", "jo_example")
    assert [p.platform_id for p in dm.participants] == ["jo_example", "sam_example"]
    assert "account holder (IsSender): sam_example" in dm.notes
    assert "entries were not oldest first in the export; sorted by time" in dm.notes
    assert [m.source_location for m in ms] == [f"$.jo_example[{i}]" for i in (1, 0, 2, 3, 4)]
    # Created(microseconds) carries milliseconds here and refines Created
    assert ms[1].sent_at == datetime(2023, 1, 5, 18, 20, 11, 123000, tzinfo=UTC)
    assert ms[1].local_time_text == "2023-01-05 18:20:11 UTC"
    assert ms[1].tz_assumed == "offset in source"
    media, note = ms[2], ms[3]
    assert media.text == "[MEDIA]" and media.attachments[0].file_name == "b~abc123"
    assert media.attachments[0].status is AttachmentStatus.MISSING
    assert note.text == "[NOTE]" and note.attachments[0].status is AttachmentStatus.OMITTED
    assert ms[4].sent_at == datetime(2023, 1, 5, 18, 27, tzinfo=UTC)
    assert ms[4].time_note == "Created(microseconds) disagrees with Created; used Created"


def test_newer_shape_group_and_bad_entries() -> None:
    _dm, group, broken = parse(NEW)
    ms = msgs(group)
    assert group.title == "Homework Crew"
    assert group.source_id == "a1b2c3d4-0000-4000-8000-000000000001"
    assert [p.platform_id for p in group.participants] == ["jo_example", "pat_example"]
    assert ms[0].sent_at == datetime(2023, 2, 1, 9, 0, tzinfo=UTC)  # true microseconds
    assert ms[1].is_system and ms[1].text == "[STATUSPARTICIPANTREMOVED]"
    (skip,) = group.skipped
    assert skip.source_location == '$["a1b2c3d4-0000-4000-8000-000000000001"][2]'
    assert msgs(broken) == [] and broken.skipped[0].reason == "conversation is not a list"


def test_older_shape_groups_by_counterpart() -> None:
    jo, pat = parse(OLD)
    ms = msgs(jo)
    assert [m.text for m in ms] == ["[MEDIA]", "lorem ipsum", "dolor sit amet"]
    assert [m.sender for m in ms] == ["jo_example", "jo_example", "(account holder)"]
    assert ms[2].source_location == '$["Sent Saved Chat History"][0]'
    assert ms[0].sent_at == datetime(2019, 6, 1, 9, 0, tzinfo=UTC)
    holder = jo.participant("(account holder)")
    assert holder is not None and holder.display_name == "account holder (username not in export)"
    assert any("username is not in the file" in n for n in jo.notes)
    assert [m.text for m in msgs(pat)] == ["football at 5?"]
    assert pat.participant("(account holder)") is None


def test_sniff_both_shapes_and_decline_others() -> None:
    others = (telegram_json.PARSER, discord_json.PARSER, meta_json.PARSER)
    for path in (NEW, OLD):
        head = path.read_bytes()[:65536]
        mine = PARSER.sniff(head, path.name)
        assert mine.score >= 0.85, mine.reason
        assert all(p.sniff(head, path.name).score < mine.score for p in others)
    assert PARSER.sniff(b'{"messages": []}', "x.json").score == 0.0
    assert PARSER.sniff(b"PK\x03\x04", "x.zip").score == 0.0


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (NEW.read_bytes()[:200], r"chat_history.json, offset \d+, line \d+.*truncated JSON"),
        (b'{"a": \x00\x01\x02\xff', r"offset 9, line 1: undecodable byte 0xff"),
        (b'{"a": [1, 2,, 3]}', r"offset 12, line 1, column 13: invalid JSON"),
        (b'["not", "an", "object"]', "top level is not a JSON object"),
    ],
)
def test_unreadable_files(data: bytes, pattern: str) -> None:
    with pytest.raises(ParseError, match=pattern):
        list(PARSER.parse(io.BytesIO(data), "chat_history.json", ParseOptions()))


def test_parser_protocol() -> None:
    from vigil.ingest.base import Parser

    assert isinstance(PARSER, Parser) and PARSER.name == "snapchat_json"
