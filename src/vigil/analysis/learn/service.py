"""Train and evaluate from files: the I/O edge that ``vigil model`` calls.

Opens the data files, records their SHA-256, picks the format (PAN12 XML when a predator list
is given or the file looks like PAN12, else ``segment,label`` CSV), and hands the chats to the
pure code in :mod:`vigil.analysis.learn.evaluate`. No case material is touched: training data
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
