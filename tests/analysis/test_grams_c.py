"""The C n-gram scorer and the NumPy-free model reader give exactly what the NumPy code gives.

``vigil scan`` scores with ``_grams.c`` and :mod:`vigil.analysis.learn.light` when they are
available, triage and training with :mod:`vigil.analysis.learn.hashing`; a conversation must
get the same doubles either way. Texts are synthetic: chat-like words, other scripts, emoji,
long words, lone surrogates.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.analysis.learn import hashing, light
from vigil.analysis.learn.bundle import DEFAULT_MODEL_DIR, load_bundle
from vigil.analysis.learn.card import CARD_FILE, MODEL_FILE
from vigil.analysis.learn.model import FeatureConfig, TrainedModel
from vigil.analysis.learn.store import load_model, read_card
from vigil.analysis.scanner import set_database_cache
from vigil.errors import IntegrityError

pytestmark = pytest.mark.skipif(not light.available(), reason="the C scorer is not built")

WORDS = [
    *("hi", "hey", "lol", "u", "ur", "how", "old", "r", "you", "school", "mum", "home", "alone"),
    *("meet", "pic", "cute", "gg", "14", "£20", "🙂", "straße", "ΣΑΣ"),
]


def _model(bits: int = 12, seed: int = 0) -> TrainedModel:
    rng = np.random.default_rng(seed)
    weights = rng.normal(0, 1, 2**bits) * (rng.random(2**bits) < 0.3)
    return TrainedModel(FeatureConfig(n_features=2**bits), weights, float(rng.normal()))


def _c_decision(model: TrainedModel, texts: list[str]) -> list[float]:
    from vigil.analysis.learn import _grams

    buf = memoryview(np.ascontiguousarray(model.weights)).cast("B")
    result: list[float] = _grams.decision(texts, buf, model.intercept, model.features.bits)
    return result


def _chat(rng: random.Random) -> str:
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))) for _ in range(5)]
    return "\n".join(lines)


def test_same_doubles_as_numpy_on_chat_batches() -> None:
    rng = random.Random(4)
    model = _model()
    for size in (1, 7, 300):
        texts = [_chat(rng) for _ in range(size)]
        want = hashing.decision(texts, model.weights, model.intercept, model.features.bits)
        assert _c_decision(model, texts) == want.tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(max_size=80) | st.sampled_from(["", " ", "A" * 70, "a\ud800b", "Ǆ ß İ"]), max_size=6
    )
)
def test_same_doubles_as_numpy_on_any_text(texts: list[str]) -> None:
    model = _model(bits=10, seed=2)
    want = hashing.decision(texts, model.weights, model.intercept, model.features.bits)
    assert _c_decision(model, texts) == want.tolist()


def test_counts_are_damped_as_the_c_library_does() -> None:
    # a word repeated many times: the log1p of its count must be the C library's, in both
    model = _model(bits=8, seed=5)
    texts = [" ".join(["again"] * n) for n in range(1, 300, 7)]
    want = hashing.decision(texts, model.weights, model.intercept, 8)
    assert _c_decision(model, texts) == want.tolist()


def test_weights_of_the_wrong_size_are_refused() -> None:
    from vigil.analysis.learn import _grams

    with pytest.raises(ValueError, match="2\\*\\*bits"):
        _grams.decision(["hi"], b"\x00" * 8 * 100, 0.0, 10)


# --- the model file read without NumPy ---------------------------------------------------


def _copy_model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    for f in DEFAULT_MODEL_DIR.iterdir():
        if f.is_file():
            (folder / f.name).write_bytes(f.read_bytes())
    return folder


def test_shipped_model_scores_the_same_light_and_full(tmp_path: Path) -> None:
    full = load_model(DEFAULT_MODEL_DIR)
    texts = [_chat(random.Random(i)) for i in range(50)]
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # no cache, cold, warm
        set_database_cache(cache)
        try:
            lm = light.load_light(DEFAULT_MODEL_DIR, read_card(DEFAULT_MODEL_DIR))
        finally:
            set_database_cache(None)
        assert lm is not None
        assert lm.sha256 == full.sha256
        assert lm.decision(texts) == full.decision(texts).tolist()
    kept = tmp_path / "cache" / f"model-{full.sha256[:40]}.npy"
    assert np.array_equal(np.load(kept, allow_pickle=False), full.weights)  # NumPy reads it


def test_a_changed_model_file_is_not_read_light_and_the_full_loader_refuses_it(
    tmp_path: Path,
) -> None:
    folder = _copy_model(tmp_path)
    blob = bytearray((folder / MODEL_FILE).read_bytes())
    blob[-30] ^= 0xFF
    (folder / MODEL_FILE).write_bytes(bytes(blob))
    assert light.load_light(folder, read_card(folder)) is None
    with pytest.raises(IntegrityError, match="SHA-256"):
        load_bundle(folder, light=True)


def test_a_model_the_reader_does_not_know_falls_back_to_numpy(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    card = json.loads((folder / CARD_FILE).read_text())
    card["model_file"]["name"] = "other.npz"
    assert light.load_light(folder, card) is None
    assert light._poly64_bits({"hasher": "sklearn", "n_features": 1024}) is None
    assert light._poly64_bits(FeatureConfig(n_features=2**12).to_json()) == 12


def test_a_bad_npy_header_is_refused() -> None:
    with pytest.raises(ValueError):
        light._npy(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}   \n")
    with pytest.raises(ValueError, match=r"not a \.npy"):
        light._npy(b"PK\x03\x04")


def test_vigil_scan_of_long_conversations_does_not_import_numpy(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    rng = random.Random(9)
    # one long message each (what the evaluation data holds: the prefilter is not used then)
    long = [" ".join(rng.choice(WORDS[:14]) for _ in range(150)) for _ in range(30)]
    rows = [f"{i},{text} how old are you" for i, text in enumerate(long)]
    src.write_text("id,segment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code = (
        "import sys; from vigil.cli.scan import main; "
        f"main(['--in', {str(src)!r}, '--out', {str(out)!r}]); "
        "print('numpy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert out.read_text(encoding="utf-8").count("\n") == 31


def test_small_batches_pair_matches_to_messages_as_numpy_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigil.analysis import scanner
    from vigil.analysis.engine import default_engine

    engine = default_engine().scanner.engine
    rng = random.Random(2)
    cues = ["how old are you", "dont tell your mum", "are you home alone", "meet me at the park"]
    texts = [" ".join(rng.choice([*WORDS, *cues]) for _ in range(20)) for _ in range(200)]
    texts[5] = ""
    blob = "\x00".join(texts)
    small = engine.candidates([], blob)
    monkeypatch.setattr(scanner, "SMALL_BATCH", 0)
    assert small == engine.candidates([], blob)
    assert len({m for m, _ in small}) > 50
