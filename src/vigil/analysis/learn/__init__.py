"""Optional learned classifier: data loading, training, evaluation metrics, model cards.

Vigil runs on its explainable indicators alone; a model trained here is an extra, optional
signal. Importing this package is cheap: scikit-learn is loaded only when a model is trained or
loaded. Use :func:`load_model` to get a :class:`~vigil.analysis.learn.model.TrainedModel` whose
``score(texts)`` gives probabilities and whose ``score_window`` plugs into
:class:`vigil.analysis.early_warning.EarlyWarning`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vigil.analysis.learn.model import TrainedModel


def load_model(model_dir: Path) -> TrainedModel:
    """Load the model saved in ``model_dir``, verifying the model file against its card."""
    from vigil.analysis.learn.store import load_model as _load

    return _load(model_dir)


__all__ = ["load_model"]
