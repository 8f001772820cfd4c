"""Combining the indicator score and the learned model's score into one risk (a stacker).

Pure. ``risk = sigmoid(a · indicator log-odds + b · model log-odds + c)``; ``a``, ``b`` and ``c``
are fitted by logistic regression on out-of-fold scores of labelled data, so the combination
is never worse than the better of the two on the data it was fitted on, and ``threshold`` is
the operating point chosen there (``flagged`` means risk at or above it). Stored as JSON in
the model folder (``stacker.json``) with its provenance.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vigil.analysis.weights import sigmoid
from vigil.errors import IntegrityError

FORMAT = "vigil-stacker/1"


@dataclass(frozen=True)
class Stacker:
    """Logistic combination of the two log-odds, and the operating point."""

    indicator: float
    model: float
    intercept: float
    threshold: float
    provenance: dict[str, Any] = field(default_factory=dict)
    indicator_threshold: float | None = None
    """Also flagged when the indicator score alone reaches this (chosen with ``threshold`` so
    that the two together keep the false-positive rate); None: the stacked score only."""

    def decision(self, z_indicator: float, z_model: float) -> float:
        return self.intercept + self.indicator * z_indicator + self.model * z_model

    def score(self, z_indicator: float, z_model: float) -> float:
        return sigmoid(self.decision(z_indicator, z_model))

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "indicator": self.indicator,
            "model": self.model,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "indicator_threshold": self.indicator_threshold,
            "provenance": self.provenance,
        }

    @property
    def digest(self) -> str:
        blob = json.dumps(self.as_json(), sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


def stacker_from_json(data: Mapping[str, Any], name: str) -> Stacker:
    """Check and read a stacker document; raises IntegrityError naming ``name``."""
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this Vigil reads {FORMAT!r}")
        out = Stacker(
            float(data["indicator"]),
            float(data["model"]),
            float(data["intercept"]),
            float(data["threshold"]),
            dict(data.get("provenance", {})),
            None if data.get("indicator_threshold") is None else float(data["indicator_threshold"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise IntegrityError(f"{name}: not a Vigil stacker file ({exc})") from exc
    values = (
        out.indicator,
        out.model,
        out.intercept,
        out.threshold,
        out.indicator_threshold or 0.0,
    )
    if not all(math.isfinite(v) for v in values):
        raise IntegrityError(f"{name}: stacker values must be finite numbers")
    return out
