"""Held-out split, training and evaluation of the classifier (pure).

:func:`evaluate` reports two views of a model on labelled chats:

* *segment* metrics: each whole chat scored once; precision, recall, F1 and F0.5 at the
  settings' threshold, PR-AUC (average precision) and precision at a 1 % false-positive rate;
* *early warning* (eSPD) metrics: each chat replayed message by message through
  :func:`vigil.analysis.early_warning.scan` with the model scoring the last ``window`` messages;
  a chat counts as flagged when a warning fires, and its latency is the message where it first
  fired. Reports chat-level F1, speed and latency-weighted F1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vigil.analysis.early_warning import WarningSettings, scan
from vigil.analysis.learn.data import Balance, LabelledChat, balance
from vigil.analysis.learn.metrics import (
    AtFpr,
    Confusion,
    EspdResult,
    average_precision,
    confusion_at,
    espd,
    precision_at_fpr,
)
from vigil.analysis.learn.model import TrainedModel, TrainingConfig, train
from vigil.errors import UserError

MAX_FPR = 0.01


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A model's results on a set of labelled chats."""

    data: Balance
    settings: WarningSettings
    segment: Confusion
    pr_auc: float
    at_fpr: AtFpr
    early: EspdResult

    def as_dict(self) -> dict[str, Any]:
        s, e = self.segment, self.early
        return {
            "data": self.data.as_dict(),
            "segment": {
                "threshold": self.settings.threshold,
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
                "tn": s.tn,
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "f0_5": s.f05,
                "pr_auc": self.pr_auc,
                "precision_at_1pct_fpr": self.at_fpr.precision,
                "recall_at_1pct_fpr": self.at_fpr.recall,
                "threshold_at_1pct_fpr": self.at_fpr.threshold,
            },
            "early_warning": {
                "window": self.settings.window,
                "positives": self.settings.positives,
                "last": self.settings.last,
                "threshold": self.settings.threshold,
                "tp": e.confusion.tp,
                "fp": e.confusion.fp,
                "fn": e.confusion.fn,
                "tn": e.confusion.tn,
                "precision": e.confusion.precision,
                "recall": e.confusion.recall,
                "f1": e.f1,
                "speed": e.speed,
                "latency_f1": e.latency_f1,
                "median_latency": float(np.median(e.latencies)) if e.latencies else None,
            },
        }


def evaluate(
    model: TrainedModel, chats: Sequence[LabelledChat], settings: WarningSettings | None = None
) -> Evaluation:
    """Segment and early-warning metrics of ``model`` on ``chats``."""
    s = settings or WarningSettings()
    if not chats:
        raise UserError("no chats to evaluate on")
    labels = [c.label for c in chats]
    scores = model.score([c.text for c in chats])
    first = [
        (c.label, scan(c.messages, model.score_windows, s)[-1].first_warning_index) for c in chats
    ]
    return Evaluation(
        data=balance(chats),
        settings=s,
        segment=confusion_at(labels, scores, s.threshold),
        pr_auc=average_precision(labels, scores),
        at_fpr=precision_at_fpr(labels, scores, MAX_FPR),
        early=espd(first),
    )


def split(
    chats: Sequence[LabelledChat], test_fraction: float, seed: int
) -> tuple[list[LabelledChat], list[LabelledChat]]:
    """A stratified, seeded train/test split: the same input and seed give the same split.

    Each class puts ``round(n * test_fraction)`` chats (at least one) into the test part and
    keeps at least one for training.
    """
    if not 0.0 < test_fraction < 1.0:
        raise UserError(f"test fraction must be between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(seed)
    train_idx: list[int] = []
    test_idx: list[int] = []
    for label in (0, 1):
        idx = [i for i, c in enumerate(chats) if c.label == label]
        if len(idx) < 2:
            raise UserError(
                f"need at least 2 chats labelled {label} to hold some out, found {len(idx)}",
                hint="add data; for PAN12 check the --predators list matches the XML",
            )
        order = rng.permutation(len(idx))
        n_test = min(max(1, round(len(idx) * test_fraction)), len(idx) - 1)
        test_idx.extend(idx[i] for i in order[:n_test])
        train_idx.extend(idx[i] for i in order[n_test:])
    return [chats[i] for i in sorted(train_idx)], [chats[i] for i in sorted(test_idx)]


@dataclass(frozen=True, slots=True)
class Fitted:
    """A model trained on the training part, with its results on the held-out part."""

    model: TrainedModel
    train: Balance
    held_out: Evaluation | None
    test_fraction: float


def fit(
    chats: Sequence[LabelledChat],
    config: TrainingConfig | None = None,
    *,
    test_fraction: float = 0.2,
    settings: WarningSettings | None = None,
) -> Fitted:
    """Split, train on the training part and evaluate on the held-out part.

    The saved model is the one evaluated (not refitted on all data), so the metrics on its
    card describe exactly that model.
    """
    cfg = config or TrainingConfig()
    train_part, test_part = split(chats, test_fraction, cfg.seed)
    model = train([c.text for c in train_part], [c.label for c in train_part], cfg)
    return Fitted(model, balance(train_part), evaluate(model, test_part, settings), test_fraction)
