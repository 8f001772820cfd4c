"""Overlapping screenshots: repeated messages kept once, from the screenshot that showed them
first; a gap between screenshots said in a note."""

from __future__ import annotations

from vigil.ocr.labels import DayRef, Label
from vigil.ocr.merge import merge, overlap
from vigil.ocr.read import LabelItem, MessageItem, Screen


def msg(side: str, text: str, screen: int, clock: tuple[int, int] | None = None) -> MessageItem:
    return MessageItem(side, text, 90.0, [], (0, 0, 10, 10), screen, clock=clock)


def test_overlap_is_the_longest_matching_run() -> None:
    a = [msg("left", "ok", 0), msg("right", "ok", 0), msg("left", "see you", 0)]
    b = [msg("right", "ok", 1), msg("left", "see you", 1), msg("left", "bye", 1)]
    assert overlap(a, b) == 2
    # a repeated short message does not fool it: the whole run must match
    c = [msg("left", "ok", 1), msg("left", "new", 1)]
    assert overlap(a, c) == 0
    # a misread letter in the second reading still matches; another clock does not
    d = [msg("left", "see yoo", 1)]
    assert overlap(a, d) == 1
    e = [msg("left", "see you", 1, clock=(9, 1))]
    assert overlap([msg("left", "see you", 0, clock=(9, 0))], e) == 0


def test_merge_keeps_each_message_once_and_labels_in_place() -> None:
    today = LabelItem(Label("Today", DayRef("Today", offset=0), None), (0, 0, 1, 1), 1)
    s1 = Screen([msg("left", "one", 0), msg("right", "two", 0), msg("left", "three", 0)])
    s2 = Screen([msg("right", "two", 1), msg("left", "three", 1), today, msg("left", "four", 1)])
    m = merge([s1, s2])
    assert m.repeated == 2
    texts = [it.text if isinstance(it, MessageItem) else "|" for it in m.items]
    assert texts == ["one", "two", "three", "|", "four"]
    assert [it.screen for it in m.items if isinstance(it, MessageItem)] == [0, 0, 0, 1]
    assert m.notes == []


def test_merge_says_when_screenshots_share_nothing() -> None:
    m = merge([Screen([msg("left", "one", 0)]), Screen([msg("left", "five", 1)])])
    assert m.repeated == 0 and len(m.items) == 2
    assert "share no message" in m.notes[0]
