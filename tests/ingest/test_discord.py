"""DiscordChatExporter JSON and CSV: shared fixtures, synthetic edge cases, hostile input."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import discord_csv, discord_json, meta_json, snapchat_json, telegram_json
from vigil.model import AttachmentStatus, Conversation, Message

JSON, CSV = discord_json.PARSER, discord_csv.PARSER
OWN = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "discord"
MATHS = OWN / "Homework Helpers - maths [900000000000000002].json"
FOOTBALL = OWN / "Homework Helpers - football [900000000000000003].csv"


def parse_json(path: Path) -> Conversation:
    (conv,) = JSON.parse(io.BytesIO(path.read_bytes()), path.name, ParseOptions())
    return conv


def parse_csv(data: bytes, name: str, options: ParseOptions | None = None) -> Conversation:
    (conv,) = CSV.parse(io.BytesIO(data), name, options or ParseOptions())
    return conv


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


# --- shared fixtures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "count", "system", "people", "first", "last"),
    [
        (
            "DM_2A_2M.json", 3, 1, 2,
            datetime(2019, 1, 4, 17, 52, 39, 762000, tzinfo=UTC),
            datetime(2020, 7, 17, 17, 3, 14, 366000, tzinfo=UTC),
        ),
        (
            "GC_3A_5M.json", 6, 3, 3,
            datetime(2023, 1, 17, 19, 33, 7, 489000, tzinfo=UTC),
            datetime(2023, 3, 3, 14, 47, 59, 187000, tzinfo=UTC),
        ),
        (
            "SV_5A_5M.json", 4, 0, 2,
            datetime(2018, 5, 20, 16, 9, 44, 209000, tzinfo=UTC),
            datetime(2018, 5, 20, 16, 9, 51, 118000, tzinfo=UTC),
        ),
    ],
)  # fmt: skip
def test_shared_fixture_counts(
    shared_fixtures: Path,
    file: str,
    count: int,
    system: int,
    people: int,
    first: datetime,
    last: datetime,
) -> None:
    conv = parse_json(shared_fixtures / "chats/discord/chat-analytics" / file)
    ms = msgs(conv)
    assert len(ms) == count
    assert sum(m.is_system for m in ms) == system
    assert len(conv.participants) == people
    assert ms[0].sent_at == first and ms[-1].sent_at == last
    assert all(m.tz_assumed == "offset in source" for m in ms)


def test_dm_has_no_count_note_and_call_is_system(shared_fixtures: Path) -> None:
    conv = parse_json(shared_fixtures / "chats/discord/chat-analytics/DM_2A_2M.json")
    ms = msgs(conv)
    assert conv.notes == [] and conv.skipped == []
    assert [m.is_system for m in ms] == [False, False, True]
    assert ms[2].text == "Started a call that lasted 251 minutes."
    assert conv.participant("444444444444444444") is not None
    names = {p.platform_id: p.display_name for p in conv.participants}
    assert names["444444444444444444"] == "Someones nickname (Someones name#1234)"
    assert ms[0].reactions == [("42 user(s), names not in export", "\U0001f446")]
    assert conv.source_id == "530805775262679064"


def test_group_chat_count_mismatch_is_reported(shared_fixtures: Path) -> None:
    conv = parse_json(shared_fixtures / "chats/discord/chat-analytics/GC_3A_5M.json")
    ms = msgs(conv)
    (note,) = conv.notes
    assert "messageCount 5" in note and "6 entries" in note and "6 messages kept" in note
    assert ms[4].reply_to == "1064990824305274930"
    assert [m.is_system for m in ms] == [True, False, True, False, False, True]
    assert conv.title == "Direct Messages / a group chat"


def test_server_duplicate_id_kept_once(shared_fixtures: Path) -> None:
    conv = parse_json(shared_fixtures / "chats/discord/chat-analytics/SV_5A_5M.json")
    ms = msgs(conv)
    assert [m.source_id for m in ms].count("459136077417021488") == 1
    (skip,) = conv.skipped
    assert skip.source_location == "$.messages[1]"
    assert skip.reason.startswith("duplicate id") and "identical to $.messages[0]" in skip.reason
    assert "messageCount 5" in conv.notes[0] and "4 messages kept" in conv.notes[0]
    assert ms[0].is_edited and not ms[1].is_edited
    attachment, sticker = ms[2].attachments
    assert (attachment.file_name, attachment.size) == ("unknown.png", 165152)
    assert attachment.status is AttachmentStatus.OMITTED  # remote CDN url, not in the export
    assert sticker.file_name == "Laugh"
    assert ms[3].reactions == [
        ("3 user(s), names not in export", "paul"),
        ("2 user(s), names not in export", "❤"),
    ]


@pytest.mark.parametrize("file", ["DM_2A_2M.json", "GC_3A_5M.json", "SV_5A_5M.json"])
def test_sniff_prefers_discord(shared_fixtures: Path, file: str) -> None:
    head = (shared_fixtures / "chats/discord/chat-analytics" / file).read_bytes()[:65536]
    mine = JSON.sniff(head, file)
    assert mine.score >= 0.9
    others = (telegram_json.PARSER, meta_json.PARSER, snapchat_json.PARSER, CSV)
    assert all(p.sniff(head, file).score < mine.score for p in others)


# --- synthetic JSON ------------------------------------------------------------------------


def test_duplicates_mismatch_and_types() -> None:
    conv = parse_json(MATHS)
    ms = msgs(conv)
    assert conv.title == "Homework Helpers / maths" and conv.source_id == "900000000000000002"
    assert [m.source_location for m in ms] == [f"$.messages[{i}]" for i in (0, 1, 2, 4, 7)]
    reasons = {s.source_location: s.reason for s in conv.skipped}
    assert (
        reasons["$.messages[3]"] == "duplicate id 9101: differs from $.messages[1], which is kept"
    )
    assert reasons["$.messages[5]"].startswith("duplicate id 9100: identical to")
    assert "not a JSON object" in reasons["$.messages[6]"]
    assert conv.notes == [
        "declared messageCount 10, but 8 entries found and 5 messages kept; "
        "the entries are trusted over the declared count"
    ]
    add, reply = ms[1], ms[2]
    assert add.is_system and add.text == "[RecipientAdd]"
    assert not reply.is_system and reply.reply_to == "9100" and reply.is_edited
    assert reply.sent_at == datetime(2023, 5, 2, 15, 2, 0, 123456, tzinfo=UTC)
    assert ms[0].reactions == [
        ("800000000000000002", "👀"),
        ("1 user(s), names not in export", "👀"),
    ]
    (local,) = ms[3].attachments
    assert local.status is AttachmentStatus.MISSING and local.size == 2048
    assert local.source_path is not None and local.source_path.endswith("diagram-1A2B.png")
    assert ms[4].sent_at is None and ms[4].time_note == "unreadable timestamp 'sometime in May'"
    assert [p.display_name for p in conv.participants] == ["lorem_fan", "Pizza (pizza.person#4321)"]


# --- CSV -----------------------------------------------------------------------------------


def test_csv_rows_locations_and_title_from_file_name() -> None:
    conv = parse_csv(FOOTBALL.read_bytes(), FOOTBALL.name)
    ms = msgs(conv)
    assert (conv.title, conv.source_id) == ("Homework Helpers / football", "900000000000000003")
    assert [m.source_location for m in ms] == ["line 2", "line 3", "line 6"]
    assert ms[1].text == "Yes!\nBring the ball"
    assert ms[2].text == 'great, "the usual" pitch'
    assert [a.file_name for a in ms[1].attachments] == ["ball.png", "pitch.jpg"]
    assert ms[1].reactions == [
        ("2 user(s), names not in export", "👍"),
        ("1 user(s), names not in export", "⚽"),
    ]
    assert ms[0].sent_at == datetime(2023, 5, 2, 15, 0, 0, 123456, tzinfo=UTC)
    (skip,) = conv.skipped
    assert skip.source_location == "line 5" and skip.reason == "4 fields, expected 6"
    assert [p.platform_id for p in conv.participants] == [
        "800000000000000001",
        "800000000000000002",
    ]


def test_csv_old_layout_local_dates() -> None:
    path = OWN / "old_layout.csv"
    options = ParseOptions(tz=ZoneInfo("America/New_York"), tz_source="case default")
    conv = parse_csv(path.read_bytes(), path.name, options)
    ms = msgs(conv)
    assert ms[0].sent_at == datetime(2019, 1, 4, 22, 52, tzinfo=UTC)
    assert ms[0].tz_assumed == "America/New_York" and ms[0].local_time_text == "04-Jan-19 05:52 PM"
    assert ms[0].sender == "lorem_fan#1234"
    assert conv.title is None
    assert any(
        "read as local time in America/New_York (time zone from case default)" in n
        for n in conv.notes
    )
    assert any("no AuthorID column" in n for n in conv.notes)


def test_csv_sniff() -> None:
    head = FOOTBALL.read_bytes()
    assert CSV.sniff(head, FOOTBALL.name).score >= 0.9
    assert JSON.sniff(head, FOOTBALL.name).score == 0.0
    assert CSV.sniff(b"Date,Sender,Text\n1,2,3\n", "x.csv").score == 0.0
    assert CSV.sniff(MATHS.read_bytes()[:65536], MATHS.name).score == 0.0


def test_csv_undecodable_bytes_and_bad_header() -> None:
    good = b'"AuthorID","Author","Date","Content","Attachments","Reactions"\n'
    with pytest.raises(ParseError, match=rf"offset {len(good) + 8}, line 2: undecodable byte 0xc3"):
        parse_csv(good + b'"1","a",\xc3(', "x.csv")
    with pytest.raises(ParseError, match=r"line 1: header lacks column\(s\) date"):
        parse_csv(b"Author,Content\nx,y\n", "x.csv")
    with pytest.raises(ParseError, match="empty"):
        parse_csv(b"", "x.csv")


# --- hostile JSON --------------------------------------------------------------------------


def test_truncated_json_reports_offset() -> None:
    data = MATHS.read_bytes()
    cut = data[: len(data) // 2]
    with pytest.raises(ParseError) as err:
        list(JSON.parse(io.BytesIO(cut), "maths.json", ParseOptions()))
    text = str(err.value)
    assert text.startswith("maths.json, offset ")
    assert f"truncated JSON (file ends at byte {len(cut)})" in text


def test_binary_garbage_is_refused() -> None:
    with pytest.raises(ParseError, match=r"offset 0, line 1: undecodable byte 0x89"):
        list(JSON.parse(io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "x.json", ParseOptions()))
    with pytest.raises(ParseError, match="no 'messages' list"):
        list(JSON.parse(io.BytesIO(b'{"guild": {}}'), "x.json", ParseOptions()))


def test_parser_protocol() -> None:
    from vigil.ingest.base import Parser

    assert isinstance(JSON, Parser) and JSON.name == "discord_json"
    assert isinstance(CSV, Parser) and CSV.name == "discord_csv"
