"""The scanner: every engine finds the same hits, spans point at the original text, it pickles.

The second half covers the plain-message prefilter: a message it calls plain really
normalises to its lower-cased text, and scanning with the prefilter gives exactly the findings
of scanning without it.
"""

from __future__ import annotations

import gc
import json
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.analysis.engine import default_engine
from vigil.analysis.normalise import _data, normalise
from vigil.analysis.prefilter import is_plain, plain_form, stripped
from vigil.analysis.scanner import Scanner, ScanPattern, available_engines
from vigil.analysis.taxonomy_load import load_taxonomy


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


# --- the plain-message prefilter -------------------------------------------------------------

needs_hyperscan = pytest.mark.skipif(
    "hyperscan" not in available_engines(), reason="the prefilter runs on Hyperscan"
)
FIXTURES = Path(__file__).parents[1] / "fixtures" / "conversations"


def _scanners() -> tuple[Scanner, Scanner]:
    patterns = default_engine().scanner.patterns
    fast = Scanner(patterns)
    assert fast.prefilter
    return fast, Scanner(patterns, prefilter=False)


def _findings(sc: Scanner, texts: list[str]) -> list[list[tuple[str, int, int, str]]]:
    return [
        sorted((sc.patterns[h.pattern].id, h.start, h.end, h.quote) for h in msg)
        for msg in sc.scan(texts)
    ]


def _assert_same(texts: list[str]) -> None:
    fast, exact = _scanners()
    assert _findings(fast, texts) == _findings(exact, texts)


def _chat_words() -> list[str]:
    """Words that exercise every normaliser step: shorthand, leet, stretching, punctuation."""
    data = _data()
    words = sorted(data.expansions)[::3] + sorted(data.doubles)[::10]
    words += ["meet", "secret", "how", "old", "are", "you", "ok", "OK", "U", "Ur", "pic"]
    words += ["m33t", "@lone", "$ecret", "pleeease", "a.s.l", "d-e-l", "don’t", "dont"]
    words += ["14", "3pm", "£20", "you're", "i'm", "x", "a", "b", "y", "r", "u", "&", "@"]
    words += ["mееt", "ＭＥＥＴ", "\u200bsecret", "café", "😂", "?", ".", "!", "`"]
    words += ["❤️", "👨\u200d👩\u200d👧", "👍🏽", "\u200d", "\ufe0f", "1️⃣"]
    return words


def chat_text() -> st.SearchStrategy[str]:
    word = st.one_of(st.sampled_from(_chat_words()), st.text(max_size=3))
    sep = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "", ". ", ", ", "\x00"])
    return st.lists(st.tuples(word, sep), max_size=14).map(
        lambda parts: "".join(w + s for w, s in parts)
    )


def spaced_words() -> st.SearchStrategy[str]:
    """Words joined by single spaces, so that many generated messages are plain."""
    return st.lists(st.sampled_from(_chat_words()), max_size=10).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(chat_text(), spaced_words()))
def test_plain_messages_normalise_to_their_lower_case(text: str) -> None:
    if is_plain(text):
        assert normalise(text).text == text.lower()


@settings(max_examples=600, deadline=None)
@given(st.one_of(chat_text(), spaced_words()), st.sampled_from(["", " ", "  ", " 😀 "]))
def test_plain_form_is_what_the_normaliser_returns(text: str, end: str) -> None:
    text += end
    form = plain_form(text)
    if form is not None:
        n = normalise(text)
        assert n.text == form
        if text.lower().startswith(form):
            assert n.span_to_original(0, len(form)) == (0, len(form))
        else:  # invisible characters in a run of safe ones are gone
            assert form == stripped(text).rstrip(" ")


@pytest.mark.parametrize(
    ("text", "form"),
    [("how old are you ", "how old are you"), ("ok 😀  ", "ok 😀"), ("Hi", "hi"), ("", "")],
)
def test_trailing_spaces_are_trimmed_without_the_normaliser(text: str, form: str) -> None:
    assert plain_form(text) == form


