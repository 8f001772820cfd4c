"""Merging model folders trained on cross-validation folds into one (a bagged model).

Pure apart from reading the folders. Every part of a Vigil scorer is linear in its inputs, so
averaging the folds' parameters gives one model whose log-odds are the average of theirs:
the n-gram weights and intercept, the indicator weights, intercept and threshold, and the
stacker's coefficients and threshold. This is how the shipped default model is made: the
evaluation harness trains one model per fold on its private copy of the data (no text ever
leaves it) and the folds are merged here; together they have seen all the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vigil.analysis.learn.bundle import Bundle, load_bundle
from vigil.analysis.learn.fit import FittedScorer
from vigil.analysis.learn.model import TrainedModel
from vigil.analysis.stack import Stacker
from vigil.analysis.weights import IndicatorWeights
from vigil.errors import UserError


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 6)


def _union(values: Sequence[float | None]) -> float | None:
    """The mean of the folds' indicator thresholds; None when most folds use none."""
    given = [v for v in values if v is not None]
    return _mean(given) if len(given) * 2 > len(values) else None


def merge_bundles(bundles: Sequence[Bundle]) -> FittedScorer:
    """One scorer whose parameters are the mean of ``bundles``' (same feature settings)."""
    if not bundles:
        raise UserError("nothing to merge")
    first = bundles[0].model
    for b in bundles:
        if b.model.features != first.features:
            raise UserError(f"{b.path}: feature settings differ from {bundles[0].path}")
        if b.stacker is None or b.indicators is None:
            raise UserError(f"{b.path}: no stacker.json or indicators.json; retrain it")
    weights = np.mean([b.model.weights for b in bundles], axis=0)
    model = TrainedModel(first.features, weights, _mean([b.model.intercept for b in bundles]))
    inds = [b.indicators for b in bundles if b.indicators is not None]
    names = sorted({k for w in inds for k in w.weights})
    indicators = IndicatorWeights(
        {n: _mean([w.weights.get(n, 0.0) for w in inds]) for n in names},
        _mean([w.intercept for w in inds]),
        _mean([w.threshold for w in inds]),
        {"merged_from": len(inds), "folds": [w.provenance for w in inds]},
    )
    sts = [b.stacker for b in bundles if b.stacker is not None]
    stacker = Stacker(
        _mean([s.indicator for s in sts]),
        _mean([s.model for s in sts]),
        _mean([s.intercept for s in sts]),
        _mean([s.threshold for s in sts]),
        {"merged_from": len(sts), "folds": [s.provenance for s in sts]},
        _union([s.indicator_threshold for s in sts]),
    )
    figures: dict[str, Any] = {"folds": [b.card.get("cross_validated", {}) for b in bundles]}
    return FittedScorer(model, indicators, stacker, figures)


def merge_folders(folders: Sequence[Path]) -> FittedScorer:
    """Load and merge model folders."""
    return merge_bundles([load_bundle(f) for f in folders])
