"""Registering the sample plugin in the test process, and benign generated test media."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PIL import Image

import tests.plugin_sample as sample
from vigil.plugins import get_plugin_manager

NAME = "tests.plugin_sample"


@contextmanager
def registered() -> Iterator[None]:
    """The sample plugin registered on the process-wide manager for the ``with`` block."""
    pm = get_plugin_manager()
    pm.register(sample, name=NAME)
    try:
        yield
    finally:
        pm.unregister(sample)


def blocks_png(seed: int, size: int = 144) -> bytes:
    """A benign picture: random coloured 12x12 blocks, scaled up (plenty of detail for PDQ)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(12, 12, 3), dtype=np.uint8)
    im = Image.fromarray(blocks, "RGB").resize((size, size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()
