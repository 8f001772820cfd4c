"""The scoring core: features from findings, fitted weights, stacker, flags, languages."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from vigil.analysis.assess import MsgView
from vigil.analysis.engine import default_engine
from vigil.analysis.features import feature_names, features
from vigil.analysis.score import ConversationInput, Scorer, conversation_text
from vigil.analysis.stack import Stacker, stacker_from_json
from vigil.analysis.weights import (
    IndicatorWeights,
    load_weights,
    save_weights,
    sigmoid,
    weights_from_json,
)
from vigil.errors import IntegrityError

GROOMING = [
    ("a", "how old are you"),
    ("c", "im 13"),
    ("a", "are your parents home"),
    ("a", "dont tell anyone about us, keep this between us"),
    ("a", "can we meet on saturday at 3 at the park"),
]
PLAIN = [("a", "did you see the match"), ("b", "yes what a goal"), ("a", "see you at training")]


def conv(lines: list[tuple[str, str]], cid: str = "1") -> ConversationInput:
    return ConversationInput(cid, [MsgView(i + 1, s, None, t) for i, (s, t) in enumerate(lines)])


def weights(**w: float) -> IndicatorWeights:
    return IndicatorWeights(dict(w), -3.0, 0.5, {"source": "test"})


def test_features_name_what_was_found() -> None:
    e = default_engine()
    [r] = Scorer(e, weights()).score([conv(GROOMING)])
    f = features(r.assessment, conv(GROOMING).messages)
    assert f["ctx.minor_age"] == 1.0
    assert f["co.meeting+secrecy"] == 1.0
    assert f["cat.secrecy_exclusivity"] >= math.log1p(1)
    assert f["who.turns"] == 1.0 and f["who.child_present"] == 1.0
    names = set(feature_names(e.categories, e.tags))
    assert set(f) <= names


def test_score_is_the_sum_of_listed_contributions() -> None:
    w = weights(**{"cat.secrecy_exclusivity": 1.5, "ctx.minor_age": 2.0, "co.meeting+secrecy": 1.0})
    [r] = Scorer(default_engine(), w).score([conv(GROOMING)])
    assert r.indicator_score == pytest.approx(
        sigmoid(-3.0 + sum(r.contributions.values())), abs=1e-5
    )
    assert set(r.contributions) == {
        "cat.secrecy_exclusivity",
        "ctx.minor_age",
        "co.meeting+secrecy",
    }
    # every finding-linked contribution is shared out to findings, nothing lost or invented
    assert sum(r.added) == pytest.approx(sum(r.contributions.values()), abs=1e-4)
    secrecy = [
        x
        for f, x in zip(r.assessment.findings, r.added, strict=True)
        if f.category == "secrecy_exclusivity"
    ]
    assert secrecy and all(x > 0 for x in secrecy)


def test_nothing_found_scores_zero_and_is_not_flagged() -> None:
    [r] = Scorer(default_engine(), weights(**{"cat.meeting_travel": 5.0})).score([conv(PLAIN)])
    assert r.indicator_score == 0.0 and r.score == 0.0
    assert not r.flagged and r.categories == ()


def test_flagged_at_the_threshold_and_by_urgency() -> None:
    high = IndicatorWeights({"ctx.minor_age": 8.0}, -3.0, 0.9, {})
    [r] = Scorer(default_engine(), high).score([conv(GROOMING)])
    assert r.score > 0.9 and r.flagged
    low = IndicatorWeights({}, -9.0, 0.99, {})
    [u] = Scorer(default_engine(), low).score([conv(GROOMING)])
    assert u.score < 0.99
    assert u.urgency == 3 and u.flagged  # urgency flags override the operating point
    assert "meeting" in u.flags


def test_stacker_combines_model_and_indicators() -> None:
    st = Stacker(1.0, 2.0, -1.0, 0.5, {})
    assert st.score(0.0, 0.0) == pytest.approx(sigmoid(-1.0))
    assert st.score(1.0, 1.0) == pytest.approx(sigmoid(2.0))
    assert stacker_from_json(st.as_json(), "x") == st
    with pytest.raises(IntegrityError):
        stacker_from_json({**st.as_json(), "model": "nan"}, "bad.json")


def test_weights_round_trip_and_reject_bad_files(tmp_path: Path) -> None:
    w = weights(**{"cat.meeting_travel": 1.25})
    save_weights(w, tmp_path / "w.json")
    assert load_weights(tmp_path / "w.json") == w
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(IntegrityError, match=r"bad\.json"):
        load_weights(tmp_path / "bad.json")
    with pytest.raises(IntegrityError):
        weights_from_json({**w.as_json(), "intercept": "inf"}, "x")
    assert w.digest != replace(w, intercept=0.0).digest


def test_builtin_weights_ship_with_provenance() -> None:
    w = load_weights()
    assert w.weights, "taxonomy/_weights.json is missing or empty (run `make model`)"
    assert w.provenance.get("data") and w.provenance.get("fitted")
    e = default_engine()
    assert set(w.weights) <= set(feature_names(e.categories, e.tags))


def test_other_language_is_not_checked() -> None:
    [r] = Scorer(default_engine(), weights()).score(
        [
            conv(
                [
                    (
                        "a",
                        "Ciao, come stai? Oggi sono andato al mercato con mia sorella e abbiamo comprato frutta fresca.",
                    )
                ]
            )
        ]
    )
    assert r.language == "it" and not r.checked
    assert r.note == "not checked: language it"


def test_english_is_checked() -> None:
    [r] = Scorer(default_engine(), weights()).score([conv(GROOMING)])
    assert r.checked and r.note == ""


def test_the_model_reads_the_latest_whole_messages_of_a_long_chat() -> None:
    msgs = [MsgView(i + 1, None, None, t) for i, t in enumerate(["aa", "bbb", "cccc"])]
    assert conversation_text(msgs) == "aa\nbbb\ncccc"
    assert conversation_text(msgs, limit=9) == "bbb\ncccc"  # whole messages, the latest first
    assert conversation_text(msgs, limit=2) == "cc"  # one message longer than the limit
    system = [*msgs, MsgView(4, None, None, "joined", is_system=True)]
    assert conversation_text(system) == "aa\nbbb\ncccc"


def test_every_feature_has_words_for_officers() -> None:
    e = default_engine()
    assert e.describe("cat.meeting_travel") == "Meeting and travel cues"
    assert e.describe("tag.family_mention") == "a parent is mentioned"
    assert e.describe("co.minor+sexual") == "a child's age together with sexual talk"
    for name in feature_names(e.categories, e.tags):
        words = e.describe(name)
        assert words and "." not in words.split(" ")[0] and "_" not in words, name
