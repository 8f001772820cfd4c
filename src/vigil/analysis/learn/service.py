"""Train and evaluate from files: the I/O edge that ``vigil model`` calls.

Opens the data files, records their SHA-256, picks the format (PAN12 XML when a predator list
is given or the file looks like PAN12, else ``segment,label`` CSV), and hands the chats to the
pure code in :mod:`vigil.analysis.learn.evaluate`. :func:`compare_from_files` ranks one labelled
file with two model folders' whole scorers (``vigil model evaluate --against``): whether a
model retrained on a unit's own review decisions would have ranked them better. No case material is touched: training data
is research or synthetic data the user names, not evidence in a workspace.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vigil.analysis.assess import MsgView
from vigil.analysis.early_warning import WarningSettings
from vigil.analysis.engine import default_engine
from vigil.analysis.learn.bundle import bundle_files, write_folder
from vigil.analysis.learn.card import CARD_FILE, SourceFile, build_card
from vigil.analysis.learn.data import LabelledChat, balance, chats_from_csv, chats_from_pan12
from vigil.analysis.learn.evaluate import Evaluation, Fitted, evaluate, split
from vigil.analysis.learn.fit import fit_all
from vigil.analysis.learn.metrics import Confusion
from vigil.analysis.learn.model import TrainingConfig
from vigil.analysis.learn.store import load_model, sha256_hex
from vigil.analysis.score import ConversationInput
from vigil.errors import UserError
from vigil.ingest.formats.pan12_xml import PARSER as PAN12
from vigil.ingest.formats.pan12_xml import load_predator_ids


@dataclass(frozen=True, slots=True)
class Data:
    """Labelled chats read from files, with the files' identities and any notes."""

    chats: list[LabelledChat]
    sources: list[SourceFile]
    notes: list[str]


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return path.read_bytes()


def load_data(data: Path, predators: Path | None = None) -> Data:
    """Read labelled chats from PAN12 XML (+ predator list) or a ``segment,label`` CSV."""
    blob = _read(data)
    name = str(data)
    is_pan12 = predators is not None or PAN12.sniff(blob[:4096], data.name).score >= 0.5
    if not is_pan12:
        loaded = chats_from_csv(io.BytesIO(blob), name)
        return Data(loaded.chats, [_source(data, blob, "csv")], loaded.notes)
    sources = [_source(data, blob, "pan12_xml")]
    ids: set[str] = set()
    notes: list[str] = []
    if predators is None:
        notes.append(f"{name}: PAN12 XML without --predators; every chat is labelled 0")
    else:
        pblob = _read(predators)
        ids = load_predator_ids(io.BytesIO(pblob), str(predators))
        sources.append(_source(predators, pblob, "pan12_predators"))
    loaded = chats_from_pan12(io.BytesIO(blob), name, ids)
    return Data(loaded.chats, sources, notes + loaded.notes)


def _source(path: Path, blob: bytes, kind: str) -> SourceFile:
    return SourceFile(path.name, sha256_hex(blob), len(blob), kind)


@dataclass(frozen=True, slots=True)
class TrainReport:
    out: Path
    card: dict[str, Any]
    notes: list[str]


def conversations(chats: Sequence[LabelledChat]) -> list[ConversationInput]:
    """Labelled chats as scorer input: one message per line, no senders or times."""
    return [
        ConversationInput(str(i), [MsgView(j + 1, None, None, t) for j, t in enumerate(c.messages)])
        for i, c in enumerate(chats)
    ]


def train_from_files(
    data: Path,
    out: Path,
    *,
    predators: Path | None = None,
    config: TrainingConfig | None = None,
    test_fraction: float = 0.2,
    folds: int = 5,
    settings: WarningSettings | None = None,
    created: str,
    tool: str,
) -> TrainReport:
    """Fit the whole scorer on ``data`` (indicator weights, model, stacker; figures by K-fold
    cross-validation), evaluate the model on a held-out split unless ``test_fraction`` is 0,
    and save everything with a model card to ``out``."""
    cfg = config or TrainingConfig()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out}: already exists and is not empty", hint="choose a new --out folder")
    loaded = load_data(data, predators)
    if test_fraction > 0:
        train_part, test_part = split(loaded.chats, test_fraction, cfg.seed)
    else:
        train_part, test_part = list(loaded.chats), []
    fitted = fit_all(
        conversations(train_part),
        [c.label for c in train_part],
        default_engine(),
        config=cfg,
        folds=folds,
        seed=cfg.seed,
    )
    assert fitted.model is not None
    held = evaluate(fitted.model, test_part, settings) if test_part else None
    card = build_card(
        Fitted(fitted.model, balance(train_part), held, test_fraction),
        sources=loaded.sources,
        created=created,
        tool=tool,
        seed=cfg.seed,
        c=cfg.c,
        model_sha256="",
    )
    card["cross_validated"] = fitted.figures
    card["scoring"] = {
        "indicators": "fitted indicator weights (indicators.json)",
        "stacker": "risk = sigmoid(a * indicator log-odds + b * model log-odds + c) (stacker.json)",
        "flagged": "risk at or above stacker.json's threshold, or urgency 3",
    }
    files = bundle_files(fitted, card)
    write_folder(out, files)
    return TrainReport(out, json.loads(files[CARD_FILE]), loaded.notes)


