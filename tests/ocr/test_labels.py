"""Clock times and day labels as chat screens show them, and their resolution."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.ocr.labels import parse_clock, parse_day, parse_label, split_trailing_clock

REF = date(2026, 12, 7)  # a Monday


@pytest.mark.parametrize(
    ("text", "want"),
    [("14:05", (14, 5)), ("2:05 PM", (14, 5)), ("12:30 am", (0, 30)), ("12:10 p.m.", (12, 10)),
     ("9.41", (9, 41)), ("Today at 9:16 AM", (9, 16))],
)  # fmt: skip
def test_clocks(text: str, want: tuple[int, int]) -> None:
    got = parse_clock(text)
    assert got is not None and got[0] == want


@pytest.mark.parametrize("text", ["25:10", "13:05 PM", "3-1", "12:61", "no time"])
def test_not_clocks(text: str) -> None:
    assert parse_clock(text) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [("Today", REF), ("YESTERDAY", date(2026, 12, 6)), ("Saturday", date(2026, 12, 5)),
     ("MON", date(2026, 11, 30)),  # a weekday label means a day before the reference day
     ("5 December 2026", date(2026, 12, 5)), ("December 5, 2026", date(2026, 12, 5)),
     ("December 5", date(2026, 12, 5)), ("5 Dec 2026,", date(2026, 12, 5)),
     ("December 20", date(2025, 12, 20)),  # no year: the last such day up to the reference
     ("05/12/2026", date(2026, 12, 5)), ("12/25/2026", date(2026, 12, 25)),
     ("TODAY AT", REF)],
)  # fmt: skip
def test_days(text: str, want: date) -> None:
    day = parse_day(text)
    assert day is not None and day.resolve(REF) == want


def test_labels_whole_or_nothing() -> None:
    lab = parse_label("Yesterday 10:54 AM")
    assert lab is not None and lab.clock == (10, 54) and lab.day and lab.day.offset == -1
    assert parse_label("see you at 4:30") is None  # a message mentioning a time is no label
    assert parse_label("ok") is None
    lab = parse_label("TODAY")
    assert lab is not None and lab.clock is None


def test_bubble_time_split_from_the_end_only() -> None:
    assert split_trailing_clock("see you at 4:30 16:02") == ("see you at 4:30", (16, 2), "16:02")
    assert split_trailing_clock("meet at 4:30 then") == ("meet at 4:30 then", None, None)
    assert split_trailing_clock("ok 1:20 PM") == ("ok", (13, 20), "1:20 PM")
    assert split_trailing_clock("ok 1313") == ("ok", (13, 13), "1313")  # the colon not read
    assert split_trailing_clock("my team won 3-1") == ("my team won 3-1", None, None)
    assert split_trailing_clock("room 2575") == ("room 2575", None, None)
