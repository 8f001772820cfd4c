"""Evaluation metrics for grooming classifiers and early warning (pure).

Classification: precision, recall, F1, F0.5 (PAN 2012's headline measure, weighting precision
over recall), PR-AUC as average precision, and precision at a 1 % false-positive rate (how
clean the top of the queue is when an officer can afford to read only a few false alarms).

Early sexual predator detection (eSPD, Vogt, Leser & Akbik, ACL 2021): the latency ``k`` of a
chat is the 1-based number of the message at which the first warning fired;
``penalty(k) = -1 + 2 / (1 + exp(-p (k - 1)))`` with ``p = ln 3 / 89``, so a warning at the
first message costs nothing and one at message 90 costs 0.5; ``speed = 1 - median penalty``
over the true-positive chats; latency-weighted F1 = F1 × speed.

Conventions: a ratio with a zero denominator is 0.0; labels are 1 (positive, e.g. predator
chat) and 0; a prediction is positive when its score is at or above the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

P = math.log(3) / 89
"""Slope of the eSPD latency penalty: penalty(90) = 0.5."""


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


@dataclass(frozen=True, slots=True)
class Confusion:
    """Counts of a binary confusion matrix."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def false_positive_rate(self) -> float:
        return _ratio(self.fp, self.fp + self.tn)

    def f_beta(self, beta: float) -> float:
        """F-beta = (1 + b²) P R / (b² P + R); beta < 1 weights precision more."""
        p, r, b2 = self.precision, self.recall, beta * beta
        return _ratio((1 + b2) * p * r, b2 * p + r)

    @property
    def f1(self) -> float:
        return self.f_beta(1.0)

    @property
    def f05(self) -> float:
        return self.f_beta(0.5)


def _arrays(
    labels: npt.ArrayLike, scores: npt.ArrayLike
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"labels {y.shape} and scores {s.shape} must be 1-d and the same length")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return y.astype(bool), s


def confusion(labels: Sequence[int], predictions: Sequence[int | bool]) -> Confusion:
    """The confusion matrix of 0/1 ``predictions`` against 0/1 ``labels``."""
    y, p = _arrays(labels, [float(x) for x in predictions])
    pred = p >= 0.5
    return Confusion(
        tp=int(np.sum(y & pred)),
        fp=int(np.sum(~y & pred)),
        fn=int(np.sum(y & ~pred)),
        tn=int(np.sum(~y & ~pred)),
    )


def confusion_at(labels: npt.ArrayLike, scores: npt.ArrayLike, threshold: float) -> Confusion:
    """The confusion matrix when every score at or above ``threshold`` is called positive."""
    y, s = _arrays(labels, scores)
    pred = s >= threshold
    return Confusion(
        tp=int(np.sum(y & pred)),
        fp=int(np.sum(~y & pred)),
        fn=int(np.sum(y & ~pred)),
        tn=int(np.sum(~y & ~pred)),
    )


def _curve(
    y: npt.NDArray[np.bool_], s: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct thresholds (high to low) with cumulative TP and FP counts at each."""
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    tps = np.cumsum(y).astype(np.int64)
    fps = np.cumsum(~y).astype(np.int64)
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    return s[last_of_tie], tps[last_of_tie], fps[last_of_tie]


def average_precision(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """PR-AUC as average precision: Σ (R_n − R_{n−1}) P_n over descending distinct thresholds.

    Tied scores are one threshold. 0.0 when there are no positive labels.
    """
    y, s = _arrays(labels, scores)
    positives = int(y.sum())
    if positives == 0 or len(y) == 0:
        return 0.0
    _, tps, fps = _curve(y, s)
    precision = tps / (tps + fps)
    recall = tps / positives
    gains = np.diff(np.r_[0.0, recall])
    return float(np.sum(gains * precision))


@dataclass(frozen=True, slots=True)
class AtFpr:
    """The operating point with the highest recall whose false-positive rate is within a limit.

    ``threshold`` is None when no threshold keeps the false-positive rate within the limit
    while flagging anything; precision and recall are then 0.0.
    """

    max_fpr: float
    threshold: float | None
    precision: float
    recall: float
    false_positive_rate: float


def precision_at_fpr(
    labels: npt.ArrayLike,
    scores: npt.ArrayLike,
    max_fpr: float = 0.01,
) -> AtFpr:
    """Precision at the lowest threshold whose false-positive rate is at most ``max_fpr``.

    Thresholds are the distinct scores; lowering the threshold never lowers recall, so the
    lowest admissible threshold has the highest recall.
    """
    y, s = _arrays(labels, scores)
    negatives = int((~y).sum())
    positives = int(y.sum())
    if len(y) == 0:
        return AtFpr(max_fpr, None, 0.0, 0.0, 0.0)
    thresholds, tps, fps = _curve(y, s)
    fpr = fps / negatives if negatives else np.zeros(len(fps))
    ok = np.flatnonzero(fpr <= max_fpr + 1e-12)
    if len(ok) == 0:
        return AtFpr(max_fpr, None, 0.0, 0.0, 0.0)
    i = int(ok[-1])
    tp, fp = int(tps[i]), int(fps[i])
    return AtFpr(
        max_fpr=max_fpr,
        threshold=float(thresholds[i]),
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, positives),
        false_positive_rate=float(fpr[i]),
    )


def penalty(k: int) -> float:
    """eSPD latency penalty for a first warning at message ``k`` (1-based): 0 at k = 1."""
    if k < 1:
        raise ValueError(f"latency is a 1-based message number, got {k}")
    return -1.0 + 2.0 / (1.0 + math.exp(-P * (k - 1)))


def speed(latencies: Sequence[int]) -> float | None:
    """1 − the median penalty over the true-positive chats' latencies; None when there are none."""
    if not latencies:
        return None
    return 1.0 - float(np.median([penalty(k) for k in latencies]))


@dataclass(frozen=True, slots=True)
class EspdResult:
    """Chat-level early-warning results: a chat is flagged when a warning fires in it."""

    confusion: Confusion
    latencies: tuple[int, ...]
    """1-based latency of every true-positive chat, in input order."""
    speed: float | None

    @property
    def f1(self) -> float:
        return self.confusion.f1

    @property
    def latency_f1(self) -> float:
        """F1 × speed; 0.0 when no chat is a true positive."""
        return self.f1 * self.speed if self.speed is not None else 0.0


def espd(chats: Iterable[tuple[int, int | None]]) -> EspdResult:
    """eSPD results from ``(label, first_warning_index)`` per chat (0-based index or None)."""
    tp = fp = fn = tn = 0
    latencies: list[int] = []
    for label, first in chats:
        if label not in (0, 1):
            raise ValueError(f"labels must be 0 or 1, got {label!r}")
        warned = first is not None
        if label and warned:
            tp += 1
            assert first is not None
            latencies.append(first + 1)
        elif label:
            fn += 1
        elif warned:
            fp += 1
        else:
            tn += 1
    return EspdResult(Confusion(tp, fp, fn, tn), tuple(latencies), speed(latencies))