@pytest.mark.parametrize("text", [" hi", "   ", "u ok ", "hi  there ", "m33t "])
def test_trailing_spaces_do_not_vouch_for_the_rest(text: str) -> None:
    assert plain_form(text) is None


@needs_hyperscan
def test_every_run_of_non_ascii_characters_is_checked() -> None:
    fast, exact = _scanners()
    texts = ["meet me 😀 ok ❤️", "😀 how old are you", "café ❤️", "mееt 😀", "😀😀 secret", "ｍeet"]
    _, normalised, _, _ = fast._candidates(texts)
    assert normalised == {0, 2, 3, 5}  # a variation selector, Cyrillic, fullwidth
    assert _findings(fast, texts) == _findings(exact, texts)


@needs_hyperscan
def test_messages_ending_in_spaces_skip_the_normaliser_and_find_the_same() -> None:
    fast, exact = _scanners()
    texts = ["how old are you ", "are your parents home?  ", "ok ", "keep this between us 😀 "]
    texts += ["wanna meet ", " how old are you", "meet me at the park tonight x "]
    pairs, normalised, trailing, _ = fast._candidates(texts)
    assert normalised == {1, 4, 5}  # double space, leading space, shorthand
    assert trailing == {0, 2, 3, 6}
    assert {m for m, _ in pairs} >= {0, 3, 6}
    assert _findings(fast, texts) == _findings(exact, texts)
    hits = fast.scan(texts)
    assert hits[0] and all(h.end <= len("how old are you") for h in hits[0])


@pytest.mark.parametrize(
    "text",
    [
        "wanna chat",
        "u ok",
        "pleeease",
        "d e l e t e",
        "a.s.l",
        "m33t me",
        "it's",
        "hi  there",
        " hi",
        "hi ",
        "line\nbreak",
        "ＭＥＥＴ",
        "don`t",
    ],
)
def test_texts_the_normaliser_changes_are_not_plain(text: str) -> None:
    assert normalise(text).text != text.lower()
    assert not is_plain(text)


@pytest.mark.parametrize(
    "text", ["", "how old are you", "Can We Meet Tomorrow?", "i got a b", "ok thx cos soz"]
)
def test_plain_texts(text: str) -> None:
    assert is_plain(text)


@pytest.mark.parametrize(
    "text", ["meet me 😀", "café tonight", "お元気ですか", "🇩🇰 ✈ 🏊🏻", "€20 or £20", "naïve"]
)
def test_safe_non_ascii_characters_keep_a_message_plain(text: str) -> None:
    assert is_plain(text) and normalise(text).text == text.lower()


@pytest.mark.parametrize(
    "text",
    [
        "love you ❤️",  # U+FE0F variation selector: removed by the normaliser
        "cafe\u0301",  # a combining accent composes under NFKC
        "ｍeet",  # fullwidth
        "mееt",  # Cyrillic look-alikes
        "hi\u00a0there",  # no-break space
        "Ünder",  # upper case beyond ASCII
        "ﬁne",  # ligature
        "don’t",  # typographic apostrophe
        "\u1100\u1161",  # conjoining jamo compose
        "hi \ud800",  # a lone surrogate (JSON can carry one)
    ],
)
def test_characters_the_normaliser_touches_are_not_safe(text: str) -> None:
    assert not is_plain(text)


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_chat_words()), st.characters(min_codepoint=0x80).map(str)),
        max_size=8,
    ),
    st.sampled_from([" ", ""]),
)
def test_any_character_said_safe_leaves_normalisation_alone(words: list[str], sep: str) -> None:
    text = sep.join(words)
    if is_plain(text):
        assert normalise(text).text == text.lower()


@needs_hyperscan
def test_taxonomy_examples_and_near_misses_scan_the_same() -> None:
    tax = load_taxonomy("en")
    texts = [t for p in tax.patterns() for t in (*p.examples, *p.near_misses)]
    assert len(texts) > 200
    _assert_same(texts)
    _assert_same([t.upper() for t in texts])
    fast, _ = _scanners()
    assert all(any(msg) for msg in fast.scan([ex for p in tax.patterns() for ex in p.examples]))


