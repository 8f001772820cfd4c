"""The text normaliser: each step, the fast blob path, and mapping spans back to the original."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.analysis import normalise as norm_module
from vigil.analysis.normalise import normalise, normalise_blob


def n(text: str) -> str:
    return normalise(text).text


# --- individual steps ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("m33t me", "meet me"),
        ("h0me alone", "home alone"),
        ("@lone", "alone"),
        ("$ecret", "secret"),
        ("s3cr3t", "secret"),
        ("4lone", "alone"),
        ("h3ll0", "hello"),
    ],
)
def test_digits_and_symbols_used_as_letters(typed: str, expected: str) -> None:
    assert n(typed) == expected


@pytest.mark.parametrize(
    "typed", ["14", "i am 14", "3pm", "at 10:30", "£200", "14yo", "5mins", "ps4", "1st", "$50"]
)
def test_numbers_times_ages_and_prices_stay(typed: str) -> None:
    assert n(typed) == typed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pleeease", "please"),
        ("sooo", "so"),
        ("alooone", "alone"),
        ("meeeet", "meet"),
        ("soooon", "soon"),
        ("gooood", "good"),
        ("heyyyy", "hey"),
        ("coooffeee", "coffee"),
    ],
)
def test_stretched_letters(typed: str, expected: str) -> None:
    assert n(typed) == expected


@pytest.mark.parametrize("word", ["meet", "too", "soon", "keep", "www"])
def test_real_double_letters_and_kept_runs_are_untouched(word: str) -> None:
    assert n(word) == word


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("d e l e t e this", "delete this"),
        ("ok d e l e t e", "ok delete"),
        ("D E L E T E", "delete"),
        ("d.e.l.e.t.e.", "delete."),
        ("a/s/l?", "age sex location?"),
        ("s-n-a-p", "snapchat"),
    ],
)
def test_spacing_tricks_are_joined(typed: str, expected: str) -> None:
    assert n(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("r u a cop", "are you a cop"),  # only one-letter shorthand: not joined
        ("y r u sad", "why are you sad"),
        ("plan a b", "plan a b"),  # two letters are not a run
    ],
)
def test_shorthand_letter_runs_are_not_joined(typed: str, expected: str) -> None:
    assert n(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("asl", "age sex location"),
        ("wyd", "what are you doing"),
        ("u ok?", "you ok?"),
        ("ur mum", "your mum"),
        ("my mom and mam", "my mum and mum"),
        ("send pic", "send picture"),
        ("send pix", "send pictures"),
        ("ur bf or gf", "your boyfriend or girlfriend"),
        ("meet irl", "meet in real life"),
        ("free rn", "free right now"),
        ("don't tell", "do not tell"),
        ("i’m 14", "i am 14"),
        ("c u 2moro", "c you tomorrow"),
        ("add me on snap", "add me on snapchat"),
        ("me @ the park", "me at the park"),
    ],
)
def test_shorthand_is_expanded(typed: str, expected: str) -> None:
    assert n(typed) == expected


@pytest.mark.parametrize("word", ["university", "run", "nuance", "u2", "rock'n'roll", "yours"])
def test_shorthand_expands_whole_tokens_only(word: str) -> None:
    assert n(word) == word


def test_case_folding_and_nfkc() -> None:
    assert n("MEET ME") == "meet me"
    assert n("ｍｅｅｔ") == "meet"  # fullwidth
    assert n("𝐦𝐞𝐞𝐭") == "meet"  # mathematical bold
    assert n("Straße") == "strasse"


def test_confusable_letters_inside_latin_words() -> None:
    assert n("mаke") == "make"  # Cyrillic а
    assert n("ѕесrеt") == "secret"  # Cyrillic ѕ, е, с
    assert n("ηοme") == "home"  # Greek η, ο


def test_genuine_cyrillic_and_greek_text_is_left_alone() -> None:
    assert n("привет как дела") == "привет как дела"
    assert n("καλημέρα") == "καλημέρα"


def test_invisible_characters_are_removed() -> None:
    assert n("de\u200blete") == "delete"
    assert n("se\u00adcret") == "secret"
    assert n("\ufeffhi\u2060") == "hi"
    assert n("m\u200de\u200de\u200dt") == "meet"


def test_whitespace_collapses() -> None:
    assert n("  hi \t\n  there  ") == "hi there"
    assert n("\u00a0hi\u3000there") == "hi there"
    assert n("   ") == ""


def test_nul_is_stripped() -> None:
    assert n("a\x00b") == "ab"
    assert normalise_blob(["a\x00b", "c"]) == "ab\x00c"


# --- the fast path equals the per-message path ----------------------------------------------

TRICKY = [
    "m33t",
    "@lone",
    "$ecret",
    "h0me",
    "pleeease",
    "sooo",
    "meeeet",
    "d e l e t e",
    "d.e.l.e.t.e",
    "a/s/l",
    "y r u",
    "r u",
    "u",
    "ur",
    "U",
    "UR",
    "don't",
    "DON’T",
    "i'm",
    "pic",
    "pix",
    "14",
    "3pm",
    "£200",
    "14yo",
    "mаke",
    "ѕесrеt",
    "привет",
    "de\u200blete",
    "ｍｅｅｔ",
    "İstanbul",
    "ß",
    "ﬁ",
    "e\u0301",
    "\u0301",
    "\u1100\u1161\u11a8",
    "\u1100",
    "\u1161",
    "😂",
    " ",
    "  ",
    "\t",
    "\n",
    "\u00a0",
    "\u2028",
    "\x1c",
    ".",
    "?",
    "!!",
    "'",
    "-",
    "/",
    "(",
    ")",
    "x",
    "a",
    "b",
    "c",
    "hello",
    "world",
    "coooffeee",
    "3vil",
    "4ever",
    "gr8",
    "b4",
    "ps4",
    "$5k",
    "a1b",
]


def tricky_text() -> st.SearchStrategy[str]:
    pieces = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=4)), max_size=12)
    seps = st.sampled_from(["", " ", "  ", "\t", "\n", "\x00"])
    return st.lists(st.tuples(pieces, seps), max_size=4).map(
        lambda parts: "".join(" ".join(p) + s for p, s in parts)
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(), max_size=8))
def test_blob_equals_joined_messages_arbitrary_unicode(texts: list[str]) -> None:
    assert normalise_blob(texts) == "\x00".join(normalise(t).text for t in texts)


@settings(max_examples=400, deadline=None)
@given(st.lists(tricky_text(), max_size=8))
def test_blob_equals_joined_messages_tricky(texts: list[str]) -> None:
    assert normalise_blob(texts) == "\x00".join(normalise(t).text for t in texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(tricky_text(), max_size=12), st.sampled_from(["\x00", "\n", " | "]))
def test_blob_across_chunks_and_separators(texts: list[str], sep: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(norm_module, "_CHUNK", 3)
        assert normalise_blob(texts, sep=sep) == sep.join(normalise(t).text for t in texts)


@pytest.mark.parametrize(
    "word",
    [
        "`hi`",
        "it’s",
        "3pm",
        "12",
        "9:30",
        "m33t",
        "@lone",
        "$5k",
        "a.s.l",
        "x-ray",
        "don't",
        "u",
        "u?",
        "coooool",
        "pleeease!",
        "mаke",
        "http://x.example/a?b=c-d",
        "4ever",
        "b4",
    ],
)
def test_word_steps_skipped_only_when_they_would_change_nothing(word: str) -> None:
    # the text-only word path skips steps whose trigger is absent; it must agree with the
    # path that keeps offsets, which runs every step
    assert norm_module._word_plain(word) == norm_module._word_tracked(word).text


def test_blob_of_nothing() -> None:
    assert normalise_blob([]) == ""
    assert normalise_blob(["", ""]) == "\x00"


def test_blob_word_cache_does_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["u r so m33t", "U R SO M33T", "pleeease d e l e t e"] * 3
    expected = "\x00".join(normalise(t).text for t in texts)
    monkeypatch.setattr(norm_module, "_CACHE_LIMIT", 2)
    assert normalise_blob(texts) == expected


# --- spans map back to the original ----------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "pattern", "quoted"),
    [
        ("m33t me @ the park", r"meet me at the park", "m33t me @ the park"),
        ("ok so m33t me @ the park!", r"meet me at", "m33t me @"),
        ("pls d e l e t e this", r"delete this", "d e l e t e this"),
        ("d e l e t e this now", r"\bdelete\b", "d e l e t e"),
        ("pleeease come", r"please", "pleeease"),
        ("is ur mum home", r"your mum", "ur mum"),
        ("is ur mum home", r"\bmum\b", "mum"),
        ("lets mаke a plan", r"make", "mаke"),  # Cyrillic а inside the word
        ("keep it s3cr3t ok", r"secret", "s3cr3t"),
        ("HOW OLD R U?", r"how old are you", "HOW OLD R U"),
        ("snd me a pic", r"picture", "pic"),
        ("Ｍｅｅｔ me", r"meet me", "Ｍｅｅｔ me"),
        ("de\u200blete it", r"delete", "de\u200blete"),
        ("are   you\n\nalone", r"are you alone", "are   you\n\nalone"),
        ("i'm 14", r"i am 14", "i'm 14"),
    ],
)
def test_match_spans_map_to_the_original(original: str, pattern: str, quoted: str) -> None:
    result = normalise(original)
    m = re.search(pattern, result.text)
    assert m is not None, result.text
    start, end = result.span_to_original(*m.span())
    assert original[start:end] == quoted


def test_plain_text_maps_one_to_one() -> None:
    text = "see you at the park"
    result = normalise(text)
    assert result.text == text
    assert all(result.span_to_original(i, i + 1) == (i, i + 1) for i in range(len(text)))


def test_empty_and_out_of_range_spans() -> None:
    result = normalise("  hi u")
    assert result.text == "hi you"
    assert result.span_to_original(0, 0) == (2, 2)
    assert result.span_to_original(6, 6) == (6, 6)
    assert result.span_to_original(3, 6) == (5, 6)
    with pytest.raises(ValueError, match="outside"):
        result.span_to_original(2, 9)
    with pytest.raises(ValueError, match="outside"):
        result.span_to_original(3, 2)


@settings(max_examples=300, deadline=None)
@given(tricky_text())
def test_every_span_is_ordered_and_inside_the_original(text: str) -> None:
    result = normalise(text)
    previous = (0, 0)
    for i in range(len(result.text)):
        start, end = result.span_to_original(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert start >= previous[0] and end >= previous[1]
        previous = (start, end)
    whole = result.span_to_original(0, len(result.text))
    assert whole[0] <= whole[1] <= len(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(tricky_text(), st.lists(st.sampled_from(TRICKY), max_size=10).map(" ".join)))
def test_single_spaced_word_step_equals_the_general_one(text: str) -> None:
    # the fast word step must give the same text AND the same offsets as the general loop
    t = norm_module._prepared(text)
    fast = norm_module._single_spaced(text, t)
    general = norm_module._words(text, t)
    if fast is not None:
        assert fast == general
    else:
        assert t.text.split() != t.text.split(" ")  # declined only for other shapes


@settings(max_examples=1500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            [
                *list("abcdeilmnorstuwxyz0123456789@$!.'`-_/:;()*&?"),
                "é",
                "ü",
                "ł",
                "ß",
                "а",
                "о",
                "🙂",
                "’",
                "“",
                "–",
            ]
        ),
        min_size=1,
        max_size=14,
    )
)
def test_word_text_without_offsets_is_the_tracked_text(word: str) -> None:
    assert norm_module._word_plain(word) == norm_module._word_tracked(word).text


@settings(max_examples=3000, deadline=None)
@given(
    st.from_regex(
        r"[!?.,;:()\[\]{}<>\"*~^+=|#%'`/@&$_-]{0,3}[a-z]{1,8}[!?.,;:()\[\]{}<>\"*~^+=|#%'`/@&$_-]{0,4}",
        fullmatch=True,
    )
    | st.sampled_from(["u?", "r.", "lol!", "ok,", "ur!", "asl?", "a.", "i.", "pls!!", "2day!"])
    | st.sampled_from(["(u)", '"ur"', "*hug*", ":p", ":d", "<3", "lol)", "[r]", "...u", "soooo)"])
)
def test_letters_between_marks_take_the_short_path_to_the_same_text(word: str) -> None:
    assert norm_module._word_text(word) == norm_module._word_tracked(word).text


_WORDISH = st.from_regex(
    r"[!?.,;:()\[\]{}<>\"*~^+=|#%'`/@&$_0-9-]{0,3}[a-z0-9@$]{1,8}[!?.,;:()\[\]{}<>\"*~^+=|#%'`/@&$_-]{0,4}",
    fullmatch=True,
)


@settings(max_examples=300, deadline=None)
@given(
    st.sets(
        _WORDISH
        | st.sampled_from([*TRICKY, "sooo", "heyyy!", "(coooool)", "mаke", "it’s", "ｆｕｌｌ"])
        | st.text(st.characters(blacklist_categories=("Zs", "Cc", "Zl", "Zp")), min_size=1),
        max_size=40,
    )
)
def test_words_learnt_at_once_are_the_words_normalised_one_at_a_time(words: set[str]) -> None:
    words = {w for w in (w.casefold() for w in words) if w and w.split() == [w] and "\x00" not in w}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(norm_module, "_WORDS", norm_module._WordCache())
        norm_module._learn(words)
        learnt = dict(norm_module._WORDS)
    assert set(learnt) >= words
    assert {w: learnt[w] for w in words} == {w: norm_module._word_text(w) for w in words}
