"""Reading, without the engine's own judgement in the way: low-confidence words are marked
where they are in the text and kept as read; Discord-style headers split into name and time."""

from __future__ import annotations

from vigil.ocr.engine import Word
from vigil.ocr.read import LOW_CONF, join_words, split_header


def test_low_confidence_words_are_marked_and_kept_as_read() -> None:
    words = [Word("meet", 95.0, 0), Word("at", 91.0, 0), Word("tne", 41.5, 0),
             Word("park", 88.0, 1), Word("S4turday", 20.0, 1)]  # fmt: skip
    t = join_words(words)
    assert t.text == "meet at tne park S4turday"  # nothing corrected
    assert [(t.text[a:b], c) for a, b, c in t.low] == [("tne", 41.5), ("S4turday", 20.0)]
    assert all(c < LOW_CONF for _, _, c in t.low)
    assert t.conf == round((95 + 91 + 41.5 + 88 + 20) / 5, 1)
    assert join_words([]).text == "" and join_words([]).conf == 0.0


def test_headers() -> None:
    name, label = split_header("Jordan Today at 9:16 AM")
    assert name == "Jordan" and label is not None and label.clock == (9, 16)
    assert label.day is not None and label.day.offset == 0
    name, label = split_header("Sam _ 05/12/2026 12:48 PM")
    assert name == "Sam" and label is not None and label.clock == (12, 48)
    name, label = split_header("JORDAN")
    assert name == "JORDAN" and label is None
