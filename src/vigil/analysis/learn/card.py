"""The model card saved beside every trained model (pure: builds a dict).

The card says what data the model learnt from (file names, SHA-256, counts, class balance),
when (a date the caller passes in), how it did on a held-out split, which tool and library
versions made it, the SHA-256 of the model file (checked on load) and, always, the decoy-data
warning below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vigil.analysis.learn.evaluate import Fitted

CARD_SCHEMA = "vigil-model-card/1"
CARD_FILE = "model_card.json"
MODEL_FILE = "weights.npz"

DECOY_WARNING = (
    "The research corpora use adult decoys and old IRC chats; models trained on them learn "
    "source and length artefacts and miss indirect grooming. Vigil's output is a lead for a "
    "human, never a verdict."
)

INTENDED_USE = (
    "Ranking conversations for review by trained officers or analysts, alongside Vigil's "
    "explainable indicator findings. Not for deciding guilt, charging or any automated action; "
    "never the sole reason for a decision."
)

LIMITATIONS = (
    "A bag-of-n-grams model sees word choice, not meaning or who said what; it misses "
    "grooming that avoids the words in its training data and flags benign chats that share "
    "them. Scores are only as good as the labels and are not calibrated for new platforms, "
    "languages or eras of chat."
)


RESEARCH_BIASES = (
    "Adult decoys, not children: the offenders were talking to adult volunteers posing as "
    "children, who write differently from real children and rarely disengage.",
    "Old chat rooms: 2000s IRC and instant-messenger chat; today's platforms, slang, emoji, "
    "voice notes and images are absent.",
    "Source and length artefacts: positives are one-to-one chats, negatives often many-person "
    "rooms, so informal one-to-one style and segment length are predictive in this data "
    "(a score of segment length alone reaches ROC-AUC 0.69 on it).",
    "No teen-peer, family or gaming chat among the negatives: such chats share words with the "
    "positives and the model alone scores some of them near 0.5; with speaker turns triage "
    "flags only when a child is in view.",
    "English only; segments without speaker turns or times, so role and timing features "
    "could not be fitted and carry no weight.",
)
"""What a model trained on the PAN 2012-derived research data inherits from it."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A data file the model was trained on."""

    name: str
    sha256: str
    size: int
    kind: str
    """``pan12_xml``, ``pan12_predators`` or ``csv``."""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "kind": self.kind}


def library_versions() -> dict[str, str]:
    import numpy as np
    import scipy
    import sklearn

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def build_card(
    fitted: Fitted,
    *,
    sources: Sequence[SourceFile],
    created: str,
    tool: str,
    seed: int,
    c: float,
    model_sha256: str,
) -> dict[str, Any]:
    """The model card for ``fitted``; ``created`` is an ISO date or timestamp from the caller."""
    held = fitted.held_out.as_dict() if fitted.held_out is not None else None
    held_data = held["data"] if held else None
    all_data = _sum(fitted.train.as_dict(), held_data) if held_data else fitted.train.as_dict()
    return {
        "schema": CARD_SCHEMA,
        "warning": DECOY_WARNING,
        "intended_use": INTENDED_USE,
        "limitations": LIMITATIONS,
        "created": created,
        "tool_version": tool,
        "library_versions": library_versions(),
        "model": {
            **fitted.model.describe(),
            "classifier": "L2 logistic regression (lbfgs), balanced class weights",
            "c": c,
            "seed": seed,
        },
        "model_file": {"name": MODEL_FILE, "sha256": model_sha256},
        "data": {
            "sources": [s.as_dict() for s in sources],
            "all": all_data,
            "train": fitted.train.as_dict(),
            "held_out": held_data,
            "test_fraction": fitted.test_fraction,
            "split": "stratified by label, seeded",
        },
        "metrics": {
            "held_out": {"segment": held["segment"], "early_warning": held["early_warning"]}
            if held
            else None
        },
    }


def _sum(a: dict[str, int | float], b: dict[str, int | float]) -> dict[str, int | float]:
    keys = ("chats", "positives", "negatives", "messages")
    out: dict[str, int | float] = {k: a[k] + b[k] for k in keys}
    out["positive_share"] = round(out["positives"] / out["chats"], 6) if out["chats"] else 0.0
    return out
