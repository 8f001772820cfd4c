"""Metric worked examples, each computed by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from vigil.analysis.learn.metrics import (
    Confusion,
    average_precision,
    confusion,
    confusion_at,
    espd,
    penalty,
    precision_at_fpr,
    speed,
)


def test_penalty_worked_examples() -> None:
    # p = ln 3 / 89.
    # k = 1:   -1 + 2 / (1 + e^0)      = -1 + 2/2        = 0
    # k = 90:  -1 + 2 / (1 + e^-ln3)   = -1 + 2/(1+1/3)  = -1 + 3/2  = 0.5
    # k = 179: -1 + 2 / (1 + e^-2ln3)  = -1 + 2/(1+1/9)  = -1 + 9/5  = 0.8
    assert penalty(1) == 0.0
    assert penalty(90) == pytest.approx(0.5, abs=1e-15)
    assert penalty(179) == pytest.approx(0.8, abs=1e-15)
    # rises monotonically towards 1 for very late warnings
    assert 0.8 < penalty(400) < penalty(2000) < 1.0
    with pytest.raises(ValueError):
        penalty(0)


def test_speed_is_one_minus_the_median_penalty() -> None:
    # odd count: penalties 0, 0.5, 0.8 -> median 0.5 -> speed 0.5
    assert speed([1, 90, 179]) == pytest.approx(0.5)
    # even count: penalties 0 and 0.5 -> median 0.25 -> speed 0.75
    assert speed([90, 1]) == pytest.approx(0.75)
    # all warned at the first message -> speed 1
    assert speed([1, 1, 1]) == 1.0
    assert speed([]) is None


def test_espd_chat_level_worked_example() -> None:
    # (label, 0-based first warning index or None per chat)
    chats = [
        (1, 0),  # TP, latency 1  -> penalty 0
        (1, 89),  # TP, latency 90 -> penalty 0.5
        (1, 178),  # TP, latency 179 -> penalty 0.8
        (1, None),  # FN: predator chat, no warning
        (0, 5),  # FP: benign chat warned
        (0, None),  # TN
        (0, None),  # TN
        (0, None),  # TN
    ]
    r = espd(chats)
    assert r.confusion == Confusion(tp=3, fp=1, fn=1, tn=3)
    # P = 3/4, R = 3/4 -> F1 = 0.75; speed = 1 - median(0, 0.5, 0.8) = 0.5
    assert r.latencies == (1, 90, 179)
    assert r.f1 == pytest.approx(0.75)
    assert r.speed == pytest.approx(0.5)
    # latency-weighted F1 = 0.75 * 0.5 = 0.375
    assert r.latency_f1 == pytest.approx(0.375)


def test_espd_without_true_positives() -> None:
    r = espd([(1, None), (0, 3)])
    assert r.speed is None and r.latency_f1 == 0.0 and r.f1 == 0.0


def test_confusion_f1_and_f05_worked_example() -> None:
    # TP 6, FP 2, FN 4, TN 88: P = 6/8 = 0.75, R = 6/10 = 0.6
    # F1   = 2PR / (P + R)               = 2*0.45 / 1.35          = 2/3
    # F0.5 = 1.25 PR / (0.25 P + R)      = 0.5625 / (0.1875+0.6)  = 0.5625/0.7875 = 5/7
    c = Confusion(tp=6, fp=2, fn=4, tn=88)
    assert c.precision == 0.75 and c.recall == 0.6
    assert c.f1 == pytest.approx(2 / 3)
    assert c.f05 == pytest.approx(5 / 7)
    assert c.false_positive_rate == pytest.approx(2 / 90)


def test_confusion_from_predictions_and_scores() -> None:
    labels = [1, 1, 1, 0, 0, 0]
    assert confusion(labels, [1, 0, 1, 1, 0, 0]) == Confusion(tp=2, fp=1, fn=1, tn=2)
    # threshold 0.5 is inclusive: 0.5 counts as positive
    scores = [0.5, 0.49, 0.9, 0.5, 0.1, 0.0]
    assert confusion_at(labels, scores, 0.5) == Confusion(tp=2, fp=1, fn=1, tn=2)


def test_zero_denominators_give_zero() -> None:
    c = Confusion(tp=0, fp=0, fn=0, tn=5)
    assert (c.precision, c.recall, c.f1, c.f05) == (0.0, 0.0, 0.0, 0.0)


def test_average_precision_worked_examples() -> None:
    # ranked: 1, 0, 1, 0, 0. Recall steps at rank 1 (P = 1/1) and rank 3 (P = 2/3):
    # AP = 1/2 * 1 + 1/2 * 2/3 = 5/6
    assert average_precision([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5]) == pytest.approx(5 / 6)
    # a tie is one threshold: at 0.9 (items 1 and 2) TP 1, FP 1 -> P 1/2, R 1/2; at 0.5
    # TP 2, FP 1 -> P 2/3, R 1.  AP = 1/2 * 1/2 + 1/2 * 2/3 = 7/12
    assert average_precision([1, 0, 1], [0.9, 0.9, 0.5]) == pytest.approx(7 / 12)
    assert average_precision([0, 0], [0.2, 0.1]) == 0.0


def test_average_precision_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    s = np.round(rng.random(500) + 0.3 * y, 2)  # rounding creates ties
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))


def test_precision_at_one_percent_fpr_worked_example() -> None:
    # 200 negatives, 10 positives. 1 % of 200 = 2 false positives allowed.
    # Ranked from the top: 1 1 0 1 0 1 | 0 1 ... — cutting after the sixth item gives TP 4,
    # FP 2 (FPR 2/200 = 0.01): precision 4/6, recall 4/10. The seventh item is a third FP.
    top = [1, 1, 0, 1, 0, 1, 0, 1]
    rest = [1] * 5 + [0] * (200 - 3)  # top holds 5 positives and 3 negatives
    labels = top + rest
    scores = [1.0 - i / 1000 for i in range(len(labels))]
    r = precision_at_fpr(labels, scores, 0.01)
    assert r.precision == pytest.approx(4 / 6)
    assert r.recall == pytest.approx(0.4)
    assert r.false_positive_rate == pytest.approx(0.01)
    assert r.threshold == pytest.approx(scores[5])


def test_precision_at_fpr_with_few_negatives() -> None:
    # 50 negatives: any false positive is 2 % > 1 %, so only items above the first negative
    # count. Ranked 1 1 0 ...: precision 2/2 = 1, recall 2/3.
    labels = [1, 1, 0, 1] + [0] * 49
    scores = [1.0 - i / 100 for i in range(len(labels))]
    r = precision_at_fpr(labels, scores)
    assert r.precision == 1.0
    assert r.recall == pytest.approx(2 / 3)
    # a negative on top: no threshold flags anything within 1 % FPR
    r = precision_at_fpr([0, 1, 1] + [0] * 10, [0.99, 0.5, 0.4] + [0.1] * 10)
    assert r.threshold is None and r.precision == 0.0 and r.recall == 0.0


def test_label_validation() -> None:
    with pytest.raises(ValueError):
        average_precision([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError):
        average_precision([0, 1], [0.1])
    assert math.isfinite(average_precision([1], [0.3]))
