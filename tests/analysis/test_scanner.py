"""The scanner: every engine finds the same hits, spans point at the original text, it pickles."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from vigil.analysis.scanner import Scanner, ScanPattern, available_engines


@dataclass
class _Lower:
    text: str

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return start, end


class LowerNormaliser:
    """A length-preserving stand-in normaliser so these tests do not depend on the real one."""

    def normalise(self, text: str) -> _Lower:
        return _Lower(text.lower())

    def normalise_blob(self, texts: Sequence[str], sep: str = "\x00") -> str:
        return sep.join(texts).lower()


PATTERNS = [
    ScanPattern("meet.1", "meeting_travel", r"\b(?:can|could) we meet\b", ("meeting_proposal",)),
    ScanPattern("age.1", "age_identity_probing", r"\bhow old are you\b", ("age_question",)),
    ScanPattern("secret.1", "secrecy_exclusivity", r"\bour (?:little )?secret\b", ("secrecy",)),
    ScanPattern("gift.1", "gifts_inducements", r"\bi(?:'ll| will) buy you\b", ("gift_offer",)),
]

TEXTS = [
    "Hi there",
    "How old are you? can we meet",
    "this is OUR little secret ok",
    "",
    "could we meet the deadline",  # still a match for this simple pattern
    "I'll buy you a phone. how old are you",
    "nothing here \u00e9\u00e8 emoji 😀 how old are you",
]


@pytest.mark.parametrize("engine", available_engines())
def test_engines_agree_and_spans_are_original(engine: str) -> None:
    sc = Scanner(PATTERNS, engine=engine, normaliser=LowerNormaliser())
    hits = sc.scan(TEXTS)
    got = {(h.message, sc.patterns[h.pattern].id, h.quote) for msg in hits for h in msg}
    assert got == {
        (1, "age.1", "How old are you"),
        (1, "meet.1", "can we meet"),
        (2, "secret.1", "OUR little secret"),
        (4, "meet.1", "could we meet"),
        (5, "gift.1", "I'll buy you"),
        (5, "age.1", "how old are you"),
        (6, "age.1", "how old are you"),
    }
    for msg in hits:
        for h in msg:
            assert TEXTS[h.message][h.start : h.end] == h.quote


def test_matches_never_cross_message_boundaries() -> None:
    sc = Scanner(PATTERNS, normaliser=LowerNormaliser())
    hits = sc.scan(["can we", "meet now", "how old", "are you"])
    assert all(not m for m in hits)


def test_pickles_as_its_pattern_list() -> None:
    sc = Scanner(PATTERNS, engine="python", normaliser=LowerNormaliser())
    data = pickle.dumps(sc)
    assert len(data) < 2000  # the pattern list, not a compiled database
    back = pickle.loads(data)
    assert back.patterns == sc.patterns and back.fingerprint == sc.fingerprint


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown scanner engine"):
        Scanner(PATTERNS, engine="magic")