@needs_hyperscan
def test_fixture_conversations_scan_the_same() -> None:
    texts = [
        m["text"]
        for path in sorted(FIXTURES.rglob("*.json"))
        for m in json.loads(path.read_text(encoding="utf-8"))["messages"]
    ]
    assert len(texts) > 100
    _assert_same(texts)


@needs_hyperscan
@settings(max_examples=300, deadline=None)
@given(st.lists(chat_text(), max_size=12))
def test_generated_chat_scans_the_same(texts: list[str]) -> None:
    _assert_same(texts)


@needs_hyperscan
@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_chat_words()), min_size=1, max_size=8))
def test_cues_among_plain_and_obfuscated_messages_scan_the_same(extra: list[str]) -> None:
    tax = load_taxonomy("en")
    cues = [ex for p in tax.patterns() for ex in p.examples][::7]
    _assert_same([f"{c} {' '.join(extra)}" for c in cues] + [f"{' '.join(extra)}{c}" for c in cues])


def test_prefilter_only_with_the_default_normaliser_and_hyperscan() -> None:
    patterns = default_engine().scanner.patterns
    assert not Scanner(patterns, engine="python").prefilter
    assert not Scanner(patterns, prefilter=False).prefilter
    back = pickle.loads(pickle.dumps(Scanner(patterns, prefilter=False)))
    assert not back.prefilter


@needs_hyperscan
@pytest.mark.parametrize(
    "texts",
    [
        ["   "],
        [""],
        ["\x00"],
        ["how old\x00 are you", "how old are u", "How Old Are You"],
        ["hi there", "ho\x00w old are you"],  # its only hit shows once the NUL is gone
        ["how old are you", " ", "how old r u", "", "HOW OLD ARE YOU\n"],
        ["u", "how old are you"],  # a flagged message right before a plain one
        ["how old are you 😀", "how old are u 😀", "how old are you ❤️"],
    ],
)
def test_edge_batches_scan_the_same(texts: list[str]) -> None:
    _assert_same(texts)


@needs_hyperscan
def test_flagged_and_plain_messages_are_both_found_with_original_quotes() -> None:
    fast, _ = _scanners()
    texts = ["How Old Are You", "how old r u", "how old\x00 are you", "u", "hi there"]
    quotes = [[h.quote for h in msg] for msg in fast.scan(texts)]
    assert quotes[:3] == [["How Old Are You"], ["how old r u"], ["how old\x00 are you"]]
    assert quotes[3:] == [[], []]


def test_compiled_database_is_cached_on_disk_and_reused(tmp_path: Path) -> None:
    pytest.importorskip("hyperscan")
    from vigil.analysis import scanner as mod

    pats = [ScanPattern("x.1", "c", r"\bcan we meet\b"), ScanPattern("x.2", "c", r"\bour secret\b")]
    try:
        mod.set_database_cache(tmp_path)
        hs_engine = mod._Hyperscan(tuple(p.pattern for p in pats))
        files = sorted(tmp_path.glob("hs-*.db"))
        assert len(files) == 1
        stamp = files[0].stat().st_mtime_ns
        again = mod._Hyperscan(tuple(p.pattern for p in pats))  # loaded, not rebuilt
        assert files[0].stat().st_mtime_ns == stamp
        text = "so can we meet\x00its our secret"
        assert again.candidates([], text) == hs_engine.candidates([], text) == [(0, 0), (1, 1)]
        files[0].write_bytes(b"garbage")  # a corrupt cache file is ignored and replaced
        third = mod._Hyperscan(tuple(p.pattern for p in pats))
        assert third.candidates([], text) == [(0, 0), (1, 1)]
    finally:
        mod.set_database_cache(None)


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=40), st.booleans())
def test_unique_of_message_numbers_equals_numpy_unique(values: list[int], presort: bool) -> None:
    import numpy as np

    from vigil.analysis.scanner import _unique

    arr = np.asarray(sorted(values) if presort else values, dtype=np.int64)
    assert _unique(arr).tolist() == np.unique(arr).tolist()


