"""WhatsApp exports from phones set to other calendars (issue 19, item 1).

The exports are synthetic (benign content) and written in the header shapes iOS and Android use
with each calendar; every converted date is checked against a known Gregorian date.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import whatsapp_calendar as cal
from vigil.ingest.formats.whatsapp_txt import PARSER
from vigil.model import Conversation, Message


def parse(text: str) -> tuple[Conversation, list[Message]]:
    options = ParseOptions(tz=ZoneInfo("UTC"), tz_source="test")
    (conv,) = PARSER.parse(io.BytesIO(text.encode()), "chat.txt", options)
    return conv, list(conv.messages)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CASES = [
    # id, export, calendar named in the note, expected UTC times
    (
        "ios-buddhist-BE",
        "[3/18/2565 BE, 14:56:01] Somchai: football practice tomorrow?\n"
        "[3/19/2565 BE, 09:00:00] Malee: yes, at nine\n",
        "Thai Buddhist era",
        ["2022-03-18 14:56:01", "2022-03-19 09:00:00"],
    ),
    (
        "ios-japanese-era-in-year",
        "[3/18/R4, 14:56:01] Taro: homework done?\n[3/19/R4, 8:05:00] Hanako: almost\n",
        "Japanese era",
        ["2022-03-18 14:56:01", "2022-03-19 08:05:00"],
    ),
    (
        "ios-japanese-heisei-to-reiwa",
        "[4/30/H31, 10:00:00] Taro: last day of Heisei\n[5/1/R1, 09:30:00] Hanako: first of Reiwa\n",
        "Japanese era",
        ["2019-04-30 10:00:00", "2019-05-01 09:30:00"],
    ),
    (
        "japanese-kanji-era-in-year",
        "[3/18/令和4 14:56:01] 太郎: 宿題おわった？\n[3/19/令和4 8:00:00] 花子: まだ\n",
        "Japanese era",
        ["2022-03-18 14:56:01", "2022-03-19 08:00:00"],
    ),
    (
        "roc-prefix",
        "[民國112/3/18 14:56:01] 小明: 明天踢足球嗎？\n[民國112/3/19 09:00:00] 小華: 好\n",
        "Republic of China (Minguo)",
        ["2023-03-18 14:56:01", "2023-03-19 09:00:00"],
    ),
    (
        "roc-simplified-prefix",
        "民国112/3/18 14:56 - 小明: 作业写完了吗？\n民国112/3/19 09:00 - 小华: 写完了\n",
        "Republic of China (Minguo)",
        ["2023-03-18 14:56:00", "2023-03-19 09:00:00"],
    ),
    (
        "roc-three-digit-year-zh-TW",
        "[112/3/18 14:56:01] 小明: 明天踢足球嗎？\n[112/3/19 09:00:00] 小華: 好\n",
        "Republic of China (Minguo)",
        ["2023-03-18 14:56:01", "2023-03-19 09:00:00"],
    ),
    (
        "roc-minguo-suffix",
        "[3/18/112 Minguo, 14:56:01] Ming: pizza tonight?\n[3/19/112 Minguo, 9:00:00] Hua: ok\n",
        "Republic of China (Minguo)",
        ["2023-03-18 14:56:01", "2023-03-19 09:00:00"],
    ),
    (
        "ios-islamic-AH",
        "[1/1/1445 AH, 10:00:00] Ali: is practice on?\n[1/13/1445 AH, 18:30:00] Sara: yes\n",
        "Islamic (Hijri)",
        ["2023-07-19 10:00:00", "2023-07-31 18:30:00"],
    ),
    (
        "arabic-android-islamic-mark",
        "١‏/١‏/١٤٤٥ هـ، ١٠:٠٠ ص - علي: هل التدريب غدا؟\n١٣‏/١‏/١٤٤٥ هـ، ٦:٣٠ م - سارة: نعم\n",
        "Islamic (Hijri)",
        ["2023-07-19 10:00:00", "2023-07-31 18:30:00"],
    ),
    (
        "arabic-digits-unmarked-islamic",
        "١‏/١‏/١٤٤٥، ١٠:٠٠ ص - علي: هل التدريب غدا؟\n١٣‏/١‏/١٤٤٥، ٦:٣٠ م - سارة: نعم\n",
        "Islamic (Hijri)",
        ["2023-07-19 10:00:00", "2023-07-31 18:30:00"],
    ),
    (
        "ios-persian-AP",
        "[1/1/1402 AP, 10:00:00] Reza: happy Nowruz\n[1/13/1402 AP, 12:00:00] Maryam: picnic?\n",
        "Persian (Solar Hijri)",
        ["2023-03-21 10:00:00", "2023-04-02 12:00:00"],
    ),
    (
        "persian-digits-unmarked",
        "۱۴۰۲/۰۱/۰۱، ۱۰:۰۰ - رضا: نوروز مبارک\n۱۴۰۲/۰۱/۱۳، ۱۲:۰۰ - مریم: پیک‌نیک؟\n",
        "Persian (Solar Hijri)",
        ["2023-03-21 10:00:00", "2023-04-02 12:00:00"],
    ),
    (
        "ios-hebrew-AM-12h-clock",
        "[1/1/5784 AM, 10:00:00 AM] Noa: homework?\n[1/15/5784 AM, 6:30:00 PM] Eli: done\n",
        "Hebrew",
        ["2023-09-16 10:00:00", "2023-09-30 18:30:00"],
    ),
    (
        "ios-hebrew-adar-ii-leap-year",
        "[7/15/5782 AM, 09:00:00] Noa: costume party?\n[8/15/5782 AM, 09:00:00] Eli: next month\n",
        "Hebrew",
        ["2022-03-18 09:00:00", "2022-04-16 09:00:00"],
    ),
    (
        "ios-indian-saka",
        "[1/1/1944 Saka, 10:00:00] Rahul: new year!\n[1/15/1944 Saka, 10:00:00] Priya: cricket?\n",
        "Indian national (Saka)",
        ["2022-03-22 10:00:00", "2022-04-05 10:00:00"],
    ),
    (
        "ios-ethiopic-ERA1",
        "[1/1/2015 ERA1, 10:00:00] Abebe: new year\n[1/20/2015 ERA1, 10:00:00] Hana: ok\n",
        "Ethiopic",
        ["2022-09-11 10:00:00", "2022-09-30 10:00:00"],
    ),
    (
        "ios-coptic-ERA1",
        "[1/1/1739 ERA1, 10:00:00] Mina: new year\n[1/20/1739 ERA1, 10:00:00] Maria: ok\n",
        "Coptic",
        ["2022-09-11 10:00:00", "2022-09-30 10:00:00"],
    ),
]


@pytest.mark.parametrize(
    ("export", "calendar", "times"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_calendar_export_converted(export: str, calendar: str, times: list[str]) -> None:
    conv, msgs = parse(export)
    assert [m.sent_at for m in msgs] == [at(t) for t in times]
    assert all(m.time_note is None and m.tz_assumed == "UTC" for m in msgs)
    assert len(conv.participants) == 2 and not conv.skipped
    # one note per calendar and way of deciding it (an era change gives two)
    calendar_note, *_ = [n for n in conv.notes if n.startswith("dates read in the")]
    assert calendar in calendar_note
    assert "converted to proleptic Gregorian" in calendar_note
    assert f"= {times[0][:10]}" in calendar_note  # the example is the first date
    assert not any("another layout" in n for n in conv.notes)


@pytest.mark.parametrize(
    ("export", "calendar", "times"), [c[1:] for c in CASES[:2]], ids=["be", "r4"]
)
def test_original_header_text_is_kept(export: str, calendar: str, times: list[str]) -> None:
    _, msgs = parse(export)
    first = export.split("\n", 1)[0]
    assert msgs[0].local_time_text == first[1 : first.index("]")]


def test_islamic_note_warns_of_other_islamic_calendars() -> None:
    conv, _ = parse(CASES[8][1])
    assert any("Umm al-Qura" in n and "one or two days" in n for n in conv.notes)


@pytest.mark.parametrize(
    ("export", "why"),
    [
        ("1442/05/10, 10:00 - Ali: homework?\n", "Solar Hijri or Islamic"),
        # Persian digits but an Islamic-range year: the digits and the year disagree
        ("۱۴۴۵/۰۱/۰۱، ۱۰:۰۰ - رضا: سلام\n", "Solar Hijri or Islamic"),
        # a Hebrew mark on a year no WhatsApp export can hold
        ("[3/18/1999 AM, 10:00:00] Noa: hi\n", "outside the years"),
        ("[3/18/1739 ERA0, 10:00:00] Mina: hi\n", "'ERA0'"),
    ],
)
def test_undecided_calendar_keeps_text_without_time(export: str, why: str) -> None:
    conv, msgs = parse(export)
    (msg,) = msgs
    assert msg.sent_at is None and msg.tz_assumed is None
    assert msg.time_note is not None and msg.time_note.startswith(cal.UNDECIDED)
    assert why in msg.time_note
    assert msg.text and msg.local_time_text
    assert any(n.startswith("1 message(s) have no time: calendar not decided") for n in conv.notes)


def test_date_impossible_in_its_calendar_has_no_time() -> None:
    # Esfand 1401 has 29 days; the first line decides month/day order
    _, msgs = parse("[12/20/1401 AP, 10:00:00] Reza: hi\n[12/30/1401 AP, 10:00:00] Reza: hi\n")
    assert msgs[0].sent_at == at("2023-03-11 10:00:00")
    assert msgs[1].sent_at is None
    assert "no such date in the Persian (Solar Hijri) calendar" in (msgs[1].time_note or "")


@pytest.mark.parametrize(
    ("cal_", "ymd", "gregorian"),
    [
        (cal.BUDDHIST, (2565, 3, 18), (2022, 3, 18)),
        (cal.ROC, (112, 1, 1), (2023, 1, 1)),
        (cal.ISLAMIC, (1445, 1, 1), (2023, 7, 19)),
        (cal.PERSIAN, (1402, 1, 1), (2023, 3, 21)),
        (cal.HEBREW, (5784, 1, 1), (2023, 9, 16)),  # 1 Tishrei
        (cal.HEBREW, (5783, 6, 1), (2023, 2, 22)),  # 1 Adar, common year
        (cal.HEBREW, (5783, 12, 29), (2023, 9, 15)),  # 29 Elul, the day before 5784
        (cal.HEBREW, (5784, 13, 29), (2024, 10, 2)),  # 29 Elul in a leap year
        (cal.japanese("R"), (4, 3, 18), (2022, 3, 18)),
        (cal.japanese("平成"), (31, 4, 30), (2019, 4, 30)),
    ],
)
def test_known_dates(
    cal_: cal.Calendar, ymd: tuple[int, int, int], gregorian: tuple[int, int, int]
) -> None:
    assert cal_.to_gregorian(*ymd) == gregorian


def test_hebrew_month_13_only_in_leap_years() -> None:
    assert cal.HEBREW.to_gregorian(5783, 13, 1) is None
    assert cal.HEBREW.to_gregorian(5784, 13, 1) == (2024, 9, 4)


def test_split_finds_era_and_mark() -> None:
    assert cal.split("3/18/R4") == cal.DateParts(["3", "18", "4"], "R", 2, None, "")
    assert cal.split("令和4/3/18") == cal.DateParts(["4", "3", "18"], "令和", 0, None, "")
    assert cal.split("3/18/2565 BE").suffix == "BE"
    assert cal.split("١‏/١‏/١٤٤٥ هـ").suffix == "هـ"
    assert cal.split("۱۴۰۲/۰۱/۰۱").digits == "persian"


@pytest.mark.parametrize("export", [CASES[0][1], CASES[1][1], CASES[9][1], CASES[12][1]])
def test_calendar_exports_are_detected(export: str) -> None:
    from vigil.ingest.detect import detect
    from vigil.ingest.formats import vigil_parsers

    choice = detect(export.encode(), "_chat.txt", vigil_parsers())
    assert choice.parser.name == "whatsapp_txt", choice.bids


def test_persian_and_islamic_marks_in_their_own_scripts() -> None:
    for mark in ("ه.ش.", "ه\u200d.ش."):
        parts = cal.split(f"۱۴۰۲/۱/۱ {mark}")
        assert parts.suffix == mark
        assert cal.decide("1402", parts)[0] is cal.PERSIAN
    assert cal.decide("1445", cal.split("١/١/١٤٤٥ هـ"))[0] is cal.ISLAMIC
