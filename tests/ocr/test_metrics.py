"""The measures the accuracy tests and bench/ocr.py report."""

from __future__ import annotations

from vigil.ocr.metrics import cer, distance, readable


def test_distance() -> None:
    assert distance("kitten", "sitting") == 3
    assert distance("", "abc") == 3
    assert distance("same", "same") == 0


def test_readable_drops_emoji_only() -> None:
    assert readable("ok 👍") == "ok"
    assert readable("love it ❤️ see you") == "love it see you"
    assert readable("café 3-1 #1!") == "café 3-1 #1!"


def test_cer() -> None:
    assert cer([("hello world", "hello world")]) == 0.0
    assert cer([("hello world 🎉", "hello world")]) == 0.0  # emoji are not asked of OCR
    assert abs(cer([("abcd", "abxd"), ("efgh", "efgh")]) - 1 / 8) < 1e-9
