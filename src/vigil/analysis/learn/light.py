"""A saved n-gram model scored without NumPy: the C scorer and a plain reader of the model file.

``vigil scan`` is run once per file by platforms and by the evaluation harness, so its start-up
counts: importing NumPy alone was a tenth of a second of a 0.6-second scan of a thousand
conversations. For a model of the ``poly64`` kind (every model Vigil trains), the C extension
``_grams`` (built from ``_grams.c`` when Vigil is installed) gives the same doubles as
:func:`vigil.analysis.learn.hashing.decision` (``tests/analysis/test_grams_c.py``), and this
module reads the model file with the standard library: the zip, the ``.npy`` headers and the
arrays, with the same checks as :func:`vigil.analysis.learn.store.decode_model`.

:func:`load_light` returns None whenever it cannot take a model this way (the extension is not
built, another hasher, a byte order other than little-endian, anything unexpected in the file):
the caller then loads it with NumPy, which gives the same scores or the proper error. The
SHA-256 of the model file is checked against the model card first, as always. The dense
weights are memory-mapped from the same cache file the NumPy loader keeps
(``model-<sha256>.npy`` beside the compiled patterns), or built from the model file and written
there.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import math
import mmap
import os
import struct
import sys
import zipfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from vigil.analysis.learn.card import MODEL_FILE

_grams: ModuleType | None
try:
    from vigil.analysis.learn import _grams
except ImportError:  # not built (no C compiler when Vigil was installed): NumPy is used
    _grams = None

FORMAT = "vigil-linear/1"
_MAGIC = b"\x93NUMPY"


def available() -> bool:
    """True when the C scorer is built (and this machine is little-endian, as its files are)."""
    return _grams is not None and sys.byteorder == "little"


@dataclass(frozen=True, slots=True, eq=False)
class LightModel:
    """A ``poly64`` model's weights and intercept, scored by the C extension.

    Scores as :class:`vigil.analysis.learn.model.TrainedModel` does (``decision``; ``sha256``
    for fingerprints); explanations and training need the full model."""

    bits: int
    weights: Any
    """The dense weights: a buffer of ``2**bits`` little-endian float64."""
    intercept: float
    sha256: str
    features: dict[str, Any]

    def decision(self, texts: list[str]) -> list[float]:
        """The linear score (log-odds) of each text."""
        if not texts:
            return []
        assert _grams is not None
        result: list[float] = _grams.decision(list(texts), self.weights, self.intercept, self.bits)
        return result


def load_light(model_dir: Path, card: dict[str, Any]) -> LightModel | None:
    """The model of ``model_dir`` (whose checked ``card`` is given) for the C scorer, or None."""
    if not available():
        return None
    entry = card.get("model_file")
    if not isinstance(entry, dict) or entry.get("name") != MODEL_FILE or not entry.get("sha256"):
        return None
    try:
        blob = (model_dir / MODEL_FILE).read_bytes()
    except OSError:
        return None
    sha256 = hashlib.sha256(blob).hexdigest()
    if sha256 != entry["sha256"]:
        return None  # the NumPy loader refuses it with the full message
    try:
        return _decode(blob, sha256)
    except (ValueError, KeyError, TypeError, SyntaxError, struct.error, zipfile.BadZipFile):
        return None


def _decode(blob: bytes, sha256: str) -> LightModel | None:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        if _text(zf.read("format.npy")) != FORMAT:
            return None
        features = json.loads(_text(zf.read("features.npy")))
        bits = _poly64_bits(features)
        dimension = _scalar(zf.read("dimension.npy"), "<i8", "q")
        intercept = _scalar(zf.read("intercept.npy"), "<f8", "d")
        if bits is None or dimension != 1 << bits or not math.isfinite(intercept):
            return None
        weights: memoryview | bytearray | None = _cached(sha256, dimension)
        if weights is None:
            weights = _dense(zf.read("indices.npy"), zf.read("values.npy"), dimension)
            if weights is None:
                return None
            _keep(sha256, weights)
    return LightModel(bits, weights, float(intercept), sha256, features)


def _poly64_bits(features: Any) -> int | None:
    """The column bits of a ``poly64`` feature setting, None for any other."""
    if not isinstance(features, dict):
        return None
    n = features.get("n_features")
    ok = (
        features.get("hasher") == "poly64"
        and list(features.get("word_ngrams") or ()) == [1, 2]
        and features.get("char_ngrams") is None
        and features.get("lowercase") is True
        and isinstance(n, int)
        and n >= 16
        and n & (n - 1) == 0
    )
    return n.bit_length() - 1 if ok and isinstance(n, int) else None


def _npy(data: bytes | memoryview | mmap.mmap) -> tuple[str, tuple[int, ...], memoryview]:
    """The dtype string, shape and data of a ``.npy`` file (C order only)."""
    view = memoryview(data)
    if bytes(view[:6]) != _MAGIC:
        raise ValueError("not a .npy file")
    major = view[6]
    if major == 1:
        (size,) = struct.unpack("<H", view[8:10])
        start = 10
    elif major in (2, 3):
        (size,) = struct.unpack("<I", view[8:12])
        start = 12
    else:
        raise ValueError(f".npy version {major}")
    header = ast.literal_eval(bytes(view[start : start + size]).decode("latin-1"))
    if not isinstance(header, dict) or header.get("fortran_order") is not False:
        raise ValueError("unexpected .npy header")
    descr, shape = header.get("descr"), header.get("shape")
    if not isinstance(descr, str) or not isinstance(shape, tuple):
        raise ValueError("unexpected .npy header")
    return descr, shape, view[start + size :]


def _text(data: bytes) -> str:
    descr, shape, body = _npy(data)
    if not descr.startswith("<U") or shape != () or len(body) != 4 * int(descr[2:]):
        raise ValueError("not a text array")
    return bytes(body).decode("utf-32-le").rstrip("\x00")


def _scalar(data: bytes, descr: str, code: str) -> Any:
    got, shape, body = _npy(data)
    if got != descr or shape != (1,) or len(body) != 8:
        raise ValueError("not a one-value array")
    return struct.unpack("<" + code, body)[0]


def _vector(data: bytes, descr: str, code: str) -> array[Any]:
    got, shape, body = _npy(data)
    if got != descr or len(shape) != 1 or len(body) != 8 * shape[0]:
        raise ValueError("not a vector")
    out = array(code)
    out.frombytes(body)
    return out


def _dense(indices_npy: bytes, values_npy: bytes, dimension: int) -> bytearray | None:
    """The dense weights from the non-zero ones, or None if they are inconsistent."""
    indices = _vector(indices_npy, "<i8", "q")
    values = _vector(values_npy, "<f8", "d")
    if len(indices) != len(values) or not all(map(math.isfinite, values)):
        return None
    if len(indices) and (min(indices) < 0 or max(indices) >= dimension):
        return None
    dense = bytearray(8 * dimension)
    view = memoryview(dense).cast("d")
    for i, v in zip(indices, values, strict=True):
        view[i] = v
    return dense


def _cache_path(sha256: str) -> Path | None:
    from vigil.analysis.scanner import database_cache_folder

    folder = database_cache_folder()
    return None if folder is None else folder / f"model-{sha256[:40]}.npy"


def _cached(sha256: str, dimension: int) -> memoryview | None:
    """The dense weights kept for this model file, memory-mapped (as the NumPy loader does)."""
    path = _cache_path(sha256)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        descr, shape, body = _npy(mapped)
    except (ValueError, SyntaxError, struct.error):
        return None
    if descr != "<f8" or shape != (dimension,) or len(body) != 8 * dimension:
        return None
    return body


def _keep(sha256: str, dense: bytearray) -> None:
    """Write the dense weights as a ``.npy`` file NumPy reads too, atomically; a read-only cache
    only costs the time."""
    path = _cache_path(sha256)
    if path is None:
        return
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': ({len(dense) // 8},), }}"
    pad = 64 - (len(_MAGIC) + 4 + len(header) + 1) % 64
    head = _MAGIC + b"\x01\x00" + struct.pack("<H", len(header) + pad % 64 + 1)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(tmp, "wb") as fh:
                fh.write(head + (header + " " * (pad % 64) + "\n").encode("latin-1") + dense)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
