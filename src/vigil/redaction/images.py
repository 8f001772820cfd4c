"""Rectangles of images filled black, the result re-encoded as PNG from pixels alone (pure).

The output is a new image built from the pixel values only: no EXIF, XMP, ICC profile, text
chunks, comments or thumbnails of the original survive, and the pixels inside each box are
black (alpha opaque). The EXIF orientation is applied first, so boxes are given in the image as
it is displayed. An animated image keeps its first frame only.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from vigil.errors import ParseError, UserError


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in pixels: left, top, width, height."""

    x: int
    y: int
    w: int
    h: int

    def check(self, width: int, height: int, where: str) -> None:
        """UserError naming ``where`` unless the box lies within a ``width``×``height`` image."""
        if self.w <= 0 or self.h <= 0 or self.x < 0 or self.y < 0:
            raise UserError(f"{where}: a box needs x, y ≥ 0 and width, height > 0")
        if self.x + self.w > width or self.y + self.h > height:
            raise UserError(
                f"{where}: box {self.x},{self.y} {self.w}×{self.h} goes beyond the image "
                f"({width}×{height} pixels)"
            )


def _open(data: bytes, name: str) -> Image.Image:
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ParseError(f"not an image Vigil can redact ({exc})", file=name) from exc
    return ImageOps.exif_transpose(im) or im


def image_size(data: bytes, name: str) -> tuple[int, int]:
    """Width and height as displayed (after the EXIF orientation); ParseError naming ``name``."""
    im = _open(data, name)
    return im.width, im.height


def redact_image(data: bytes, boxes: Iterable[Box], name: str) -> bytes:
    """PNG bytes of the image with every box filled black, rebuilt from its pixels alone."""
    im = _open(data, name)
    mode = "RGBA" if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info else "RGB"
    pixels = im.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())  # no info, no metadata
    black = (0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0)
    for b in boxes:
        b.check(clean.width, clean.height, name)
        clean.paste(black, (b.x, b.y, b.x + b.w, b.y + b.h))
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=False)
    return out.getvalue()