@pytest.mark.parametrize("engine", available_engines())
def test_a_lone_surrogate_does_not_stop_the_scan(engine: str) -> None:
    sc = Scanner(default_engine().scanner.patterns, engine=engine)
    texts = ["how old are you \ud83d", "hi", "how old are you"]
    hits = sc.scan(texts)
    assert [(h.start, h.end) for h in hits[0]] == [(0, 15)]
    assert not hits[1] and [(h.start, h.end) for h in hits[2]] == [(0, 15)]


def test_long_batches_are_scanned_in_chunks_with_the_right_message_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigil.analysis import scanner as module

    sc = default_engine().scanner
    texts = ["hello", "how old are you", "ok", "keep this between us", "m33t me"] * 3
    whole = sc.scan(texts)
    assert sum(map(len, whole)) >= 6
    monkeypatch.setattr(module, "CHUNK", 4)
    chunked = sc.scan(texts)
    assert [list(h) for h in chunked] == [list(h) for h in whole]
    assert all(h.message == i for i, hits in enumerate(chunked) for h in hits)


class _GcWatcher(LowerNormaliser):
    """Notes whether the garbage collector was on each time the scanner normalised."""

    def __init__(self) -> None:
        self.seen: list[bool] = []

    def normalise_blob(self, texts: Sequence[str], sep: str = "\x00") -> str:
        self.seen.append(gc.isenabled())
        return super().normalise_blob(texts, sep)


def test_scan_pauses_the_garbage_collector_and_leaves_it_as_it_was() -> None:
    watcher = _GcWatcher()
    sc = Scanner(PATTERNS, normaliser=watcher)
    assert gc.isenabled()
    sc.scan(TEXTS)
    assert watcher.seen == [False] and gc.isenabled()
    gc.disable()
    try:
        sc.scan(TEXTS)
        assert not gc.isenabled()
    finally:
        gc.enable()


# characters for run tests: safe emoji and symbols, characters the normaliser touches (curly
# quote, capital, combining mark, variation selector, fullwidth letter), a long ZWJ sequence
_RUN_CHARS = ["😀", "🇩🇰", "🏊🏻", "✈", "❤", "\ufe0f", "’", "É", "\u0301", "Ａ", "é", "ß", "€",
              "👨\u200d👩\u200d👧\u200d👦", "ж"]  # fmt: skip


def _runs_by_one(data: bytes, starts: list[int]) -> list[int]:
    from vigil.analysis.prefilter import NON_ASCII_RUN, run_verdict

    return [run_verdict(NON_ASCII_RUN.match(data, s).group()) for s in starts]  # type: ignore[union-attr]


def _run_starts(data: bytes) -> list[int]:
    import re

    return [m.start() for m in re.finditer(rb"[\x80-\xff]+", data)]


@given(
    st.lists(
        st.lists(st.sampled_from(_RUN_CHARS), min_size=1, max_size=12).map("".join)
        | st.sampled_from(["a", " ", "x y", "\x00", "ok"]),
        max_size=40,
    ),
    st.booleans(),
)
def test_run_verdicts_equal_checking_each_run(pieces: list[str], collide: bool) -> None:
    import numpy as np

    from vigil.analysis import prefilter

    data = "".join(pieces).encode("utf-8")
    starts = _run_starts(data)
    if collide:  # every window of up to 24 bytes gets the same key: the row check must catch it
        original = prefilter._MIX
        prefilter._MIX = 0
    try:
        got = prefilter.run_verdicts(data, np.asarray(starts, dtype=np.int64)).tolist()
    finally:
        if collide:
            prefilter._MIX = original
    assert got == _runs_by_one(data, starts)


