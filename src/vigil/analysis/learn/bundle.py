"""A model folder as triage uses it: the learned model, its stacker and its indicator weights.

A folder written by ``vigil model train`` holds ``weights.npz`` (hashed n-gram weights),
``indicators.json`` (indicator weights fitted on the same data), ``stacker.json`` (how the two
scores combine, and the operating point) and ``model_card.json`` (data, figures, limits, and
the SHA-256 of each file, checked on load). Vigil ships one, trained on research data, in
``vigil/analysis/learn/default_model``; ``VIGIL_MODEL_DIR`` picks another, and ``none`` (or
``--no-model``) scores with the indicators alone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigil.analysis.engine import Engine, default_engine
from vigil.analysis.learn.card import CARD_FILE, CARD_SCHEMA, MODEL_FILE
from vigil.analysis.learn.store import encode_model, load_model, read_card, sha256_hex
from vigil.analysis.score import Scorer
from vigil.analysis.stack import Stacker, stacker_from_json
from vigil.analysis.weights import IndicatorWeights, load_weights, weights_from_json
from vigil.errors import IntegrityError, UserError

if TYPE_CHECKING:
    from vigil.analysis.learn.fit import FittedScorer  # (training code: not loaded to score)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default_model"
INDICATORS_FILE = "indicators.json"
STACKER_FILE = "stacker.json"
OFF = frozenset({"none", "off", "no", "false", "0"})


@dataclass(frozen=True)
class Bundle:
    """A loaded model folder."""

    path: Path
    model: Any  # TrainedModel
    stacker: Stacker | None
    indicators: IndicatorWeights | None
    card: dict[str, Any]


def _json_part(folder: Path, fname: str, card: dict[str, Any]) -> dict[str, Any] | None:
    path = folder / fname
    if not path.is_file():
        return None
    blob = path.read_bytes()
    want = card.get("files", {}).get(fname)
    if want is not None and want != sha256_hex(blob):
        raise IntegrityError(f"{path}: SHA-256 differs from the model card; refusing to use it")
    try:
        data: dict[str, Any] = json.loads(blob)
    except ValueError as exc:
        raise IntegrityError(f"{path}: not JSON ({exc})") from exc
    return data


def load_bundle(folder: Path, *, light: bool = False) -> Bundle:
    """Load and check a model folder. ``light``: score the model with the C scorer, without
    NumPy, when it can be (:mod:`vigil.analysis.learn.light`; the same scores)."""
    card = read_card(folder)
    model: Any = None
    if light:
        from vigil.analysis.learn.light import load_light

        model = load_light(folder, card)
    if model is None:
        model = load_model(folder)
    st = _json_part(folder, STACKER_FILE, card)
    ind = _json_part(folder, INDICATORS_FILE, card)
    return Bundle(
        folder,
        model,
        None if st is None else stacker_from_json(st, str(folder / STACKER_FILE)),
        None if ind is None else weights_from_json(ind, str(folder / INDICATORS_FILE)),
        card,
    )


def resolve_model_dir(setting: Path | str | None) -> Path | None:
    """The model folder to use: the setting, the shipped default when unset, None when off."""
    if setting is None or str(setting) == "":
        return DEFAULT_MODEL_DIR if (DEFAULT_MODEL_DIR / "model_card.json").is_file() else None
    if str(setting).strip().lower() in OFF:
        return None
    return Path(setting)


def build_scorer(
    model_dir: Path | None,
    *,
    weights_path: Path | None = None,
    engine: Engine | None = None,
    light: bool = False,
) -> Scorer:
    """A :class:`Scorer`: with the model folder's model, stacker and indicator weights, or
    (``model_dir`` None) the indicators alone with the built-in weights. ``weights_path``
    overrides the indicator weights either way. ``light``: see :func:`load_bundle` (for
    callers that only score, such as ``vigil scan``)."""
    engine = engine or default_engine()
    if model_dir is None:
        return Scorer(engine, load_weights(weights_path))
    b = load_bundle(model_dir, light=light)
    weights = load_weights(weights_path) if weights_path else (b.indicators or load_weights())
    return Scorer(engine, weights, b.model, b.stacker)


def bundle_files(fitted: FittedScorer, card: dict[str, Any]) -> dict[str, bytes]:
    """The files of a model folder for ``fitted``; ``card`` gets the files' SHA-256 added."""
    files: dict[str, bytes] = {}
    if fitted.model is not None:
        files[MODEL_FILE] = encode_model(fitted.model)
    files[INDICATORS_FILE] = _dump(fitted.indicators.as_json())
    if fitted.stacker is not None:
        files[STACKER_FILE] = _dump(fitted.stacker.as_json())
    card = dict(card)
    card["schema"] = CARD_SCHEMA
    if MODEL_FILE in files:
        card["model_file"] = {"name": MODEL_FILE, "sha256": sha256_hex(files[MODEL_FILE])}
    card["files"] = {name: sha256_hex(blob) for name, blob in sorted(files.items())}
    files[CARD_FILE] = _dump(card)
    return files


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_folder(out: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` into the new (or empty) folder ``out`` atomically."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out}: already exists and is not empty", hint="choose a new --out folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for fname, data in files.items():
            with open(tmp / fname, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)  # a model folder is data, readable like any installed file
        if out.is_dir():
            out.rmdir()
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
