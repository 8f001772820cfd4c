"""Fitting the whole triage scorer on labelled chats: indicator weights, model, stacker.

Pure (no files). Given labelled conversations it:

1. scores every conversation with the indicator engine and turns its findings into features;
2. fits the indicator weights (L2 logistic regression over the features) and, by K-fold
   cross-validation on the same data, gets each conversation's out-of-fold indicator log-odds;
3. fits the hashed n-gram model, and its out-of-fold log-odds the same way;
4. fits the stacker (logistic regression over the two out-of-fold log-odds) and chooses the
   operating point on the out-of-fold stacked scores: the threshold with the best F1 among
   those whose false-positive rate is at most ``max_fpr``.

Every weight that decides a score is earned here, on labelled data, and its provenance (data
size, class balance, folds, out-of-fold figures) is kept with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.analysis.engine import Engine
from vigil.analysis.features import feature_names
from vigil.analysis.learn.metrics import average_precision, confusion_at
from vigil.analysis.learn.model import TrainedModel, TrainingConfig, train
from vigil.analysis.score import ConversationInput, Scorer, conversation_text
from vigil.analysis.stack import Stacker
from vigil.analysis.weights import UNFITTED, IndicatorWeights
from vigil.errors import UserError

MAX_FPR = 0.01
INDICATOR_C = 0.5


@dataclass(frozen=True)
class FittedScorer:
    """Everything fitted, with out-of-fold figures for the card."""

    model: TrainedModel | None
    indicators: IndicatorWeights
    stacker: Stacker | None
    figures: dict[str, Any]


def _folds(labels: Sequence[int], k: int, seed: int) -> npt.NDArray[np.int64]:
    """Stratified fold number of each item (seeded, deterministic)."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(labels), dtype=np.int64)
    y = np.asarray(labels)
    for cls in (0, 1):
        idx = np.flatnonzero(y == cls)
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % k
    return fold


def _matrix(feats: Sequence[dict[str, float]], names: Sequence[str]) -> npt.NDArray[np.float64]:
    col = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(feats), len(names)))
    for r, f in enumerate(feats):
        for k, v in f.items():
            if k in col:
                x[r, col[k]] = v
    return x


def _logistic(x: npt.NDArray[np.float64], y: npt.NDArray[np.int64], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, class_weight="balanced", solver="lbfgs", max_iter=5000)
    clf.fit(x, y)
    return clf


FREE_SIGN = frozenset({"ctx.adult_age"})
"""Features whose weight may be negative; every finding feature can only add risk (a cue
that is commoner in ordinary chat gets weight 0, not a negative one)."""


