"""Fitting the scorer on labelled chats: weights earned from data, thresholds, bagging, hashing."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from vigil.analysis.assess import MsgView
from vigil.analysis.engine import default_engine
from vigil.analysis.learn import hashing
from vigil.analysis.learn.bundle import build_scorer, bundle_files, load_bundle, write_folder
from vigil.analysis.learn.fit import choose_threshold, fit_all
from vigil.analysis.learn.merge import merge_folders
from vigil.analysis.learn.model import FeatureConfig, TrainingConfig, featurise
from vigil.analysis.score import ConversationInput
from vigil.errors import IntegrityError, UserError

CUES = [
    "are your parents home",
    "keep this between us",
    "dont tell your mum",
    "can we meet at the park on saturday",
    "send me a pic",
]
CHAT = ["did you see the game", "what time is practice", "lol that was funny", "see you at school"]


def corpus(n: int = 60, seed: int = 1) -> tuple[list[ConversationInput], list[int]]:
    rng = random.Random(seed)
    convs, labels = [], []
    for i in range(n):
        label = int(i % 3 == 0)
        lines = rng.sample(CHAT, 3) + (rng.sample(CUES, 2) if label else [])
        rng.shuffle(lines)
        convs.append(
            ConversationInput(str(i), [MsgView(j + 1, None, None, t) for j, t in enumerate(lines)])
        )
        labels.append(label)
    return convs, labels


@pytest.fixture(scope="module")
def fitted():  # type: ignore[no-untyped-def]
    convs, labels = corpus()
    return fit_all(convs, labels, default_engine(), config=TrainingConfig(), folds=3)


def test_weights_are_earned_from_the_labels(fitted) -> None:  # type: ignore[no-untyped-def]
    w = fitted.indicators.weights
    assert w["cat.secrecy_exclusivity"] > 0
    assert w["cat.supervision_risk_assessment"] > 0
    assert fitted.indicators.provenance["examples"] == 60
    cv = fitted.figures["indicators_out_of_fold"]
    assert cv["roc_auc"] > 0.9  # the cues separate this synthetic data
    assert set(fitted.figures) >= {"model_out_of_fold", "stacked_out_of_fold"}
    assert fitted.stacker is not None and fitted.stacker.indicator > 0


def test_fitting_is_deterministic() -> None:
    convs, labels = corpus(30)
    a = fit_all(convs, labels, default_engine(), folds=3)
    b = fit_all(convs, labels, default_engine(), folds=3)
    assert a.indicators == b.indicators and a.stacker == b.stacker
    assert a.model is not None and b.model is not None
    assert np.array_equal(a.model.weights, b.model.weights)


def test_one_label_only_is_refused() -> None:
    convs, _ = corpus(10)
    with pytest.raises(UserError, match="each label"):
        fit_all(convs, [0] * 10, default_engine())


def test_threshold_keeps_the_false_positive_rate() -> None:
    scores = [0.1, 0.2, 0.3, 0.4, 0.95, 0.6, 0.7, 0.8, 0.9, 0.99]
    labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    t, at = choose_threshold(scores, labels, max_fpr=0.0)
    assert t > 0.95 and at["fpr"] == 0.0 and at["recall"] == 0.2
    t2, at2 = choose_threshold(scores, labels, max_fpr=0.2)
    assert t2 == 0.6 and at2["recall"] == 1.0 and at2["fpr"] == 0.2


def test_folds_merge_into_their_average(tmp_path: Path, fitted) -> None:  # type: ignore[no-untyped-def]
    convs, labels = corpus(45, seed=2)
    other = fit_all(convs, labels, default_engine(), folds=3)
    for name, f in (("fold0", fitted), ("fold1", other)):
        write_folder(tmp_path / name, bundle_files(f, {"cross_validated": f.figures}))
    merged = merge_folders([tmp_path / "fold0", tmp_path / "fold1"])
    assert merged.model is not None and fitted.model is not None and other.model is not None
    assert np.allclose(merged.model.weights, (fitted.model.weights + other.model.weights) / 2)
    assert merged.stacker is not None and fitted.stacker is not None and other.stacker is not None
    assert merged.stacker.threshold == pytest.approx(
        (fitted.stacker.threshold + other.stacker.threshold) / 2, abs=1e-6
    )
    k = "cat.secrecy_exclusivity"
    assert merged.indicators.weights[k] == pytest.approx(
        (fitted.indicators.weights[k] + other.indicators.weights[k]) / 2, abs=1e-6
    )


def test_model_folder_round_trip_and_tamper_check(tmp_path: Path, fitted) -> None:  # type: ignore[no-untyped-def]
    out = write_folder(tmp_path / "m", bundle_files(fitted, {"cross_validated": fitted.figures}))
    b = load_bundle(out)
    assert b.stacker == fitted.stacker and b.indicators == fitted.indicators
    convs, _ = corpus(6, seed=3)
    s = build_scorer(out)
    r = s.score(convs)
    assert all(x.model_score is not None for x in r)
    (out / "stacker.json").write_text((out / "stacker.json").read_text().replace("0", "1", 1))
    with pytest.raises(IntegrityError, match=r"stacker\.json"):
        load_bundle(out)


def _horner(word: bytes) -> int:
    h = 0
    for b in word:
        h = (h * int(hashing._BASE) + b) % 2**64
    return (h + len(word)) % 2**64


@pytest.mark.parametrize("longest", [1, 31, 32, 33, 70, 400])
def test_word_hash_is_horners_rule_for_short_and_long_words(longest: int) -> None:
    rng = random.Random(longest)
    words = [
        bytes(rng.choice(b"abcxyz019_") for _ in range(rng.randint(1, longest))) for _ in range(60)
    ]
    text = b" ".join(words)
    data = np.frombuffer(text, dtype=np.uint8)
    starts, ends = hashing._words(data)
    got = hashing._word_hashes(data, starts, ends).tolist()
    assert got == [_horner(w) for w in words]


@pytest.mark.parametrize("size", [0, 1, 2, 50, 5000])
def test_counted_keys_are_numpys_unique_with_counts(size: int) -> None:
    keys = np.random.default_rng(size).integers(0, max(size // 3, 1), size)
    got_keys, got_counts = hashing._counted(keys)
    want_keys, want_counts = np.unique(keys, return_counts=True)
    assert got_keys.tolist() == want_keys.tolist()
    assert got_counts.tolist() == want_counts.tolist()


def test_numpy_hashing_is_stable_and_matches_the_matrix() -> None:
    texts = ["Hello there friend", "hello THERE", "", "émoji café ok"]
    doc, h = hashing.gram_hashes(texts)
    cols = hashing.columns(h, 20)
    by_doc = [set(cols[doc == i].tolist()) for i in range(len(texts))]
    assert by_doc[0] & by_doc[1]  # "hello", "there" and "hello there" land alike in both
    assert by_doc[2] == set()
    cfg = FeatureConfig(n_features=2**20)
    w = np.random.default_rng(0).normal(size=2**20)
    x = featurise(texts, cfg)
    assert np.allclose(hashing.decision(texts, w, 0.5, 20), x @ w + 0.5)
    grams = dict(hashing.gram_columns("hello there", 20))
    assert set(grams) == {"hello", "there", "hello there"}
    assert set(grams.values()) <= by_doc[0]


def test_a_loaded_model_is_kept_decoded_in_the_cache(tmp_path: Path) -> None:
    from vigil.analysis.learn.bundle import DEFAULT_MODEL_DIR
    from vigil.analysis.learn.store import load_model
    from vigil.analysis.scanner import database_cache_folder, set_database_cache

    before = database_cache_folder()
    set_database_cache(tmp_path)
    try:
        first = load_model(DEFAULT_MODEL_DIR)
        (kept,) = tmp_path.glob("model-*.npy")
        again = load_model(DEFAULT_MODEL_DIR)  # from the cache
        assert np.array_equal(first.weights, again.weights)
        assert (first.intercept, first.features, first.sha256) == (
            again.intercept, again.features, again.sha256)  # fmt: skip
        kept.write_bytes(b"not an array")  # a damaged copy is ignored and rewritten
        assert np.array_equal(load_model(DEFAULT_MODEL_DIR).weights, first.weights)
        assert np.load(kept).shape == first.weights.shape
    finally:
        set_database_cache(before)
