"""A linear classifier on hashed n-grams: training and scoring (pure, no files).

Features: word 1–2 grams (optionally also character 3–5 grams inside word boundaries) hashed
into a fixed number of columns by scikit-learn's ``HashingVectorizer``, so there is no
vocabulary to store and the same text always lands in the same columns; counts are damped with
``log1p`` and each row is scaled to unit length, so long chats do not score high for being long.
Classifier: L2-regularised logistic regression (lbfgs, deterministic) with balanced class
weights. A :class:`TrainedModel` keeps only the weight vector, the intercept and the feature
settings; scoring is a sparse dot product and a sigmoid.

Its scores are leads for a trained person, never verdicts; see the decoy-data warning in
:mod:`vigil.analysis.learn.card`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from vigil.analysis.learn import hashing
from vigil.errors import UserError

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer

TOKEN_PATTERN = r"(?u)\b\w+\b"
"""Words of one character count too: chat shorthand such as "u", "r", "k"."""


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """How text becomes a feature vector. Part of the saved model (and its hash)."""

    n_features: int = 2**20
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None
    lowercase: bool = True
    hasher: str = "poly64"
    """``poly64``: word 1-2 grams hashed with NumPy (:mod:`vigil.analysis.learn.hashing`),
    lower-cased; ``sklearn``: scikit-learn's HashingVectorizer (models saved before it)."""

    def __post_init__(self) -> None:
        if self.n_features < 16:
            raise UserError(f"n_features must be at least 16, got {self.n_features}")
        if self.hasher not in ("poly64", "sklearn"):
            raise UserError(f"unknown hasher {self.hasher!r}")
        if self.hasher == "poly64" and (
            self.n_features & (self.n_features - 1)
            or self.word_ngrams != (1, 2)
            or self.char_ngrams is not None
            or not self.lowercase
        ):
            raise UserError(
                "the poly64 hasher takes lower-cased word 1-2 grams and a power-of-two "
                "n_features; use hasher 'sklearn' for other settings"
            )

    @property
    def bits(self) -> int:
        return self.n_features.bit_length() - 1
        for rng in (self.word_ngrams, self.char_ngrams):
            if rng is not None and not 1 <= rng[0] <= rng[1]:
                raise UserError(f"bad n-gram range {rng}")

    @property
    def dimension(self) -> int:
        return self.n_features * (2 if self.char_ngrams else 1)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureConfig:
        char = data.get("char_ngrams")
        return cls(
            n_features=int(data["n_features"]),
            word_ngrams=(int(data["word_ngrams"][0]), int(data["word_ngrams"][1])),
            char_ngrams=(int(char[0]), int(char[1])) if char else None,
            lowercase=bool(data["lowercase"]),
            hasher=str(data.get("hasher", "sklearn")),
        )


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Classifier settings; ``seed`` fixes the held-out split."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    c: float = 10.0
    """Inverse regularisation strength (10 chosen by cross-validation on the research data)."""
    seed: int = 0
    max_iter: int = 1000


def _vectorizers(cfg: FeatureConfig) -> list[HashingVectorizer]:
    from sklearn.feature_extraction.text import HashingVectorizer

    common: dict[str, Any] = {
        "n_features": cfg.n_features,
        "alternate_sign": False,
        "norm": None,
        "lowercase": cfg.lowercase,
        "dtype": np.float64,
    }
    out = [
        HashingVectorizer(
            analyzer="word", ngram_range=cfg.word_ngrams, token_pattern=TOKEN_PATTERN, **common
        )
    ]
    if cfg.char_ngrams:
        out.append(HashingVectorizer(analyzer="char_wb", ngram_range=cfg.char_ngrams, **common))
    return out


def featurise(texts: Sequence[str], cfg: FeatureConfig) -> sparse.csr_matrix:
    """Hashed, log-damped, unit-length feature rows for ``texts``."""
    from scipy import sparse

    if cfg.hasher == "poly64":
        r, c, v = hashing.rows(texts, cfg.bits)
        return sparse.csr_matrix((v, (r, c)), shape=(len(texts), cfg.n_features))
    from sklearn.preprocessing import normalize

    parts = [v.transform(texts) for v in _vectorizers(cfg)]
    x = sparse.csr_matrix(sparse.hstack(parts, format="csr") if len(parts) > 1 else parts[0])
    x.data = np.log1p(x.data)
    return sparse.csr_matrix(normalize(x, norm="l2", copy=False))


