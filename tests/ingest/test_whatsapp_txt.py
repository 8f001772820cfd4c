"""WhatsApp text exports: the shared real fixtures, synthetic locale fixtures and edge cases."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import Limits, ParseOptions, Parser
from vigil.ingest.formats.whatsapp_txt import PARSER
from vigil.model import AttachmentStatus, Conversation, Message

HERE = Path(__file__).resolve().parent
OWN = HERE.parent / "fixtures" / "chats" / "whatsapp"
DMY, MDY, YMD = "day/month/year", "month/day/year", "year/month/day"


def parse(
    data: bytes, name: str = "chat.txt", tz: str = "UTC", stream: io.RawIOBase | None = None
) -> tuple[Conversation, list[Message]]:
    options = ParseOptions(tz=ZoneInfo(tz), tz_source="test")
    convs = list(PARSER.parse(stream or io.BytesIO(data), name, options))  # type: ignore[arg-type]
    assert len(convs) == 1
    msgs = list(convs[0].messages)
    return convs[0], msgs


def utc(text: str) -> datetime:
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(text, fmt).replace(tzinfo=UTC)


def note(conv: Conversation, start: str) -> str:
    found = [n for n in conv.notes if n.startswith(start)]
    assert found, f"no note starting {start!r} in {conv.notes}"
    return found[0]


def test_parser_satisfies_protocol() -> None:
    assert isinstance(PARSER, Parser)
    assert PARSER.name == "whatsapp_txt"


# --- the real files in ../shared/fixtures ------------------------------------------------------

ALICE_BOB = ["Mallory", "Dave", "Alice", "Bob", "Carol"]
MINER = ["John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"]
SHARED = [
    # file, records, with author, without author, participants, first, last (UTC)
    ("WhatsR/englishandroid24h.txt", 50, 42, 8, ALICE_BOB, "2018-01-29 12:24", "2018-01-30 00:23"),
    ("WhatsR/englishandroidampm.txt", 50, 42, 8, ALICE_BOB, "2018-01-29 12:24", "2018-01-30 00:23"),
    ("WhatsR/englishios24h.txt", 50, 42, 8, ALICE_BOB, "2018-01-29 12:24:03", "2018-01-30 00:23:03"),
    ("WhatsR/englishiosampm.txt", 50, 42, 8, ALICE_BOB, "2018-01-29 12:24:03", "2018-01-30 00:23:03"),
    ("chat-miner/test_[mmddyy]_24hrs.txt", 9, 7, 2, MINER, "2019-01-01 11:25", "2021-12-30 22:01"),
    ("chat-miner/test_ddmmyy_24hrs.txt", 9, 7, 2, MINER, "2019-01-01 11:25", "2021-12-30 22:01"),
    ("chat-miner/test_mmddyy_24hrs.txt", 9, 7, 2, MINER, "2019-01-01 11:25", "2021-12-30 22:01"),
    ("chat-miner/test_mmddyyyy_12hrs.txt", 9, 7, 2, MINER, "2019-01-01 11:25", "2021-12-30 22:01"),
    ("chat-miner/test_yyyymmdd_24hrs.txt", 9, 7, 2, MINER, "2019-01-01 11:25", "2021-12-30 22:01"),
    ("rwhatsapp/sample.txt", 9, 7, 2, ["Johannes Gruber", "Test"], "2017-07-12 22:35", "2018-09-28 13:30"),
    (
        "pustur/short-chat.txt", 5, 3, 2, ["Sample User", "TestBot", "+410123456789"],
        "2017-06-03 00:45", "2017-09-04 01:50",
    ),
    (
        "whatstk/lorem-2000.txt", 2000, 2000, 0, ["+1 123 456 789", "Mary", "John", "Giuseppe"],
        "2019-04-16 02:09", "2020-06-13 00:00",
    ),
    (
        "whatstk/lorem.txt", 500, 500, 0, ["Mary", "+1 123 456 789", "Giuseppe", "John"],
        "2020-01-15 02:22:56", "2020-05-11 22:32:48",
    ),
    (
        "whatstk/lorem-merge-part1.txt", 300, 300, 0, ["John", "Mary", "+1 123 456 789", "Giuseppe"],
        "2019-10-20 10:16", "2020-01-10 00:00",
    ),
    (
        "whatstk/lorem-merge-part2.txt", 300, 300, 0,
        ["John", "Maria", "+1 123 456 789", "Giuseppe", "Maria2"],
        "2020-06-20 10:16", "2020-09-10 00:00",
    ),
    (
        "whatstk/pokemon.txt", 20, 19, 1,
        ["Pokemon Chat", "Ash Ketchum", "Brock", "Misty", "Prof. Oak", "Jessie & James", "Raichu",
         "Meowth", "Wobbuffet"],
        "2016-04-15 15:04", "2016-10-31 12:23",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "records", "authored", "system", "people", "first", "last"), SHARED
)
def test_shared_fixture_counts(
    shared_fixtures: Path,
    rel: str,
    records: int,
    authored: int,
    system: int,
    people: list[str],
    first: str,
    last: str,
) -> None:
    path = shared_fixtures / "chats" / "whatsapp" / rel
    conv, msgs = parse(path.read_bytes(), path.name)
    assert len(msgs) == records
    assert sum(m.sender is not None for m in msgs) == authored
    assert sum(m.sender is None for m in msgs) == system
    assert all(m.is_system for m in msgs if m.sender is None)
    assert [p.platform_id for p in conv.participants] == people
    assert msgs[0].sent_at == utc(first)
    assert msgs[-1].sent_at == utc(last)
    assert all(m.sent_at is not None and m.tz_assumed == "UTC" for m in msgs)
    assert not conv.skipped


def test_shared_fixture_every_record_is_covered(shared_fixtures: Path) -> None:
    """The WhatsR iOS file has a BOM mid-file and out-of-order times; nothing is merged."""
    path = shared_fixtures / "chats" / "whatsapp" / "WhatsR" / "englishios24h.txt"
    _, msgs = parse(path.read_bytes())
    assert [m.source_location for m in msgs] == [f"line {n}" for n in range(1, 51)]
    assert msgs[8].text == "You changed this group's icon"  # the line that starts with U+FEFF
    assert msgs[14].attachments[0].file_name == "PTT-20180129-WA0025.opus"
    assert msgs[19].attachments[0].status is AttachmentStatus.OMITTED
    assert (msgs[35].sender, msgs[35].text) == ("Carol", "")  # "Carol:" with nothing after


@pytest.mark.parametrize(
    ("rel", "line", "body"),
    [
        ("chat-miner/test_ddmmyy_24hrs.txt", 3, "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."),
        ("chat-miner/test_[mmddyy]_24hrs.txt", 10, "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."),
        ("pustur/short-chat.txt", 5, "How are you?\n\nIs everything alright?"),
        ("rwhatsapp/sample.txt", 5, "It's fun doing text analysis with R\nisn't it?"),
    ],
)  # fmt: skip
def test_shared_fixture_multiline_bodies(
    shared_fixtures: Path, rel: str, line: int, body: str
) -> None:
    _, msgs = parse((shared_fixtures / "chats" / "whatsapp" / rel).read_bytes())
    (msg,) = [m for m in msgs if m.source_location == f"line {line}"]
    assert msg.text == body


def test_shared_fixture_chat_name_before_notice(shared_fixtures: Path) -> None:
    conv, msgs = parse((shared_fixtures / "chats/whatsapp/whatstk/pokemon.txt").read_bytes())
    assert msgs[0].sender == "Pokemon Chat" and msgs[0].is_system
    assert not any(m.is_system for m in msgs[2:])
    assert any("'Pokemon Chat' only appears before WhatsApp notices" in n for n in conv.notes)


# --- synthetic locale fixtures ----------------------------------------------------------------

LOCALES = [
    ("en-GB_android_24h.txt", 9, ["Alice", "Bob"], "2020-12-31 23:58", "2021-01-13 18:30", DMY),
    ("en-US_android_12h.txt", 4, ["Coach Dan", "Maya"], "2020-12-30 09:15", "2020-12-31 00:30", MDY),
    ("de_ios_24h.txt", 5, ["Lena", "Jonas"], "2020-12-31 17:45:10", "2021-01-01 10:00", DMY),
    ("de_android_12h_vorm_nachm.txt", 3, ["Lena", "Jonas"], "2020-12-31 23:59", "2021-01-01 13:15", DMY),
    ("fr_android_24h.txt", 4, ["Chloé", "Hugo"], "2021-03-15 18:02", "2021-03-16 07:30", DMY),
    ("es_android_12h.txt", 5, ["Ana", "Luis"], "2021-02-14 16:05", "2021-03-01 09:00", DMY),
    ("pt-BR_android_24h.txt", 4, ["João", "Maria"], "2021-04-20 19:10", "2021-04-21 08:00", DMY),
    ("it_android_24h.txt", 5, ["Giulia", "Marco"], "2021-05-05 16:20", "2021-06-02 17:45", DMY),
    ("nl_android_24h.txt", 4, ["Sanne", "Daan"], "2021-06-10 20:15", "2021-06-21 15:00", DMY),
    ("ru_android_24h.txt", 4, ["Иван", "Ольга"], "2021-09-01 08:00", "2021-09-14 19:30", DMY),
    ("tr_ios_12h.txt", 3, ["Ayşe", "Mehmet"], "2020-12-31 23:59:59", "2021-01-01 13:30", DMY),
    ("ar_android_12h.txt", 3, ["علي", "سارة"], "2020-12-31 23:59", "2021-01-01 09:06", DMY),
    ("fa_android_24h.txt", 2, ["رضا", "مریم"], "2020-12-31 23:59", "2021-01-01 00:05", YMD),
    ("ja_era.txt", 3, ["太郎", "花子"], "2019-04-30 10:00", "2020-12-31 23:59", YMD),
    ("ja_12h.txt", 2, ["太郎", "花子"], "2020-12-31 23:59", "2021-01-01 00:05", YMD),
    ("th_buddhist.txt", 2, ["สมชาย", "สมหญิง"], "2020-12-31 23:59", "2021-01-01 00:05", DMY),
    ("th_buddhist_2digit.txt", 2, ["สมชาย", "สมหญิง"], "2020-12-31 23:59", "2021-01-01 00:05", DMY),
    ("ko_android_12h.txt", 2, ["민준", "서연"], "2020-12-31 23:59", "2021-01-01 00:05", YMD),
    ("zh_android_12h.txt", 2, ["小明", "小红"], "2020-12-31 23:59", "2021-01-01 00:05", YMD),
    ("hi_android_12h.txt", 2, ["राहुल", "प्रिया"], "2020-12-31 23:59", "2021-01-01 00:05", DMY),
    ("fi_android_dots.txt", 2, ["Matti", "Liisa"], "2020-12-31 23:59", "2021-01-01 00:05", DMY),
    ("time_before_date.txt", 2, ["Alice", "Bob"], "2020-12-31 23:59", "2021-01-01 00:05", DMY),
    ("invisible_marks.txt", 4, ["+44 7700 900123", "Sam"], "2021-05-12 10:00", "2021-05-13 10:03", DMY),
    (
        "ios_group_notices.txt", 5, ["Football Club", "Alice", "Bob"],
        "2021-05-12 10:00", "2021-05-13 10:02", DMY,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "count", "people", "first", "last", "order"), LOCALES)
def test_locale_fixture(
    name: str, count: int, people: list[str], first: str, last: str, order: str
) -> None:
    conv, msgs = parse((OWN / name).read_bytes(), name)
    assert len(msgs) == count
    assert [p.platform_id for p in conv.participants] == people
    assert msgs[0].sent_at == utc(first)
    assert msgs[-1].sent_at == utc(last)
    assert note(conv, "date order").startswith(f"date order {order}:")
    assert all(m.sent_at is not None and m.time_note is None for m in msgs)
    assert not conv.skipped
    assert not any("another layout" in n for n in conv.notes)


def test_en_gb_markers_and_multiline() -> None:
    conv, msgs = parse((OWN / "en-GB_android_24h.txt").read_bytes())
    by_line = {m.source_location: m for m in msgs}
    assert [m.sender for m in msgs[:3]] == [None, None, None]
    assert all(m.is_system for m in msgs[:3])
    assert by_line["line 4"].text == (
        "Practice moved to 10am on Sunday.\nBring boots and water.\n\nSee you there!"
    )
    omitted = by_line["line 8"]
    assert omitted.text == "" and omitted.attachments[0].status is AttachmentStatus.OMITTED
    named = by_line["line 9"]
    assert named.text == "New pitch map"
    (att,) = named.attachments
    assert (att.file_name, att.status, att.mime_type) == (
        "IMG-20210101-WA0001.jpg",
        AttachmentStatus.MISSING,
        "image/jpeg",
    )
    assert by_line["line 11"].is_deleted and by_line["line 11"].text == ""
    edited = by_line["line 12"]
    assert edited.is_edited and edited.text == "Who is bringing the cones?"
    assert by_line["line 13"].local_time_text == "13/01/2021, 18:30"
    assert note(conv, "clock") == "clock: 24-hour"


@pytest.mark.parametrize(
    ("name", "line", "deleted", "omitted", "edited", "attached"),
    [
        ("de_ios_24h.txt", 2, False, False, False, "00000012-PHOTO-2020-12-31-17-46-02.jpg"),
        ("de_ios_24h.txt", 3, False, True, False, None),
        ("de_ios_24h.txt", 4, True, False, False, None),
        ("fr_android_24h.txt", 2, False, True, False, None),
        ("fr_android_24h.txt", 3, True, False, False, None),
        ("fr_android_24h.txt", 4, False, False, True, None),
        ("es_android_12h.txt", 2, False, True, False, None),
        ("es_android_12h.txt", 3, True, False, False, None),
        ("pt-BR_android_24h.txt", 2, False, True, False, None),
        ("pt-BR_android_24h.txt", 3, True, False, False, None),
        ("it_android_24h.txt", 2, False, True, False, None),
        ("it_android_24h.txt", 3, True, False, False, None),
        ("nl_android_24h.txt", 2, False, True, False, None),
        ("nl_android_24h.txt", 3, True, False, False, None),
        ("ru_android_24h.txt", 2, False, True, False, None),
        ("ru_android_24h.txt", 3, True, False, False, None),
        ("tr_ios_12h.txt", 3, True, False, False, None),
        ("ar_android_12h.txt", 3, False, True, False, None),
        ("invisible_marks.txt", 3, False, True, False, None),
    ],
)
def test_locale_markers(
    name: str, line: int, deleted: bool, omitted: bool, edited: bool, attached: str | None
) -> None:
    _, msgs = parse((OWN / name).read_bytes())
    (msg,) = [m for m in msgs if m.source_location == f"line {line}"]
    assert msg.is_deleted is deleted
    assert msg.is_edited is edited
    assert any(a.status is AttachmentStatus.OMITTED for a in msg.attachments) is omitted
    assert [a.file_name for a in msg.attachments if a.file_name] == ([attached] if attached else [])
    if deleted or omitted or attached:
        assert msg.text == ""


@pytest.mark.parametrize(
    ("name", "calendar"),
    [("ja_era.txt", "Japanese era"), ("th_buddhist.txt", "Thai Buddhist era"), ("th_buddhist_2digit.txt", "Thai Buddhist era")],
)  # fmt: skip
def test_calendars_are_reported(name: str, calendar: str) -> None:
    conv, _ = parse((OWN / name).read_bytes())
    assert any(calendar in n for n in conv.notes)


def test_gregorian_years_report_no_calendar() -> None:
    conv, _ = parse((OWN / "ja_12h.txt").read_bytes())
    assert not any("calendar" in n for n in conv.notes)


def test_japanese_era_boundary() -> None:
    _, msgs = parse((OWN / "ja_era.txt").read_bytes())
    assert [m.sent_at for m in msgs[:2]] == [utc("2019-04-30 10:00"), utc("2019-05-01 09:30")]


def test_invisible_marks_are_removed_but_no_break_spaces_kept() -> None:
    _conv, msgs = parse((OWN / "invisible_marks.txt").read_bytes())
    assert msgs[0].sender == "+44 7700 900123"
    assert msgs[0].text == "Football at 5?"
    assert (msgs[1].sender, msgs[1].text) == ("Sam", "sure")
    assert msgs[3].text == "bring the\u00a0ball"
    for m in msgs:
        assert not any(ch in (m.text + (m.sender or "")) for ch in "\u200e\u200f\u202a\u202c\ufeff")


def test_ios_group_name_notices() -> None:
    conv, msgs = parse((OWN / "ios_group_notices.txt").read_bytes())
    assert [m.is_system for m in msgs] == [True, True, True, False, False]
    assert msgs[1].sender == "Football Club"
    assert any("'Football Club' only appears before WhatsApp notices" in n for n in conv.notes)


@pytest.mark.parametrize(
    ("name", "assumed", "first"),
    [
        ("ambiguous_24h.txt", DMY, "2021-06-05 10:00"),
        ("ambiguous_us_ampm.txt", MDY, "2021-05-06 10:00"),
    ],
)
def test_ambiguous_date_order(name: str, assumed: str, first: str) -> None:
    conv, msgs = parse((OWN / name).read_bytes())
    order = note(conv, "date order")
    assert order.startswith("date order AMBIGUOUS")
    assert f"assumed {assumed}" in order
    assert msgs[0].sent_at == utc(first)


def test_two_digit_year_first_decided_by_time_order() -> None:
    data = "20/12/31, 23:59 - A: pizza\n21/01/01, 00:05 - B: yes\n21/01/02, 10:00 - A: ok\n"
    conv, msgs = parse(data.encode())
    assert note(conv, "date order").startswith(f"date order {YMD}: every date also reads as")
    assert msgs[0].sent_at == utc("2020-12-31 23:59")


# --- time zones and odd times ------------------------------------------------------------------


def test_local_times_use_the_zone_including_clock_changes() -> None:
    data = (
        b"28/03/2021, 01:30 - A: before the change\n"
        b"28/03/2021, 02:30 - A: in the gap\n"
        b"28/03/2021, 03:30 - B: after the change\n"
        b"29/03/2021, 12:00 - B: next day\n"
    )
    conv, msgs = parse(data, tz="Europe/Berlin")
    assert [m.sent_at for m in msgs] == [
        utc("2021-03-28 00:30"),
        utc("2021-03-28 01:30"),
        utc("2021-03-28 01:30"),
        utc("2021-03-29 10:00"),
    ]
    assert msgs[1].time_note is not None and "clock change" in msgs[1].time_note
    assert msgs[0].time_note is None and msgs[2].time_note is None
    assert all(m.tz_assumed == "Europe/Berlin" for m in msgs)
    assert note(conv, "local times") == "local times read as Europe/Berlin (test)"


def test_unknown_ampm_word_keeps_the_message_without_time() -> None:
    data = "31/12/2020, 11:59 zz - Bob: pizza?\n31/12/2020, 11:58 zz - Amy: yes\n"
    conv, msgs = parse(data.encode())
    assert [m.text for m in msgs] == ["pizza?", "yes"]
    assert all(m.sent_at is None and "'zz'" in (m.time_note or "") for m in msgs)
    assert any(n.startswith("2 message(s) have no time") for n in conv.notes)


def test_hijri_year_is_not_converted() -> None:
    _conv, msgs = parse(b"1442/05/10, 10:00 - Ali: homework?\n")
    assert msgs[0].sent_at is None
    assert "Solar Hijri or Islamic" in (msgs[0].time_note or "")


def test_pm_with_24_hour_time_is_noted() -> None:
    _, msgs = parse(b"1/29/18, 23:59 PM - Bob: late\n1/30/18, 12:00 AM - Amy: ok\n")
    assert msgs[0].sent_at == utc("2018-01-29 23:59")
    assert "read as a 24-hour time" in (msgs[0].time_note or "")
    assert msgs[1].sent_at == utc("2018-01-30 00:00")


# --- structure: preamble, stray layouts, encodings ----------------------------------------------


def test_text_before_the_first_header_is_skipped_with_its_line() -> None:
    data = b"Chat export\n\nnotes\n12/05/2021, 10:00 - Sam: hi\n"
    conv, msgs = parse(data)
    assert [s.source_location for s in conv.skipped] == ["line 1", "line 3"]
    assert conv.skipped[0].raw == "Chat export"
    assert msgs[0].source_location == "line 4"


def test_header_in_another_layout_is_not_merged() -> None:
    data = (
        b"12/05/2021, 10:00 - Sam: football at 5?\n"
        b"12/05/2021, 10:01 - Amy: yes\n"
        b"[13/05/2021, 10:02:03] Sam: bring water\n"
        b"13/05/2021, 10:03 - Amy: ok\n"
    )
    conv, msgs = parse(data)
    assert [m.text for m in msgs] == ["football at 5?", "yes", "bring water", "ok"]
    assert msgs[2].sent_at == utc("2021-05-13 10:02:03")
    assert msgs[2].source_location == "line 3"
    assert any("another layout" in n and "line" in n for n in conv.notes)


def test_utf16_crlf_and_undecodable_bytes() -> None:
    text = (
        "12/05/2021, 10:00 - Sam: pizza?\r\nwith extra cheese\r\n13/05/2021, 10:01 - Amy: yes\r\n"
    )
    _, msgs = parse(text.encode("utf-16"))
    assert [m.text for m in msgs] == ["pizza?\nwith extra cheese", "yes"]
    broken = text.encode().replace(b"cheese", b"ch\xffese")
    conv, msgs = parse(broken)
    assert msgs[0].text == "pizza?\nwith extra ch\ufffdese"
    at = broken.index(b"\xff")
    assert any(n.startswith("1 undecodable") and f"offset {at})" in n for n in conv.notes)


def test_author_colon_without_space() -> None:
    data = b"12/05/2021, 10:00 - John Doe: hello\n12/05/2021, 10:01 - John Doe:.\n12/05/2021, 10:02 - Amy:\n"
    _, msgs = parse(data)
    assert [(m.sender, m.text) for m in msgs] == [
        ("John Doe", "hello"),
        ("John Doe", "."),
        ("Amy", ""),
    ]


def test_system_line_with_quoted_colon_has_no_author() -> None:
    data = '12/05/2021, 10:00 - Sam changed the subject from "Pizza: Friday" to "Football"\n'
    _, msgs = parse(data.encode())
    assert msgs[0].sender is None and msgs[0].is_system


# --- hostile and foreign input -----------------------------------------------------------------


def test_binary_garbage_raises_parse_error() -> None:
    garbage = random.Random(7).randbytes(200_000)
    assert PARSER.sniff(garbage[:65536], "x.txt").score == 0.0
    with pytest.raises(ParseError) as err:
        parse(garbage, "garbage.bin")
    assert "garbage.bin" in str(err.value)
    assert "offset" in str(err.value) or "line 1" in str(err.value)


def test_empty_file_raises_parse_error() -> None:
    with pytest.raises(ParseError, match=r"empty\.txt, line 1"):
        parse(b"", "empty.txt")


def test_messages_are_streamed_and_participants_filled_as_they_go() -> None:
    data = (OWN / "en-GB_android_24h.txt").read_bytes()
    conv = next(iter(PARSER.parse(io.BytesIO(data), "chat.txt", ParseOptions())))
    assert not isinstance(conv.messages, list | tuple)
    assert conv.participants == []
    first = next(iter(conv.messages))
    assert first.source_location == "line 1"
    rest = list(conv.messages)
    assert len(rest) == 8
    assert [p.platform_id for p in conv.participants] == ["Alice", "Bob"]


def test_plain_text_raises_parse_error_naming_line() -> None:
    with pytest.raises(ParseError, match=r"notes\.txt, line 1: no WhatsApp message header"):
        parse(b"shopping list\nmilk\npizza\n", "notes.txt")


def test_sniff() -> None:
    good = (OWN / "en-GB_android_24h.txt").read_bytes()
    assert PARSER.sniff(good, "WhatsApp Chat with Bob.txt").score >= 0.9
    assert PARSER.sniff(b'{"messages": []}', "result.json").score == 0.0
    assert PARSER.sniff(_zip({"_chat.txt": good}), "export.zip").score >= 0.8


# --- zip exports -------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_android_zip_with_media() -> None:
    chat = (
        b"01/02/2021, 10:00 - Coach: IMG-20210201-WA0001.jpg (file attached)\nTeam photo\n"
        b"01/02/2021, 10:01 - Coach: VID-20210201-WA0002.mp4 (file attached)\n"
        b"01/02/2021, 10:02 - Coach: <Media omitted>\n"
        b"13/02/2021, 10:03 - Kim: nice\n"
    )
    data = _zip({"WhatsApp Chat with Coach.txt": chat, "IMG-20210201-WA0001.jpg": b"\xff\xd8jpeg"})
    conv, msgs = parse(data, "WhatsApp Chat with Coach.zip")
    assert conv.title == "Coach"
    present, missing, omitted = (m.attachments[0] for m in msgs[:3])
    assert present.status is AttachmentStatus.PRESENT
    assert (present.source_path, present.size) == ("IMG-20210201-WA0001.jpg", 6)
    assert msgs[0].text == "Team photo"
    assert (
        missing.status is AttachmentStatus.MISSING
        and missing.file_name == "VID-20210201-WA0002.mp4"
    )
    assert omitted.status is AttachmentStatus.OMITTED


def test_ios_zip_with_media_in_a_folder() -> None:
    chat = (
        "[01/02/2021, 10:00:00] Kim: \u200e<attached: 00000003-PHOTO-2021-02-01-10-00-00.jpg>\n"
        "[13/02/2021, 10:01:00] Lee: see you at practice\n"
    ).encode()
    data = _zip({"Chat/_chat.txt": chat, "Chat/00000003-PHOTO-2021-02-01-10-00-00.jpg": b"jpg"})
    conv, msgs = parse(data, "WhatsApp Chat - Football.zip")
    assert conv.title == "Football"
    (att,) = msgs[0].attachments
    assert att.status is AttachmentStatus.PRESENT
    assert att.source_path == "Chat/00000003-PHOTO-2021-02-01-10-00-00.jpg"


def test_zip_without_chat_raises() -> None:
    with pytest.raises(ParseError, match="no WhatsApp chat text inside the archive"):
        parse(_zip({"notes.txt": b"milk\n", "a.jpg": b"x"}), "other.zip")


def test_zip_path_traversal_is_refused() -> None:
    with pytest.raises(ParseError, match="traversal"):
        parse(_zip({"../_chat.txt": b"12/05/2021, 10:00 - Sam: hi\n"}), "bad.zip")


# --- large input: streaming, late date evidence, replay of unseekable streams ------------------


class _OneWay(io.RawIOBase):
    """A stream that cannot seek (like a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        chunk = self._buf.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def _big_export() -> tuple[bytes, int]:
    """About 1.4 MB: days 1-12 of each month of 2021, over and over, then one day 13. Every
    third message has a continuation line, so some cross the 1 MiB read boundary."""
    lines: list[str] = []
    n = size = 0
    while size < 1_400_000:
        for month in range(1, 13):
            for day in range(1, 13):
                n += 1
                extra = f"\nline two of {n}" if n % 3 == 0 else ""
                line = f"{day:02d}/{month:02d}/2021, 10:{n % 60:02d} - P{n % 4}: msg {n}{extra}\n"
                lines.append(line)
                size += len(line)
    n += 1
    lines.append(f"13/12/2021, 11:00 - P0: msg {n}\n")
    return "".join(lines).encode(), n


@pytest.mark.parametrize("seekable", [True, False])
def test_date_order_decided_past_the_first_megabyte(seekable: bool) -> None:
    data, n = _big_export()
    stream = io.BytesIO(data) if seekable else _OneWay(data)
    conv, msgs = parse(data, stream=stream)  # type: ignore[arg-type]
    assert len(msgs) == n
    assert note(conv, "date order").startswith(f"date order {DMY}: '13/12/2021'")
    assert msgs[-1].sent_at == utc("2021-12-13 11:00")
    assert msgs[0].sent_at == utc("2021-01-01 10:01")
    line = 1
    for i, m in enumerate(msgs, start=1):
        assert m.source_location == f"line {line}"
        expected = f"msg {i}" + (f"\nline two of {i}" if i % 3 == 0 and i != n else "")
        assert m.text == expected
        line += 1 + m.text.count("\n")


def test_no_newline_for_megabytes_stays_bounded_and_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.ingest.formats import whatsapp_read

    monkeypatch.setattr(whatsapp_read, "LONGEST_LINE", 1 << 20)
    blob = bytes(range(32, 127)) * 40_000  # 3.8 MB of printable bytes, no newline
    with pytest.raises(ParseError, match="no WhatsApp message header in the first 1 lines"):
        parse(blob, "blob.txt")


def test_very_long_message_is_kept_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a message limit set above it, a 3 MB line is handed on in pieces and kept whole
    (tests/ingest/test_bounded.py has the default limit cutting it)."""
    from vigil.ingest.formats import whatsapp_read

    monkeypatch.setattr(whatsapp_read, "LONGEST_LINE", 1 << 20)
    long = "é" * 1_500_000  # 3 MB in UTF-8, cut into pieces between characters
    data = f"12/05/2021, 10:00 - Sam: {long}\n13/05/2021, 10:01 - Amy: ok\n".encode()
    options = ParseOptions(tz=ZoneInfo("UTC"), limits=Limits(max_message_bytes=8 << 20))
    (conv,) = PARSER.parse(io.BytesIO(data), "chat.txt", options)
    msgs = list(conv.messages)
    assert [len(m.text) for m in msgs] == [1_500_000, 2]
    assert msgs[0].text == long
    assert msgs[1].source_location == "line 2"


def _all_whatsapp_files(shared: Path) -> list[Path]:
    own = sorted(OWN.rglob("*.txt"))
    return own + sorted((shared / "chats" / "whatsapp").rglob("*.txt"))


@pytest.mark.parametrize("piece", [1, 40, 300])
def test_small_pieces_parse_the_same(
    shared_fixtures: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    """The message loop cuts the text into pieces after newlines; where the cuts fall (even
    after every line) changes nothing, including multi-line messages that span a cut."""
    from vigil.ingest.formats import whatsapp_run

    files = _all_whatsapp_files(shared_fixtures)
    assert len(files) > 20
    big, _ = _big_export()
    inputs = [p.read_bytes() for p in files] + [big[:200_000]]
    expected = []
    for data in inputs:
        conv, msgs = parse(data)
        expected.append((msgs, conv.participants, conv.notes, conv.skipped))
    monkeypatch.setattr(whatsapp_run, "PIECE", piece)
    for data, want in zip(inputs, expected, strict=True):
        conv, msgs = parse(data)
        assert (msgs, conv.participants, conv.notes, conv.skipped) == want


@pytest.mark.parametrize("size", [1, 5, 12, 64])
def test_line_pieces_cut_after_newlines_and_keep_long_lines(size: int) -> None:
    from vigil.ingest.formats.whatsapp_read import _line_pieces

    rng = random.Random(size)
    lines = ["x" * rng.randint(0, 30) + "\n" for _ in range(200)]
    raw = "".join(lines).encode()
    parts = list(_line_pieces(raw, size))
    assert b"".join(parts) == raw
    for part in parts:
        assert part.endswith(b"\n")
        # longer than size only when it is one line
        assert len(part) <= size or part.count(b"\n") == 1
