"""Fitted indicator weights: how much each finding feature counts, earned on labelled data.

The weights are data, stored as JSON beside the taxonomy (``taxonomy/_weights.json`` for the
built-in set; a model folder may carry its own ``indicators.json``) with their provenance: the
data they were fitted on, how, when, and the cross-validated figures. Pure apart from
:func:`load_weights` / :func:`save_weights`, which read and write one file.

Scoring is a logistic model: ``z = intercept + sum(weight[f] * value[f])`` over the features of
:mod:`vigil.analysis.features`, ``score = sigmoid(z)``. Every term is listed by
:meth:`IndicatorWeights.contributions`, so a score is always the sum of reasons you can read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vigil.errors import IntegrityError

FORMAT = "vigil-indicator-weights/1"
BUILTIN = "_weights.json"


def sigmoid(z: float) -> float:
    """The logistic function, safe for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def logit(p: float, eps: float = 1e-6) -> float:
    """The log-odds of ``p`` (clipped away from 0 and 1)."""
    p = min(max(p, eps), 1 - eps)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class IndicatorWeights:
    """A fitted logistic model over finding features, with where it came from."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    """Score at or above which a conversation is ``flagged`` on indicators alone."""
    provenance: dict[str, Any] = field(default_factory=dict)

    def decision(self, feats: Mapping[str, float]) -> float:
        """The log-odds for these features."""
        return self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())

    def score(self, feats: Mapping[str, float]) -> float:
        """Probability-like score in [0, 1]."""
        return sigmoid(self.decision(feats))

    def contributions(self, feats: Mapping[str, float]) -> dict[str, float]:
        """What each feature added to the log-odds (weight × value), non-zero ones only."""
        out = {k: self.weights.get(k, 0.0) * v for k, v in feats.items()}
        return {k: v for k, v in out.items() if v}

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "weights": dict(sorted(self.weights.items())),
            "provenance": self.provenance,
        }

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON: changes whenever scores may."""
        blob = json.dumps(self.as_json(), sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


UNFITTED = IndicatorWeights({}, -4.0, 0.5, {"note": "no fitted weights: every score is low"})


def weights_from_json(data: Mapping[str, Any], name: str) -> IndicatorWeights:
    """Check and read a weights document; raises IntegrityError naming ``name``."""
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this Vigil reads {FORMAT!r}")
        w = {str(k): float(v) for k, v in dict(data["weights"]).items()}
        out = IndicatorWeights(
            w, float(data["intercept"]), float(data["threshold"]), dict(data.get("provenance", {}))
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise IntegrityError(f"{name}: not a Vigil indicator-weights file ({exc})") from exc
    if not all(math.isfinite(v) for v in (*w.values(), out.intercept, out.threshold)):
        raise IntegrityError(f"{name}: weights must be finite numbers")
    return out


def load_weights(path: Path | None = None) -> IndicatorWeights:
    """Weights from ``path``, or the built-in set shipped beside the taxonomy."""
    if path is None:
        ref = resources.files("vigil.analysis.taxonomy").joinpath(BUILTIN)
        if not ref.is_file():
            return UNFITTED
        return weights_from_json(json.loads(ref.read_text("utf-8")), f"taxonomy/{BUILTIN}")
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise IntegrityError(f"{path}: cannot read indicator weights ({exc})") from exc
    return weights_from_json(data, str(path))


def save_weights(w: IndicatorWeights, path: Path) -> None:
    """Write ``w`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(w.as_json(), indent=2, sort_keys=False) + "\n")
    os.chmod(tmp, 0o644)  # data, not a secret: readable like the rest of the taxonomy
    os.replace(tmp, path)