@given(
    st.lists(
        st.sampled_from(["", " ", "  ", "hi", "hi ", " hi", "a b ", "ok😀 ", "é "]),
        min_size=1,
        max_size=12,
    )
)
def test_messages_ending_in_a_space_are_read_at_the_separators(texts: list[str]) -> None:
    import numpy as np

    from vigil.analysis.scanner import _ending_in_space

    arr = np.frombuffer("\x00".join(texts).encode("utf-8"), dtype=np.uint8)
    seps = np.flatnonzero(arr == 0)
    expected = [i for i, t in enumerate(texts) if t.endswith(" ")]
    assert _ending_in_space(arr, seps).tolist() == expected


@needs_hyperscan
@pytest.mark.parametrize("verdict", ["SAFE", "STRIPPABLE"])
def test_the_nfkc_check_catches_a_message_the_run_check_wrongly_passes(
    monkeypatch: pytest.MonkeyPatch, verdict: str
) -> None:
    from vigil.analysis import prefilter

    fast, _ = _scanners()
    texts = ["hi 😀", "ＨＯＷ ＯＬＤ ＡＲＥ ＹＯＵ", "how old are you 😀", "é"]
    expected = [[h.quote for h in msg] for msg in fast.scan(texts)]
    assert expected[1:3] == [["ＨＯＷ ＯＬＤ ＡＲＥ ＹＯＵ"], ["how old are you"]]
    wrong = getattr(prefilter, verdict)
    monkeypatch.setattr(prefilter, "run_verdict", lambda run: wrong)  # every run said so
    assert [[h.quote for h in msg] for msg in fast.scan(texts)] == expected


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("love you ❤️", "love you ❤"),
        ("👨\u200d👩\u200d👧 How old are you ", "👨👩👧 how old are you"),
        ("ok 👍🏽\ufe0f", "ok 👍🏽"),
        ("how\u200bold are you", None),  # nothing visible left in that run
        ("\u200d", None),
        ("❤️\u0301", None),  # a combining mark is not safe
        ("1️⃣ meet", None),  # nor is the enclosing keycap
        ("ur ❤️", None),  # shorthand still counts
    ],
)
def test_invisible_characters_in_runs_of_safe_ones_are_stripped(
    text: str, form: str | None
) -> None:
    assert plain_form(text) == form
    if form is not None:
        assert normalise(text).text == form


@needs_hyperscan
def test_strippable_messages_are_matched_on_their_stripped_text() -> None:
    fast, exact = _scanners()
    family = "👨\u200d👩\u200d👧\u200d👦"
    texts = ["how old are you ❤️", "❤️ How Old Are You", f"how old are you {family} ok", "ok ❤️"]
    # the gap before "post" is 32 characters with the joiners, 20 without: only the
    # normalised (stripped) text matches
    texts.append(f"if you tell {family * 4} i post")
    pairs, normalised, _, _ = fast._candidates(texts)
    assert normalised == {0, 1, 2, 3, 4}
    assert {m for m, _ in pairs} == {0, 1, 2, 4}
    assert _findings(fast, texts) == _findings(exact, texts)
    quotes = [[h.quote for h in msg] for msg in fast.scan(texts)]
    assert quotes[1] == ["How Old Are You"] and quotes[2] == ["how old are you"]
    assert quotes[4] and quotes[4][0].startswith("if you tell") and quotes[4][0].endswith("post")


# --- spans=False: the same hits, quoted from the normalised text ---------------------------------


def _hit_keys(sc: Scanner, texts: list[str], spans: bool) -> list[list[tuple[str, str]]]:
    """Each hit's pattern and, for a stated age, the numbers quoted (what scoring reads)."""
    digits = re.compile(r"\b\d{1,2}\b")

    def key(p: ScanPattern, quote: str) -> tuple[str, str]:
        ages = " ".join(digits.findall(quote)) if "age_disclosure" in p.tags else ""
        return (p.id, ages)

    return [
        sorted(key(sc.patterns[h.pattern], h.quote) for h in msg)
        for msg in sc.scan(texts, spans=spans)
    ]


def _assert_same_without_spans(texts: list[str]) -> None:
    for sc in _scanners():
        assert _hit_keys(sc, texts, False) == _hit_keys(sc, texts, True)