@dataclass(frozen=True, slots=True, eq=False)
class TrainedModel:
    """A fitted linear model: ``score`` gives the probability that a text is concerning."""

    features: FeatureConfig
    weights: npt.NDArray[np.float64]
    intercept: float
    sha256: str | None = None
    """SHA-256 of the saved model file this was loaded from (None if never loaded)."""

    def __post_init__(self) -> None:
        if self.weights.shape != (self.features.dimension,):
            raise ValueError(
                f"weights have shape {self.weights.shape}, expected ({self.features.dimension},)"
            )

    def decision(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """The linear score (log-odds) of each text."""
        if not texts:
            return np.zeros(0)
        if self.features.hasher == "poly64":
            return hashing.decision(list(texts), self.weights, self.intercept, self.features.bits)
        x = featurise(list(texts), self.features)
        return np.asarray(x @ self.weights, dtype=np.float64) + self.intercept

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Probability in [0, 1] for each text."""
        z = self.decision(texts)
        return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)  # stable sigmoid

    def score_window(self, messages: Sequence[str]) -> float:
        """Score one window of messages (an :class:`~vigil.analysis.early_warning.EarlyWarning`
        scorer)."""
        return float(self.score(["\n".join(messages)])[0])

    def score_windows(self, windows: Sequence[Sequence[str]]) -> list[float]:
        """Score many windows in one call (a batch scorer for
        :func:`~vigil.analysis.early_warning.scan`)."""
        return [float(x) for x in self.score(["\n".join(w) for w in windows])]

    def explain(self, text: str, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` n-grams of ``text`` that push its score up most, with their contribution
        to the log-odds (weight × feature value). Hash collisions share a column, so a
        contribution can include other n-grams that hash alike."""
        x = featurise([text], self.features)
        row = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
        best: dict[str, float] = {}
        if self.features.hasher == "poly64":
            for gram, col in hashing.gram_columns(text, self.features.bits):
                value = row.get(col, 0.0) * float(self.weights[col])
                if value > 0:
                    best[gram] = value
            return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        from sklearn.feature_extraction import FeatureHasher

        offset = 0
        for vec in _vectorizers(self.features):
            grams = sorted(set(vec.build_analyzer()(text)))
            if grams:
                hasher = FeatureHasher(
                    n_features=self.features.n_features,
                    input_type="string",
                    alternate_sign=False,
                )
                cols = hasher.transform([[g] for g in grams]).tocsr().indices
                for gram, col in zip(grams, cols.tolist(), strict=True):
                    value = row.get(offset + col, 0.0) * float(self.weights[offset + col])
                    if value > 0:
                        best[gram] = value
            offset += self.features.n_features
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def describe(self) -> dict[str, Any]:
        return {
            "type": "logistic_regression",
            "features": json.loads(json.dumps(self.features.to_json())),
            "nonzero_weights": int(np.count_nonzero(self.weights)),
        }


def train(
    segments: Sequence[str], labels: Sequence[int], config: TrainingConfig | None = None
) -> TrainedModel:
    """Fit the classifier on ``segments`` with 0/1 ``labels``; the same input gives the same model."""
    cfg = config or TrainingConfig()
    if len(segments) != len(labels):
        raise ValueError(f"{len(segments)} segments but {len(labels)} labels")
    y = np.asarray(labels, dtype=np.int64)
    if not np.isin(y, (0, 1)).all():
        raise UserError("labels must be 0 or 1")
    if len(set(y.tolist())) < 2:
        raise UserError(
            "training data has only one class",
            hint="it needs both concerning (1) and other (0) examples; "
            "for PAN12 pass the predator list with --predators",
        )
    from sklearn.linear_model import LogisticRegression

    x = featurise(list(segments), cfg.features)
    clf = LogisticRegression(
        C=cfg.c,
        class_weight="balanced",
        solver="lbfgs",
        max_iter=cfg.max_iter,
        random_state=cfg.seed,
    )
    clf.fit(x, y)
    weights = np.asarray(clf.coef_, dtype=np.float64).reshape(-1)
    return TrainedModel(cfg.features, weights, float(np.asarray(clf.intercept_).reshape(-1)[0]))
