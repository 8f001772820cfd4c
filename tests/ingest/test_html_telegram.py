"""Telegram Desktop HTML export: pages, joined messages, service messages, media, DST."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from tests.ingest import html_telegram_fixture as fx

from vigil.errors import ParseError
from vigil.ingest.base import Limits, ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.telegram_html import PARSER, read_time
from vigil.model import AttachmentStatus, Conversation, Message


def parse(data: bytes, name: str, options: ParseOptions | None = None) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, options or ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def test_zipped_export_counts_senders_times_and_media() -> None:
    data = fx.zipped(fx.two_page_export())
    (conv,) = parse(data, "ChatExport_2023-03-27.zip")
    ms = msgs(conv)
    assert conv.platform == "telegram" and conv.title == "Sam Carter"
    assert conv.source_id == "ChatExport_2023-03-27"
    assert len(ms) == 8  # 7 default + 1 service; 2 day headings are not messages
    assert [p.platform_id for p in conv.participants] == ["Sam Carter", "Alex Lee"]
    assert [m.sender for m in ms] == [
        "Sam Carter",
        "Sam Carter",  # joined
        "Alex Lee",
        "Sam Carter",
        "Sam Carter",  # joined, first message of the second page
        "Alex Lee",
        "Sam Carter",
        None,
    ]
    # across the change from GMT to BST the offsets in the titles are used
    assert ms[0].sent_at == utc(2023, 3, 25, 23, 30)
    assert ms[3].sent_at == utc(2023, 3, 26, 1, 10)
    assert ms[4].sent_at == utc(2023, 3, 26, 1, 11)
    assert ms[0].tz_assumed == "offset in source"
    assert ms[0].local_time_text == "25.03.2023 23:30:00 UTC+00:00"
    assert ms[5].text == "ok\nsee you" and ms[5].reply_to == "105"
    assert ms[0].text == "hi, how was the match?" and ms[0].source_id == "101"
    atts = [a for m in ms for a in m.attachments]
    assert len(atts) == 2
    assert atts[0].status == AttachmentStatus.PRESENT
    assert atts[0].source_path == "ChatExport_2023-03-27/photos/photo_1@26-03-2023_02-10-00.jpg"
    assert (atts[1].status, atts[1].file_name) == (AttachmentStatus.OMITTED, "Voice message")
    assert ms[7].is_system and ms[7].text == "Sam Carter pinned a message"
    assert ms[7].sent_at is None and "no time" in (ms[7].time_note or "")
    (bad,) = conv.skipped
    assert bad.source_location.startswith("ChatExport_2023-03-27/messages2.html: #message109")
    assert "no div.body" in bad.reason
    assert any("2 joined message(s)" in n for n in conv.notes)
    assert any("2 day heading(s)" in n for n in conv.notes)


def test_local_times_before_2022_are_read_in_the_given_zone_across_dst() -> None:
    raw = fx.page(
        "Alex Lee",
        [
            fx.default(1, "29.10.2022 23:59:00", "are your parents home?", "Sam Carter"),
            fx.default(2, "30.10.2022 01:30:00", "ambiguous hour", "Alex Lee"),
            fx.default(3, "30.10.2022 03:00:00", "after the change", "Alex Lee"),
        ],
    )
    tz = ZoneInfo("Europe/London")
    (conv,) = parse(raw, "messages.html", ParseOptions(tz=tz, tz_source="--tz"))
    ms = msgs(conv)
    assert [m.sent_at for m in ms] == [
        utc(2022, 10, 29, 22, 59),  # BST
        utc(2022, 10, 30, 0, 30),  # ambiguous: earlier offset (BST), noted
        utc(2022, 10, 30, 3, 0),  # GMT
    ]
    assert ms[0].tz_assumed == "Europe/London"
    assert "ambiguous" in (ms[1].time_note or "")
    assert any("3 message time(s) have no UTC offset" in n and "--tz" in n for n in conv.notes)
    assert not any("held only when" in n for n in conv.notes)


def test_bare_page_media_is_missing_and_noted() -> None:
    raw = fx.page(
        "Alex Lee",
        [
            fx.default(
                1, "01.06.2023 10:00:00 UTC+02:00", "", "Sam Carter", fx.photo("photos/a.jpg")
            )
        ],
    )
    (conv,) = parse(raw, "messages.html")
    (m,) = msgs(conv)
    (att,) = m.attachments
    assert (att.status, att.file_name, att.source_path) == (
        AttachmentStatus.MISSING,
        "a.jpg",
        "photos/a.jpg",
    )
    assert m.sent_at == utc(2023, 6, 1, 8, 0)
    assert any("held only when" in n for n in conv.notes)


def test_full_export_zip_gives_one_conversation_per_chat_folder() -> None:
    files = {
        "DataExport/chats/chat_01/messages.html": fx.page(
            "One", [fx.default(1, "01.01.2024 10:00:00 UTC+00:00", "a", "P")]
        ),
        "DataExport/chats/chat_02/messages.html": fx.page(
            "Two", [fx.default(1, "01.01.2024 11:00:00 UTC+00:00", "b", "Q")]
        ),
        "DataExport/chats/chat_02/messages2.html": b"\xff\xfe not utf-8",
    }
    one, two = parse(fx.zipped(files), "DataExport.zip")
    assert (one.title, len(msgs(one)), two.title, len(msgs(two))) == ("One", 1, "Two", 1)
    (bad,) = two.skipped
    assert bad.source_location == "DataExport/chats/chat_02/messages2.html"
    assert "unreadable page" in bad.reason and "offset" in bad.reason


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (fx.zipped(fx.two_page_export()), "ChatExport_2023-03-27.zip"),
        (fx.two_page_export()["ChatExport_2023-03-27/messages.html"], "messages.html"),
        (fx.two_page_export()["ChatExport_2023-03-27/messages.html"], "saved.htm"),
    ],
)
def test_detection_picks_telegram_html(data: bytes, name: str) -> None:
    choice = detect(data[: 64 * 1024], name, vigil_parsers())
    assert choice.parser.name == "telegram_html", choice.bids


def test_hostile_and_empty_input() -> None:
    with pytest.raises(ParseError, match=r"no messages\.html"):
        parse(fx.zipped({"a.txt": b"x"}), "x.zip")
    with pytest.raises(ParseError, match="empty"):
        parse(b"  ", "messages.html")
    with pytest.raises(ParseError, match=r"no div\.history"):
        parse(b"<html><body><p>hello</p></body></html>", "messages.html")
    big = fx.page("x", [fx.default(1, "01.01.2024 10:00:00", "y" * 2000, "P")])
    with pytest.raises(ParseError, match="VIGIL_MAX_JSON_BYTES"):
        parse(big, "messages.html", ParseOptions(limits=Limits(max_json_bytes=1000)))


def test_unreadable_date_title_keeps_the_message_without_a_time() -> None:
    raw = fx.page("x", [fx.default(1, "yesterday", "hello", "P")])
    (m,) = msgs(parse(raw, "messages.html")[0])
    assert m.sent_at is None and "unreadable date title" in (m.time_note or "")


def test_forwarded_message_with_media_and_a_location_link() -> None:
    raw = fx.page(
        "x",
        [
            fx.default(
                1,
                "01.06.2023 10:00:00 UTC+01:00",
                "",
                "Sam Carter",
                fx.forwarded("Club News", "match moved", fx.photo("photos/p.jpg")),
            ),
            fx.default(
                2,
                "01.06.2023 10:01:00 UTC+01:00",
                "meet here",
                "Sam Carter",
                fx.location("https://maps.example.com/?q=51.5,-0.1"),
            ),
        ],
    )
    fwd, loc = msgs(parse(raw, "messages.html")[0])
    assert (fwd.forwarded_from, fwd.text) == ("Club News", "match moved")
    assert [a.file_name for a in fwd.attachments] == ["p.jpg"]
    assert loc.text == "meet here\n[Location: https://maps.example.com/?q=51.5,-0.1]"
    assert not loc.attachments


def test_hostile_html_entities_and_nesting() -> None:
    entities = (
        b'<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + fx.page("x", [fx.default(1, "01.01.2024 10:00:00 UTC+00:00", "&b;&b;", "P")])[15:]
    )
    (m,) = msgs(parse(entities, "messages.html")[0])
    assert m.text == "&b;&b;"  # never expanded
    deep = fx.page("x", [fx.default(1, "01.01.2024 10:00:00", "<div>" * 5000 + "y", "P")])
    with pytest.raises(ParseError, match=r"messages\.html, line \d+: not readable as HTML"):
        parse(deep, "messages.html")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("12.03.2023 01:59:59 UTC-05:00", datetime(2023, 3, 12, 6, 59, 59, tzinfo=UTC)),
        ("12.03.2023 03:00:00 UTC-04:00", datetime(2023, 3, 12, 7, 0, tzinfo=UTC)),
        ("01.07.2023 12:00:00 UTC+05:30", datetime(2023, 7, 1, 6, 30, tzinfo=UTC)),
    ],
)
def test_offsets_in_titles_in_other_zones(title: str, expected: datetime) -> None:
    sent_at, assumed, note = read_time(title, ParseOptions(tz=ZoneInfo("Europe/London")))
    assert (sent_at, assumed, note) == (expected, "offset in source", None)