@dataclass(frozen=True, slots=True)
class EvalReport:
    model_dir: Path
    model_sha256: str
    sources: list[SourceFile]
    evaluation: Evaluation
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": str(self.model_dir),
            "model_sha256": self.model_sha256,
            "sources": [s.as_dict() for s in self.sources],
            **self.evaluation.as_dict(),
            "notes": self.notes,
        }


def evaluate_from_files(
    data: Path,
    model_dir: Path,
    *,
    predators: Path | None = None,
    settings: WarningSettings | None = None,
) -> EvalReport:
    """Evaluate the saved model in ``model_dir`` on labelled ``data``."""
    model = load_model(model_dir)
    loaded = load_data(data, predators)
    result = evaluate(model, loaded.chats, settings)
    return EvalReport(model_dir, model.sha256 or "", loaded.sources, result, loaded.notes)


# --- Comparing two model folders on the same labelled data (``vigil model evaluate --against``)


@dataclass(frozen=True, slots=True)
class Ranking:
    """How well one model folder's whole scorer (indicators, model, stacker: what triage
    ranks by) orders labelled chats: concerning ones first."""

    model_dir: Path
    model_sha256: str
    roc_auc: float
    """The chance a concerning chat scores above a harmless one (ties count half)."""
    average_precision: float
    """PR-AUC: precision averaged down the ranked list, at each concerning chat."""
    top_precision: float
    """Of the top *k* chats (k = how many are labelled concerning), the share that are."""
    flagged: Confusion
    """At the folder's own operating point (what the queue marks "flagged")."""
    trained_on_this_data: bool
    """The model card names this very file: its figures here are in-sample, flattering."""

    def as_dict(self) -> dict[str, Any]:
        c = self.flagged
        return {
            "model": str(self.model_dir),
            "model_sha256": self.model_sha256,
            "roc_auc": round(self.roc_auc, 4),
            "average_precision": round(self.average_precision, 4),
            "top_precision": round(self.top_precision, 4),
            "flagged": {"tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn,
                        "precision": round(c.precision, 4), "recall": round(c.recall, 4)},
            "trained_on_this_data": self.trained_on_this_data,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two model folders ranked on the same labelled chats, and which orders them better."""

    data: dict[str, Any]
    sources: list[SourceFile]
    first: Ranking
    second: Ranking
    better: str | None
    """``first``, ``second``, or None when they rank alike (within :data:`ALIKE`)."""
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "sources": [s.as_dict() for s in self.sources],
            "model": self.first.as_dict(),
            "against": self.second.as_dict(),
            "better": self.better,
            "notes": self.notes,
        }


ALIKE = 0.005
"""Average precision (then ROC-AUC) closer than this counts as ranking alike."""


def _ranking(folder: Path, chats: Sequence[LabelledChat], data_sha256: str) -> Ranking:
    from vigil.analysis.learn.bundle import build_scorer, load_bundle
    from vigil.analysis.learn.fit import auc
    from vigil.analysis.learn.metrics import average_precision, confusion_at

    bundle = load_bundle(folder)
    scorer = build_scorer(folder)
    results = scorer.score(conversations(chats), shares=False)
    scores = [r.score for r in results]
    labels = [c.label for c in chats]
    k = sum(labels)
    top = sorted(range(len(chats)), key=lambda i: -scores[i])[:k]
    card_data = bundle.card.get("data", {}) or {}
    named = {s.get("sha256") for s in card_data.get("sources", []) or []} | {
        card_data.get("sha256")
    }
    return Ranking(
        folder,
        bundle.model.sha256 or "",
        auc(scores, labels),
        average_precision(labels, scores),
        sum(labels[i] for i in top) / k if k else 0.0,
        confusion_at(labels, [float(r.flagged) for r in results], 0.5),
        data_sha256 in named,
    )


def compare_from_files(
    data: Path, model_dir: Path, against: Path, *, predators: Path | None = None
) -> Comparison:
    """Rank the labelled chats in ``data`` with two model folders' whole scorers (as triage
    would) and say which puts the concerning ones higher: by average precision, then ROC-AUC.
    """
    loaded = load_data(data, predators)
    chats = loaded.chats
    b = balance(chats)
    if not b.positives or not b.negatives:
        raise UserError(
            "comparing rankings needs chats of both labels",
            hint="export 'escalate' and 'not relevant' decisions (vigil review export)",
        )
    sha = loaded.sources[0].sha256
    first, second = _ranking(model_dir, chats, sha), _ranking(against, chats, sha)
    better: str | None = None
    for name in ("average_precision", "roc_auc"):
        a, z = getattr(first, name), getattr(second, name)
        if abs(a - z) >= ALIKE:
            better = "first" if a > z else "second"
            break
    notes = list(loaded.notes)
    for r in (first, second):
        if r.trained_on_this_data:
            notes.append(
                f"{r.model_dir} was trained on this very file: its figures are in-sample and "
                "flattering; compare on decisions it did not learn from"
            )
    return Comparison(b.as_dict(), loaded.sources, first, second, better, notes)
