"""Messenger / Instagram JSON: shared fixtures, mojibake, merging, zips and hostile input."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import discord_json, meta_json, snapchat_json, telegram_json
from vigil.ingest.formats.meta_json import merge_conversations, repair
from vigil.model import AttachmentStatus, Conversation, Message

PARSER = meta_json.PARSER
OWN = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "meta"
THREAD = OWN / "inbox" / "pizzaclub_abc123"
T0 = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def parse_one(data: bytes, name: str) -> Conversation:
    (conv,) = PARSER.parse(io.BytesIO(data), name, ParseOptions())
    return conv


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def minutes(n: int) -> datetime:
    return T0.replace(minute=T0.minute + n)


# --- shared fixtures -----------------------------------------------------------------------


def test_messenger_fixture(shared_fixtures: Path) -> None:
    path = shared_fixtures / "chats/meta/chat-analytics/messenger_2A_7M.json"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the file carries a BOM
    conv = parse_one(data, path.name)
    ms = msgs(conv)
    assert len(ms) == 7 and not any(m.is_system for m in ms)
    assert conv.platform == "facebook_messenger"
    assert [p.platform_id for p in conv.participants] == ["Alice", "Bob"]
    assert (conv.title, conv.source_id) == ("Alice", "inbox/alice_aaaaaaaaaa")
    # newest first in the file, oldest first here
    assert ms[0].sent_at == datetime(2014, 11, 5, 0, 27, 20, 411000, tzinfo=UTC)
    assert ms[-1].sent_at == datetime(2014, 11, 5, 0, 35, 32, 56000, tzinfo=UTC)
    assert ms[-1].text == "Hello" and ms[-1].source_location == "$.messages[0]"
    assert ms[0].source_location == "$.messages[6]"
    assert ms[0].tz_assumed == "UTC (epoch)" and ms[0].local_time_text == "1415147240411"
    kinds = [a.source_path for m in ms for a in m.attachments]
    assert kinds == [
        "messages/inbox/alice_aaaaaaaaaa/photos/123123123123123.jpg",
        "messages/stickers_used/123123123123123.png",
        "messages/inbox/alice_aaaaaaaaaa/audio/audioclip11111.mp4",
        "messages/inbox/alice_aaaaaaaaaa/files/blabla.docx",
    ]
    assert all(a.status is AttachmentStatus.MISSING for m in ms for a in m.attachments)
    assert meta_json.NEWEST_FIRST in conv.notes
    assert "the export records IP address 1.1.1.1 on $.messages[3], $.messages[6]" in conv.notes


def test_instagram_fixture(shared_fixtures: Path) -> None:
    path = shared_fixtures / "chats/meta/chat-miner/instagram_test_export.json"
    conv = parse_one(path.read_bytes(), path.name)
    ms = msgs(conv)
    assert len(ms) == 2 and conv.platform == "instagram"
    assert {p.platform_id for p in conv.participants} == {"John Doe", "Jane Doe"}
    assert (ms[0].sender, ms[0].text) == ("Jane Doe", "Hello John!")
    assert ms[0].sent_at == datetime(2019, 12, 24, 11, 23, tzinfo=UTC)
    assert ms[1].sent_at == datetime(2020, 1, 17, 20, 49, tzinfo=UTC)


@pytest.mark.parametrize(
    "rel", ["chat-analytics/messenger_2A_7M.json", "chat-miner/instagram_test_export.json"]
)
def test_sniff_prefers_meta(shared_fixtures: Path, rel: str) -> None:
    path = shared_fixtures / "chats/meta" / rel
    head = path.read_bytes()[:65536]
    mine = PARSER.sniff(head, path.name)
    assert mine.score >= 0.9
    others = (telegram_json.PARSER, discord_json.PARSER, snapchat_json.PARSER)
    assert all(p.sniff(head, path.name).score < mine.score for p in others)


# --- mojibake ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("Zo\u00c3\u00ab", "Zoë"),
        ("\u00f0\u009f\u008d\u0095", "🍕"),
        ("café", "café"),  # genuine latin-1 text is not valid UTF-8 bytes: left alone
        ("plain ascii", "plain ascii"),
        ("already 🍕", "already 🍕"),
    ],
)
def test_repair(raw: str, fixed: str) -> None:
    assert repair(raw) == fixed


def test_single_file_repairs_names_text_and_reactions() -> None:
    conv = parse_one((THREAD / "message_1.json").read_bytes(), "message_1.json")
    ms = msgs(conv)
    assert conv.title == "Pizza Club 🍕"
    assert [p.platform_id for p in conv.participants] == [
        "Zoë Example",
        "Chloé Sample",
        "Sam Example",
    ]
    assert ms[0].reactions == [("Zoë Example", "👍"), ("Chloé Sample", "😀")]
    assert any(n.startswith("repaired latin-1 mojibake in") for n in conv.notes)
    assert [s.source_location for s in conv.skipped] == ["$.messages[1]"]


def test_unsent_share_and_media_keys() -> None:
    ms = msgs(parse_one((THREAD / "message_1.json").read_bytes(), "message_1.json"))
    unsent = ms[1]
    assert unsent.is_deleted and unsent.sender == "Zoë Example" and unsent.sent_at == minutes(5)
    (share,) = ms[2].attachments
    assert share.status is AttachmentStatus.OMITTED
    assert share.source_path == "https://example.org/pizza-menu"
    names = [a.file_name for a in ms[3].attachments]
    assert names == ["clip.mp4", "voice.mp4", "menu.pdf", "dance.gif"]


# --- merging -------------------------------------------------------------------------------


def _parts(order: tuple[str, ...]) -> list[Conversation]:
    return [parse_one((THREAD / n).read_bytes(), n) for n in order]


@pytest.mark.parametrize(
    "order", [("message_1.json", "message_2.json"), ("message_2.json", "message_1.json")]
)
def test_merge_sibling_files(order: tuple[str, ...]) -> None:
    merged = merge_conversations(_parts(order), list(order))
    ms = msgs(merged)
    assert len(ms) == 8
    assert [m.sent_at for m in ms] == [minutes(i) for i in (0, 1, 2, 3, 4, 5, 6, 8)]
    assert ms[0].is_system and ms[0].text == "Sam added Chloé Sample to the group."
    assert ms[3].is_system and ms[3].text == "[call, 65 s]"
    assert ms[0].source_location == "message_2.json: $.messages[3]"
    assert ms[-1].source_location == "message_1.json: $.messages[0]"
    assert [s.source_location for s in merged.skipped] == ["message_1.json: $.messages[1]"]
    assert merged.platform == "facebook_messenger" and merged.source_id == "inbox/pizzaclub_abc123"
    assert [p.platform_id for p in merged.participants] == [
        "Zoë Example",
        "Chloé Sample",
        "Sam Example",
    ]
    assert "merged from 2 file(s); given oldest first" in merged.notes
    assert meta_json.NEWEST_FIRST not in merged.notes


def test_a_loose_part_says_how_to_have_it_merged() -> None:
    loose = parse_one((THREAD / "message_2.json").read_bytes(), "message_2.json")
    assert meta_json.LOOSE_PART in loose.notes
    renamed = parse_one((THREAD / "message_2.json").read_bytes(), "pizza club.json")
    assert meta_json.LOOSE_PART not in renamed.notes
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in ("message_1.json", "message_2.json"):
            zf.write(THREAD / part, f"messages/inbox/pizzaclub_abc123/{part}")
    (merged,) = PARSER.parse(io.BytesIO(buf.getvalue()), "download.zip", ParseOptions())
    assert meta_json.LOOSE_PART not in merged.notes
    assert len(list(merged.messages)) == 8


def test_merge_refuses_different_threads() -> None:
    other = parse_one((OWN / "instagram/message_1.json").read_bytes(), "message_1.json")
    with pytest.raises(ParseError, match="different threads"):
        merge_conversations([*_parts(("message_1.json",)), other])


def test_instagram_variant_detected_from_links() -> None:
    conv = parse_one((OWN / "instagram/message_1.json").read_bytes(), "message_1.json")
    ms = msgs(conv)
    assert conv.platform == "instagram"
    assert ms[1].text == "nice goal ⚽" and ms[1].reactions == [("lorem.ipsum", "❤")]
    assert ms[0].attachments[0].source_path == "https://www.instagram.com/p/EXAMPLE123/"


# --- zip -----------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_of_inbox_merges_threads_and_finds_media() -> None:
    data = _zip(
        {
            "messages/inbox/pizzaclub_abc123/message_2.json": (
                THREAD / "message_2.json"
            ).read_bytes(),
            "messages/inbox/pizzaclub_abc123/message_1.json": (
                THREAD / "message_1.json"
            ).read_bytes(),
            "messages/inbox/pizzaclub_abc123/message_3.json": b'{"messages": [',
            "messages/inbox/pizzaclub_abc123/photos/pizza_1.jpg": (
                THREAD / "photos/pizza_1.jpg"
            ).read_bytes(),
            "messages/inbox/dolorsit_987/message_1.json": (
                OWN / "instagram/message_1.json"
            ).read_bytes(),
        }
    )
    assert PARSER.sniff(data[:65536], "inbox.zip").score >= 0.8
    convs = list(PARSER.parse(io.BytesIO(data), "inbox.zip", ParseOptions()))
    assert [c.source_id for c in convs] == ["inbox/dolorsit_987", "inbox/pizzaclub_abc123"]
    pizza = convs[1]
    ms = msgs(pizza)
    assert len(ms) == 8 and ms[0].sent_at == minutes(0)
    assert ms[0].source_location == "messages/inbox/pizzaclub_abc123/message_2.json: $.messages[3]"
    (photo,) = ms[2].attachments
    assert photo.status is AttachmentStatus.PRESENT
    assert photo.source_path == "messages/inbox/pizzaclub_abc123/photos/pizza_1.jpg"
    assert all(a.status is AttachmentStatus.MISSING for a in ms[-1].attachments)
    bad = [s for s in pizza.skipped if s.source_location.endswith("message_3.json")]
    assert len(bad) == 1 and "truncated JSON" in bad[0].reason
    assert convs[0].platform == "instagram"


def test_zip_without_message_files_and_hostile_zip() -> None:
    with pytest.raises(ParseError, match=r"no message_N\.json"):
        list(PARSER.parse(io.BytesIO(_zip({"readme.txt": b"hello"})), "x.zip", ParseOptions()))
    evil = _zip({"../../etc/message_1.json": b"{}"})
    with pytest.raises(ParseError, match="path traversal"):
        list(PARSER.parse(io.BytesIO(evil), "x.zip", ParseOptions()))


# --- hostile JSON --------------------------------------------------------------------------


def test_truncated_and_garbage() -> None:
    data = (THREAD / "message_2.json").read_bytes()
    with pytest.raises(ParseError, match=r"message_2.json, offset \d+, line \d+.*truncated JSON"):
        parse_one(data[:300], "message_2.json")
    with pytest.raises(ParseError, match="offset 1, line 1: undecodable byte 0xfe"):
        parse_one(b"{\xfe\xff}", "message_1.json")
    with pytest.raises(ParseError, match="no top-level 'messages' list"):
        parse_one(b'{"participants": []}', "message_1.json")


def test_zip_sniff_uses_folder_names_and_file_name() -> None:
    photo_first = _zip({"messages/inbox/x_1/photos/a.jpg": b"\x00" * 70_000})
    assert PARSER.sniff(photo_first[:65536], "export.zip").score == 0.6
    other = _zip({"data/a.jpg": b"\x00" * 70_000})
    assert PARSER.sniff(other[:65536], "facebook-jo.zip").score == 0.3
    assert PARSER.sniff(other[:65536], "holiday.zip").score == 0.0


def test_parser_protocol() -> None:
    from vigil.ingest.base import Parser

    assert isinstance(PARSER, Parser) and PARSER.name == "meta_json"


@pytest.mark.parametrize(
    ("extra", "platform"),
    [
        (
            b', "thread_type": "Regular", "x": "https://www.instagram.com/p/1/"',
            "facebook_messenger",
        ),
        (b', "x": "https://www.instagram.com/p/1/"', "instagram"),
        (b"", "meta"),
    ],
)
def test_platform_decision(extra: bytes, platform: str) -> None:
    data = b'{"messages": [{"sender_name": "A", "timestamp_ms": 0, "content": "hi"}]' + extra + b"}"
    conv = parse_one(data, "message_1.json")
    assert conv.platform == platform
    assert ("could not tell Messenger from Instagram" in " ".join(conv.notes)) == (
        platform == "meta"
    )