class NonNegativeLogistic:
    """L2 logistic regression with balanced class weights whose coefficients are kept at or
    above zero (except the columns in ``free``), fitted with L-BFGS-B. The objective is
    scikit-learn's: ``C · Σ weight_i · log-loss_i + ½ ||w||²`` (intercept not penalised)."""

    def __init__(self, c: float, free: Sequence[bool]) -> None:
        self.c = c
        self.free = list(free)
        self.coef_ = np.zeros((1, len(self.free)))
        self.intercept_ = np.zeros(1)

    def fit(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> NonNegativeLogistic:
        from scipy.optimize import minimize

        n, d = x.shape
        counts = np.bincount(y, minlength=2).astype(np.float64)
        sw = (n / (2 * counts))[y]
        sign = 2.0 * y - 1.0

        def loss(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
            w, b = theta[:d], theta[d]
            m = sign * (x @ w + b)
            lo = np.logaddexp(0.0, -m)
            g = -sign * sw / (1.0 + np.exp(m))
            f = self.c * float(sw @ lo) + 0.5 * float(w @ w)
            grad = np.concatenate((self.c * (x.T @ g) + w, [self.c * g.sum()]))
            return f, grad

        bounds = [(None, None) if fr else (0.0, None) for fr in self.free] + [(None, None)]
        res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": 5000})  # fmt: skip
        self.coef_ = res.x[:d].reshape(1, -1)
        self.intercept_ = res.x[d:]
        return self

    def decision_function(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(x @ self.coef_[0] + self.intercept_[0], dtype=np.float64)


def choose_threshold(
    scores: Sequence[float], labels: Sequence[int], max_fpr: float = MAX_FPR
) -> tuple[float, dict[str, float]]:
    """The threshold with the best F1 among those whose FPR is at most ``max_fpr``."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    best: tuple[float, float, dict[str, float]] = (-1.0, 1.0, {})
    for t in np.unique(s):
        pred = s >= t
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fpr = fp / n_neg if n_neg else 0.0
        if fpr > max_fpr:
            continue
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / n_pos if n_pos else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[0]:
            best = (f1, float(t), {"precision": p, "recall": r, "f1": f1, "fpr": fpr})
    if best[0] < 0:
        return float(s.max()) + 1e-9, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "fpr": 0.0}
    return best[1], best[2]


def choose_union_thresholds(
    a: Sequence[float],
    b: Sequence[float],
    labels: Sequence[int],
    max_fpr: float = MAX_FPR,
    grid: int = 120,
) -> tuple[float, float | None, dict[str, float]]:
    """Thresholds ``(ta, tb)`` for "flag when a ≥ ta or b ≥ tb" with the best F1 among those
    whose false-positive rate is at most ``max_fpr`` (``tb`` None: ``b`` adds nothing)."""
    sa, sb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64) == 1
    n_pos, n_neg = int(y.sum()), int((~y).sum())

    def cands(s: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        u = np.unique(s)
        if len(u) > grid:
            u = np.unique(np.quantile(s, np.linspace(0.5, 1.0, grid), method="higher"))
        return np.concatenate((u, [np.inf]))

    ta_all, tb_all = cands(sa), cands(sb)
    pb = sb[None, :] >= tb_all[:, None]  # (len tb, n)
    best: tuple[float, float, float, dict[str, float]] = (-1.0, np.inf, np.inf, {})
    for ta in ta_all:
        pred = pb | (sa >= ta)[None, :]
        tp = (pred & y).sum(axis=1)
        fp = (pred & ~y).sum(axis=1)
        fpr = fp / max(n_neg, 1)
        prec = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
        rec = tp / max(n_pos, 1)
        f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0.0)
        f1 = np.where(fpr <= max_fpr, f1, -1.0)
        j = int(np.argmax(f1))
        if f1[j] > best[0]:
            at = {"precision": float(prec[j]), "recall": float(rec[j]), "f1": float(f1[j]),
                  "fpr": float(fpr[j])}  # fmt: skip
            best = (float(f1[j]), float(ta), float(tb_all[j]), at)
    if best[0] < 0:
        return (
            float(sa.max()) + 1e-9,
            None,
            {"precision": 0.0, "recall": 0.0, "f1": 0.0, "fpr": 0.0},
        )
    tb = None if not np.isfinite(best[2]) else best[2]
    ta = best[1] if np.isfinite(best[1]) else float(sa.max()) + 1e-9
    return ta, tb, best[3]


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """ROC-AUC with ties counted half."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def _figures(z: npt.NDArray[np.float64], y: Sequence[int], threshold: float) -> dict[str, Any]:
    p = 1 / (1 + np.exp(-z))
    c = confusion_at(list(y), p, threshold)
    return {
        "roc_auc": round(auc(p.tolist(), list(y)), 4),
        "average_precision": round(average_precision(list(y), p), 4),
        "flagged": {
            "precision": round(c.precision, 4),
            "recall": round(c.recall, 4),
            "f1": round(c.f1, 4),
            "fpr": round(c.false_positive_rate, 4),
        },
    }


def fit_all(
    convs: Sequence[ConversationInput],
    labels: Sequence[int],
    engine: Engine,
    *,
    config: TrainingConfig | None = None,
    with_model: bool = True,
    folds: int = 5,
    seed: int = 0,
    indicator_c: float = INDICATOR_C,
    max_fpr: float = MAX_FPR,
) -> FittedScorer:
    """Fit indicator weights, the n-gram model and the stacker on ``convs``."""
    cfg = config or TrainingConfig(seed=seed)
    y = np.asarray(labels, dtype=np.int64)
    if len(convs) != len(y):
        raise ValueError(f"{len(convs)} conversations but {len(y)} labels")
    smaller = min(int(y.sum()), int((1 - y).sum()))
    if smaller < 2:
        raise UserError("training needs at least 2 examples of each label (1 concerning, 0 other)")
    folds = min(folds, smaller)  # each fold needs an example of each label
    results = Scorer(engine, UNFITTED).score(convs)
    names = feature_names(engine.categories, engine.tags)
    x = _matrix([r.features for r in results], names)
    fold = _folds(labels, folds, seed)
    z_ind = np.zeros(len(y))
    free = [n in FREE_SIGN for n in names]
    for k in range(folds):
        tr, te = fold != k, fold == k
        fk = NonNegativeLogistic(indicator_c, free).fit(x[tr], y[tr])
        z_ind[te] = fk.decision_function(x[te])
    clf = NonNegativeLogistic(indicator_c, free).fit(x, y)
    ind_threshold, _ = choose_threshold((1 / (1 + np.exp(-z_ind))).tolist(), labels, max_fpr)
    coef = {n: round(float(w), 6) for n, w in zip(names, clf.coef_[0], strict=True) if w}
    figures: dict[str, Any] = {
        "examples": len(y),
        "positives": int(y.sum()),
        "folds": folds,
        "seed": seed,
        "max_fpr": max_fpr,
        "indicators_out_of_fold": _figures(z_ind, labels, ind_threshold),
    }
    indicators = IndicatorWeights(
        coef,
        round(float(clf.intercept_[0]), 6),
        round(ind_threshold, 6),
        {
            "fitted_by": "L2 logistic regression (L-BFGS-B, balanced class weights), "
            "finding weights kept at or above 0",
            "c": indicator_c,
            "examples": len(y),
            "positives": int(y.sum()),
            "out_of_fold": figures["indicators_out_of_fold"],
        },
    )
    if not with_model:
        return FittedScorer(None, indicators, None, figures)
    texts = [conversation_text(c.messages) for c in convs]
    z_mod = np.zeros(len(y))
    for k in range(folds):
        tr = np.flatnonzero(fold != k)
        te = np.flatnonzero(fold == k)
        m = train([texts[i] for i in tr], y[tr].tolist(), cfg)
        z_mod[te] = m.decision([texts[i] for i in te])
    model = train(texts, y.tolist(), cfg)
    stack_x = np.column_stack([z_ind, z_mod])
    st = _logistic(stack_x, y, 1.0)
    z_st = st.decision_function(stack_x)
    p_st = 1 / (1 + np.exp(-z_st))
    p_ind = np.where(x.any(axis=1), 1 / (1 + np.exp(-z_ind)), 0.0)
    st_threshold, union_ind, at = choose_union_thresholds(
        p_st.tolist(), p_ind.tolist(), labels, max_fpr
    )
    figures["model_out_of_fold"] = _figures(z_mod, labels, 0.5)
    figures["stacked_out_of_fold"] = _figures(z_st, labels, st_threshold)
    figures["stacked_out_of_fold"]["flagged"] = {k: round(v, 4) for k, v in at.items()}
    stacker = Stacker(
        round(float(st.coef_[0][0]), 6),
        round(float(st.coef_[0][1]), 6),
        round(float(st.intercept_[0]), 6),
        round(st_threshold, 6),
        {
            "fitted_by": "logistic regression over out-of-fold log-odds",
            "operating_point": (
                f"flagged when the stacked score or the indicator score reaches its threshold; "
                f"the pair with the best F1 and FPR <= {max_fpr:g} on out-of-fold scores"
            ),
            "out_of_fold": figures["stacked_out_of_fold"],
        },
        None if union_ind is None else round(union_ind, 6),
    )
    return FittedScorer(model, indicators, stacker, figures)