def test_without_spans_taxonomy_examples_give_the_same_hits() -> None:
    tax = load_taxonomy()
    texts = [t for p in tax.patterns() for t in (*p.examples, *p.near_misses)]
    _assert_same_without_spans(texts)
    _assert_same_without_spans(["\n".join(texts[i : i + 40]) for i in range(0, len(texts), 40)])


def test_without_spans_fixture_conversations_give_the_same_hits() -> None:
    texts = [
        m["text"]
        for path in sorted(FIXTURES.glob("*/*.json"))
        for m in json.loads(path.read_text(encoding="utf-8"))["messages"]
    ]
    _assert_same_without_spans(texts)
    _assert_same_without_spans([" ".join(texts[i : i + 30]) for i in range(0, len(texts), 30)])


@settings(max_examples=200, deadline=None)
@given(st.lists(chat_text(), max_size=12))
def test_without_spans_generated_chat_gives_the_same_hits(texts: list[str]) -> None:
    _assert_same_without_spans(texts)


# --- RE2 for exact spans, long messages --------------------------------------------------------


def _subset_scanners(prefilter: bool = True) -> tuple[Scanner, Scanner]:
    patterns = default_engine().scanner.patterns
    return (
        Scanner(patterns, subset=True, prefilter=prefilter),
        Scanner(patterns, prefilter=prefilter),
    )


def test_the_default_scanner_uses_re2_for_exact_spans() -> None:
    sc = default_engine().scanner
    assert sc._subset and sc._rx2(0) is not None
    assert Scanner(sc.patterns)._rx2(0) is None  # patterns not known to be in the subset


@pytest.mark.parametrize(
    ("text", "same"),
    [("how old are you", True), ("line\none\ttab", True), ("a\x0bb", False),
     ("a\x1cb", False), ("café", False), ("😀 hi", False), ("", True)],
)  # fmt: skip
def test_re2_reads_only_text_it_reads_as_python_does(text: str, same: bool) -> None:
    from vigil.analysis.scanner import _same_in_re2

    assert _same_in_re2(text) is same


def test_every_pattern_gives_python_re_spans_through_re2() -> None:
    sc = default_engine().scanner
    tax = load_taxonomy()
    texts = [t for p in tax.patterns() for t in (*p.examples, *p.near_misses)]
    texts = [t.lower() for t in texts if t.isascii()]
    joined = " ".join(texts)  # many matches of many patterns in one long text
    used = 0
    for p, expr in enumerate(sc._exprs):
        rx = re.compile(expr)
        for text in [*texts[p % 7 :: 7], joined]:
            want = [m.span() for m in rx.finditer(text) if m.end() > m.start()]
            assert list(sc._spans(p, text, text.encode("ascii"))) == want, (p, text)
            used += bool(want)
    assert used > 200


@needs_hyperscan
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(chat_text(), spaced_words()), max_size=10))
def test_re2_and_python_re_give_the_same_findings(texts: list[str]) -> None:
    for prefilter in (True, False):
        with_re2, without = _subset_scanners(prefilter)
        assert _findings(with_re2, texts) == _findings(without, texts)


@needs_hyperscan
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_chat_words()), min_size=1, max_size=8), st.integers(0, 30))
def test_long_messages_skip_the_prefilter_and_find_the_same(extra: list[str], skip: int) -> None:
    import vigil.analysis.scanner as scanner_module

    tax = load_taxonomy("en")
    cues = [ex for p in tax.patterns() for ex in p.examples][skip::31]
    long = [" ".join([*cues, *extra] * 12), " ".join(extra * 80), " ".join(cues * 3)]
    assert sum(map(len, long)) >= scanner_module.PREFILTER_MEAN_LIMIT * len(long)
    fast, exact = _scanners()
    skipped = _findings(fast, long)
    assert skipped == _findings(exact, long)
    original = scanner_module.PREFILTER_MEAN_LIMIT
    try:
        scanner_module.PREFILTER_MEAN_LIMIT = 10**9  # the prefilter on long messages too
        assert _findings(fast, long) == skipped
    finally:
        scanner_module.PREFILTER_MEAN_LIMIT = original
