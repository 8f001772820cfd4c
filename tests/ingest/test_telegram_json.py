"""Telegram Desktop JSON: shared fixtures, synthetic edge cases and hostile input."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import discord_json, meta_json, snapchat_json, telegram_json
from vigil.model import AttachmentStatus, Conversation, Message

PARSER = telegram_json.PARSER
OWN = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "telegram"
OTHERS = (discord_json.PARSER, meta_json.PARSER, snapchat_json.PARSER)


def parse(
    data: bytes, name: str = "result.json", options: ParseOptions | None = None
) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, options or ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


# --- shared fixtures -----------------------------------------------------------------------


def test_chat_analytics_dm_counts_participants_and_range(shared_fixtures: Path) -> None:
    path = shared_fixtures / "chats/telegram/chat-analytics/DM_2A_7M.json"
    (conv,) = parse(path.read_bytes(), path.name)
    ms = msgs(conv)
    assert len(ms) == 8
    assert sum(not m.is_system for m in ms) == 6
    assert sum(m.is_system for m in ms) == 2
    assert [(p.platform_id, p.display_name) for p in conv.participants] == [
        ("user700000000", "Bob"),
        ("user300000000", "Alice"),
    ]
    assert conv.title == "Bob" and conv.source_id == "700000000"
    # the first three messages have only "date" (local), read in the default zone (UTC)
    assert ms[0].sent_at == utc(2019, 7, 5, 16, 55, 32) and ms[0].tz_assumed == "UTC"
    assert ms[-1].sent_at == utc(2023, 8, 11, 2, 11, 2) and ms[-1].tz_assumed == "UTC (epoch)"
    assert ms[1].text == "https://google.com 👀"
    assert ms[0].text == "joined_telegram" and ms[0].sender == "user700000000"
    assert "phone_call" in ms[-1].text and "duration_seconds=56" in ms[-1].text
    assert [a.status for a in ms[5].attachments] == [AttachmentStatus.OMITTED]
    assert [m.source_location for m in ms] == [f"$.messages[{i}]" for i in range(8)]
    (note,) = conv.notes
    assert "3 message(s) have no date_unixtime" in note and "UTC-03:00" in note


def test_chat_analytics_dm_local_dates_use_the_given_zone(shared_fixtures: Path) -> None:
    path = shared_fixtures / "chats/telegram/chat-analytics/DM_2A_7M.json"
    tz = ZoneInfo("America/Argentina/Buenos_Aires")
    (conv,) = parse(path.read_bytes(), path.name, ParseOptions(tz=tz, tz_source="--tz"))
    ms = msgs(conv)
    assert ms[0].sent_at == utc(2019, 7, 5, 19, 55, 32)
    assert ms[0].tz_assumed == "America/Argentina/Buenos_Aires"
    assert ms[0].local_time_text == "2019-07-05T16:55:32"
    assert ms[3].sent_at == utc(2022, 5, 9, 22, 23, 53)  # epoch times do not move
    assert "from --tz" in conv.notes[0]


@pytest.mark.parametrize(
    ("file", "location"),
    [
        ("test_single_export.json", "$.messages[1]"),
        ("test_batch_export.json", "$.chats.list[0].messages[1]"),
    ],
)
def test_chat_miner_exports(shared_fixtures: Path, file: str, location: str) -> None:
    path = shared_fixtures / "chats/telegram/chat-miner" / file
    (conv,) = parse(path.read_bytes(), file)
    ms = msgs(conv)
    assert len(ms) == 2 and not any(m.is_system for m in ms)
    assert [p.platform_id for p in conv.participants] == ["Author 1", "Author 2"]
    assert ms[0].sent_at == utc(2018, 12, 5, 10, 39, 10)
    assert ms[1].sent_at == utc(2018, 12, 5, 10, 49, 24)
    assert ms[1].text == "Link:https://telegram.org/"
    assert ms[1].source_location == location
    assert any("identified by display name" in n for n in conv.notes)


@pytest.mark.parametrize(
    "rel",
    [
        "chat-analytics/DM_2A_7M.json",
        "chat-miner/test_single_export.json",
        "chat-miner/test_batch_export.json",
    ],
)
def test_sniff_prefers_telegram_for_shared_files(shared_fixtures: Path, rel: str) -> None:
    path = shared_fixtures / "chats/telegram" / rel
    head = path.read_bytes()[:65536]
    mine = PARSER.sniff(head, path.name)
    assert mine.score >= 0.6, mine.reason
    assert all(p.sniff(head, path.name).score < mine.score for p in OTHERS)


# --- synthetic fixtures --------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_export() -> list[Conversation]:
    return parse((OWN / "full_export.json").read_bytes())


def test_full_export_yields_each_chat_and_left_chat(full_export: list[Conversation]) -> None:
    assert [c.title for c in full_export] == [
        "Jo Example",
        "Homework Group",
        None,
        "Old Chess Club",
    ]
    assert full_export[3].source_id == "4004"
    assert msgs(full_export[3])[0].source_location == "$.left_chats.list[0].messages[0]"
    bad = full_export[2]
    assert msgs(bad) == [] and bad.skipped[0].source_location == "$.chats.list[2]"
    assert all(
        "full export made by account user1001 (Sam Example, @sam_example)" in c.notes
        for c in full_export
    )


def test_entity_arrays_replies_edits_forwards(full_export: list[Conversation]) -> None:
    ms = {m.source_id: m for m in msgs(full_export[0])}
    assert (
        ms["2"].text
        == "yes, see my notes (https://example.org/notes) and page 4 https://example.org/p4"
    )
    assert ms["2"].reply_to == "1" and ms["2"].is_edited
    assert not ms["1"].is_edited
    assert ms["3"].forwarded_from == "Football Club News"
    assert ms["6"].is_system and ms["6"].text == "pin_message (message_id=3)"
    assert ms["7"].text == "[location 51.5, -0.12]"
    assert ms["8"].text == "[poll: Pizza topping? / Margherita / Veggie]"
    assert ms["9"].reactions == [("user1001", "👍"), ("2 user(s), names not in export", "👍")]
    assert ms["11"].sender == "user5005"
    assert full_export[0].participant("user5005") is not None


def test_media_fields_become_attachments(full_export: list[Conversation]) -> None:
    ms = {m.source_id: m for m in msgs(full_export[0])}
    (photo,) = ms["4"].attachments
    assert photo.status is AttachmentStatus.MISSING  # named, but the bytes are not in a bare JSON
    assert photo.source_path == "photos/photo_1@01-03-2023_19-03-00.jpg"
    assert photo.file_name == "photo_1@01-03-2023_19-03-00.jpg" and photo.size == 52341
    (doc,) = ms["5"].attachments
    assert doc.status is AttachmentStatus.OMITTED and doc.source_path is None
    assert (doc.file_name, doc.mime_type) == ("essay.pdf", "application/pdf")


def test_bad_message_is_skipped_not_dropped(full_export: list[Conversation]) -> None:
    conv = full_export[0]
    (skip,) = conv.skipped
    assert skip.source_location == "$.chats.list[0].messages[9]"
    assert "not a JSON object" in skip.reason
    assert len(msgs(conv)) == 10


def test_service_message_lists_members(full_export: list[Conversation]) -> None:
    first = msgs(full_export[1])[0]
    assert first.is_system and first.sender == "user1001"
    assert first.text == "create_group (title=Homework Group; members=Sam Example, Jo Example)"


def test_export_without_date_unixtime_uses_options_tz() -> None:
    options = ParseOptions(tz=ZoneInfo("Europe/London"), tz_source="--tz")
    (conv,) = parse((OWN / "no_unixtime.json").read_bytes(), "result.json", options)
    ms = msgs(conv)
    assert ms[0].text == "Lorem ipsum dolor!"
    assert ms[0].sent_at == utc(2021, 7, 1, 11, 0)  # BST
    assert ms[0].tz_assumed == "Europe/London" and ms[0].local_time_text == "2021-07-01T12:00:00"
    assert ms[1].sent_at == utc(2021, 10, 31, 0, 30)
    assert ms[1].time_note is not None and "ambiguous" in ms[1].time_note
    assert ms[2].time_note is not None and "does not exist" in ms[2].time_note
    assert ms[3].sent_at is None and ms[3].time_note == "unreadable date 'yesterday-ish'"
    assert ms[4].is_system
    assert conv.notes == [
        "4 message(s) have no date_unixtime; their 'date' was read as local time in "
        "Europe/London (time zone from --tz)"
    ]


# --- hostile input -------------------------------------------------------------------------


def test_truncated_json_reports_offset_and_line() -> None:
    data = (OWN / "full_export.json").read_bytes()[:700]
    with pytest.raises(ParseError) as err:
        parse(data)
    text = str(err.value)
    assert "truncated JSON" in text
    offset = int(text.split("offset ")[1].split(",")[0])
    assert 650 <= offset <= 700
    line = data[:offset].count(b"\n") + 1
    assert f"line {line}" in text


def test_binary_garbage_reports_undecodable_position() -> None:
    data = b'{\n "messages": [\n  "ok", \xff\xfe\x00garbage'
    with pytest.raises(ParseError) as err:
        parse(data, "result.json")
    assert "result.json" in str(err.value)
    assert "offset 25, line 3" in str(err.value) and "0xff" in str(err.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"name": "x"}', "no 'messages' list"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_unreadable_files_raise(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(data)


def test_sniff_declines_other_formats() -> None:
    assert PARSER.sniff(b"12/01/2020, 10:00 - Jo: hi", "chat.txt").score == 0.0
    assert PARSER.sniff(b'{"guild": {}, "channel": {}, "messages": []}', "x.json").score == 0.0
    discord = b'{"guild": {}, "channel": {}, "messages": [{"date_unixtime": "1"}]}'
    assert PARSER.sniff(discord, "x.json").score == 0.0


def test_parser_protocol() -> None:
    from vigil.ingest.base import Parser

    assert isinstance(PARSER, Parser) and PARSER.name == "telegram_json"


def test_sniff_full_export_head_before_chats() -> None:
    head = (
        b'{\n "about": "x",\n "personal_information": {\n  "user_id": 1001,\n  "first_name": "Sam"'
    )
    assert PARSER.sniff(head, "result.json").score == 0.75


def test_text_entities_used_when_text_is_absent() -> None:
    data = (
        b'{"messages": [{"id": 1, "type": "message", "date_unixtime": "0", "from": "A",'
        b' "text_entities": [{"type": "plain", "text": "lorem "},'
        b' {"type": "bold", "text": "ipsum"}]}]}'
    )
    (conv,) = parse(data)
    assert [m.text for m in msgs(conv)] == ["lorem ipsum"]
    assert msgs(conv)[0].sent_at == utc(1970, 1, 1)
