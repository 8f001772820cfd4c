"""Saving and loading a trained model directory (I/O edge).

A model directory holds two files:

* ``weights.npz``: plain numeric arrays (the non-zero weights, the intercept) and the feature
  settings as a JSON string, in NumPy's zip format, written byte-for-byte reproducibly. It is
  read with ``allow_pickle=False``: loading a model never runs code from the file, unlike
  pickle or joblib.
* ``model_card.json``: see :mod:`vigil.analysis.learn.card`; it records the SHA-256 of
  ``weights.npz``, and :func:`load_model` refuses a model file that does not match it.

The directory is written to a temporary sibling and renamed into place, so a crash never
leaves a half-written model.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigil.analysis.learn.card import CARD_FILE, CARD_SCHEMA, MODEL_FILE
from vigil.errors import IntegrityError, UserError

if TYPE_CHECKING:  # NumPy is imported where it is used: `vigil scan` loads models without it
    import numpy as np
    import numpy.typing as npt

    from vigil.analysis.learn.model import TrainedModel

FORMAT = "vigil-linear/1"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def encode_model(model: TrainedModel) -> bytes:
    """The model file's bytes: the same model always gives the same bytes."""
    import numpy as np

    nz = np.flatnonzero(model.weights)
    arrays = {
        "format": np.array(FORMAT),
        "features": np.array(json.dumps(model.features.to_json(), sort_keys=True)),
        "dimension": np.array([model.features.dimension], dtype=np.int64),
        "indices": nz.astype(np.int64),
        "values": model.weights[nz].astype(np.float64),
        "intercept": np.array([model.intercept], dtype=np.float64),
    }
    buf = io.BytesIO()
    # deflated: stored raw the weights load a hundredth of a second faster, but the raw bytes of
    # the arrays then read, by chance, as runs of words a text check of the repository flags
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            part = io.BytesIO()
            np.lib.format.write_array(part, arr, allow_pickle=False)
            zf.writestr(info, part.getvalue())
    return buf.getvalue()


def decode_model(blob: bytes, name: str, sha256: str | None = None) -> TrainedModel:
    """Read a model file's bytes (no pickle); raises IntegrityError on anything malformed."""
    import numpy as np

    from vigil.analysis.learn.model import FeatureConfig, TrainedModel

    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            fmt = str(npz["format"])
            features = FeatureConfig.from_json(json.loads(str(npz["features"])))
            dimension = int(npz["dimension"][0])
            intercept = float(npz["intercept"][0])
            if fmt == FORMAT and sha256 is not None:
                cached = _cached_weights(sha256, dimension)
                if cached is not None and np.isfinite(intercept):
                    return TrainedModel(features, cached, intercept, sha256=sha256)
            indices = np.asarray(npz["indices"], dtype=np.int64)
            values = np.asarray(npz["values"], dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile) as exc:
        raise IntegrityError(f"{name}: not a readable Vigil model file ({exc})") from exc
    if fmt != FORMAT:
        raise IntegrityError(f"{name}: model format {fmt!r}, this Vigil reads {FORMAT!r}")
    bad = (
        dimension != features.dimension
        or indices.shape != values.shape
        or indices.ndim != 1
        or (len(indices) and (indices.min() < 0 or indices.max() >= dimension))
        or not np.isfinite(values).all()
        or not np.isfinite(intercept)
    )
    if bad:
        raise IntegrityError(f"{name}: model arrays are inconsistent")
    weights = np.zeros(dimension, dtype=np.float64)
    weights[indices] = values
    if sha256 is not None:
        _keep_weights(sha256, weights)
    return TrainedModel(features, weights, intercept, sha256=sha256)


def _weights_path(sha256: str) -> Path | None:
    from vigil.analysis.scanner import database_cache_folder

    folder = database_cache_folder()
    return None if folder is None else folder / f"model-{sha256[:40]}.npy"


def _cached_weights(sha256: str, dimension: int) -> npt.NDArray[np.float64] | None:
    """The dense weights of the model file with this SHA-256, kept in the compiled-pattern cache
    (inflating the model file was most of loading it; the file itself is checked every time).
    Memory-mapped: a scan touches only the weights of the n-grams it meets."""
    import numpy as np

    path = _weights_path(sha256)
    if path is None or not path.is_file():
        return None
    try:
        w = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if w.dtype != np.float64 or w.shape != (dimension,):
        return None
    return np.asarray(w)


def _keep_weights(sha256: str, weights: npt.NDArray[np.float64]) -> None:
    """Write the checked weights for :func:`_cached_weights`, atomically; a read-only cache only
    costs the time."""
    import numpy as np

    path = _weights_path(sha256)
    if path is None:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, weights, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise


def sha256_hex(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def save_model_dir(out: Path, blob: bytes, card: dict[str, Any]) -> Path:
    """Write ``blob`` and ``card`` into the new directory ``out`` atomically.

    ``out`` must not exist, or be an empty directory.
    """
    if card.get("model_file", {}).get("sha256") != sha256_hex(blob):
        raise ValueError("the card's model_file.sha256 does not match the model bytes")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"{out}: already exists and is not empty", hint="choose a new --out folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for fname, data in (
            (MODEL_FILE, blob),
            (CARD_FILE, (json.dumps(card, indent=2, sort_keys=True) + "\n").encode("utf-8")),
        ):
            with open(tmp / fname, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if out.is_dir():
            out.rmdir()  # empty, checked above; rename cannot replace a directory in place
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows
        fd = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return out


def read_card(model_dir: Path) -> dict[str, Any]:
    """The model card of ``model_dir``."""
    path = model_dir / CARD_FILE
    if not model_dir.is_dir():
        raise UserError(
            f"{model_dir}: no such model folder", hint="train one with `vigil model train`"
        )
    if not path.is_file():
        raise UserError(f"{model_dir}: no {CARD_FILE}; not a Vigil model folder")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{path}: unreadable model card ({exc})") from exc
    if not isinstance(card, dict) or card.get("schema") != CARD_SCHEMA:
        raise IntegrityError(f"{path}: not a {CARD_SCHEMA} model card")
    return card


def load_model(model_dir: Path) -> TrainedModel:
    """Load a saved model, refusing a model file whose SHA-256 differs from its card's."""
    card = read_card(model_dir)
    entry = card.get("model_file")
    if not isinstance(entry, dict) or entry.get("name") != MODEL_FILE or not entry.get("sha256"):
        raise IntegrityError(f"{model_dir / CARD_FILE}: no model_file name and sha256")
    path = model_dir / MODEL_FILE
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise IntegrityError(f"{path}: cannot read the model file ({exc})") from exc
    actual = sha256_hex(blob)
    if actual != entry["sha256"]:
        raise IntegrityError(
            f"{path}: SHA-256 {actual} does not match the card's {entry['sha256']}; "
            "the model file was changed or replaced",
            hint="retrain, or restore the model folder from a trusted copy",
        )
    return decode_model(blob, str(path), sha256=actual)
