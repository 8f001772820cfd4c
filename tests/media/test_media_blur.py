"""Blurred thumbnails by default; the unblurred path needs a reason and flags exposure."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vigil.errors import ParseError, UserError
from vigil.media.blur import blurred_thumbnail, unblurred_thumbnail


def _detailed() -> bytes:
    im = Image.new("RGB", (640, 480), "white")
    draw = ImageDraw.Draw(im)
    for x in range(0, 640, 16):
        draw.line((x, 0, x, 480), fill=(0, 0, 0), width=3)
    for y in range(0, 480, 24):
        draw.line((0, y, 640, y), fill=(200, 30, 30), width=2)
    draw.ellipse((200, 120, 440, 360), outline=(20, 120, 20), width=8)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def _grey(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64)


def _laplacian_variance(g: np.ndarray) -> float:
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(lap.var())


def test_blurred_thumbnail_destroys_detail() -> None:
    data = _detailed()
    blurred = blurred_thumbnail(data)
    clear = unblurred_thumbnail(data, reason="grading check")
    assert blurred.blurred and not blurred.exposure and blurred.reason is None
    assert (blurred.width, blurred.height) == (clear.width, clear.height) == (256, 192)
    b, c = _grey(blurred.data), _grey(clear.data)
    assert _laplacian_variance(b) < 0.02 * _laplacian_variance(c)
    assert float(np.abs(b - c).mean()) > 20
    assert blurred.data != data and b"IHDR" not in blurred.data[:64]


def test_blur_of_a_real_photo(shared_fixtures: Path) -> None:
    data = (shared_fixtures / "media/pdq/bridge-mods/aaa-orig.jpg").read_bytes()
    b = _grey(blurred_thumbnail(data).data)
    c = _grey(unblurred_thumbnail(data, reason="check").data)
    assert _laplacian_variance(b) < 0.05 * _laplacian_variance(c)


@pytest.mark.parametrize("reason", ["", "   "])
def test_unblurred_needs_a_reason(reason: str) -> None:
    with pytest.raises(UserError, match="needs a reason"):
        unblurred_thumbnail(_detailed(), reason=reason)


def test_unblurred_result_is_flagged_as_exposure() -> None:
    got = unblurred_thumbnail(_detailed(), reason="  second grader review  ")
    assert got.exposure is True and got.blurred is False
    assert got.reason == "second grader review"


def test_bad_bytes_raise_parse_error() -> None:
    with pytest.raises(ParseError):
        blurred_thumbnail(b"garbage", name="x.bin")
