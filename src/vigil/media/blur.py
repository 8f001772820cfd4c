"""Server-side thumbnails that do not expose the viewer: blurred unless a reason is given.

:func:`blurred_thumbnail` is the default: the image is shrunk to a few dozen pixels (which throws
the detail away, so no client-side trick can restore it), scaled back up and given a strong
Gaussian blur. :func:`unblurred_thumbnail` is the only function here that returns recognisable
pixels; it needs a non-empty reason and marks its result ``exposure=True`` so that the calling
service logs the view as exposure against the officer. Nothing else in this module returns the
original bytes or an unblurred rendering.

Memory stays bounded (docs/media.md): the pixel count is checked before decoding (``max_pixels``,
the setting ``VIGIL_MAX_IMAGE_PIXELS``), a JPEG is decoded at the smallest scale the thumbnail
allows (Pillow ``draft``), and the image is reduced to a few times the thumbnail's size band by
band before it is turned upright and resized.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageFilter

from vigil.errors import ParseError, UserError
from vigil.media.decoding import (
    DECODE_ERRORS,
    DEFAULT_MAX_PIXELS,
    check_pixels,
    draft_for,
    open_lazily,
    orientation,
    rgb_reduced,
    strict_decoding,
    transposed,
)

DEFAULT_SIDE = 256
DETAIL_SIDE = 24
"""Longest side (pixels) the image is reduced to before blurring: the information kept."""
BLUR_FRACTION = 0.06
"""Gaussian radius as a share of the thumbnail's longest side."""


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A JPEG thumbnail, whether it is blurred, and (unblurred only) the reason to log."""

    data: bytes
    width: int
    height: int
    blurred: bool
    method: str
    exposure: bool = False
    reason: str | None = None


def _open(data: bytes, name: str, side: int, max_pixels: int) -> Image.Image:
    """The image upright, in RGB, reduced (by a whole factor) to no less than ``side`` pixels
    on its longest side when it is larger."""
    try:
        with strict_decoding():
            im = open_lazily(data)
            draft_for(im, max(im.size) // side)
            check_pixels(im, name, max_pixels)
            turn = orientation(im)
            im.seek(0)
            small = rgb_reduced(im, max(1, max(im.size) // side))
            return transposed(small, turn)
    except ParseError:
        raise
    except DECODE_ERRORS as exc:
        raise ParseError(f"cannot decode image: {exc}", file=name) from exc


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=80)
    return out.getvalue()


def blurred_thumbnail(
    data: bytes,
    *,
    side: int = DEFAULT_SIDE,
    name: str = "<image>",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Thumbnail:
    """A blurred thumbnail (longest side ``side``) of an image file's bytes."""
    small = _open(data, name, DETAIL_SIDE * 4, max_pixels)
    small = small.resize(_fit(small.size, DETAIL_SIDE), Image.Resampling.BOX)
    big = small.resize(_fit(small.size, side), Image.Resampling.BILINEAR)
    radius = max(2.0, side * BLUR_FRACTION)
    out = big.filter(ImageFilter.GaussianBlur(radius))
    method = f"shrink to {DETAIL_SIDE}px (box), enlarge to {side}px (bilinear), Gaussian blur r={radius:g}"
    return Thumbnail(_jpeg(out), out.width, out.height, True, method)


def unblurred_thumbnail(
    data: bytes,
    *,
    reason: str,
    side: int = DEFAULT_SIDE,
    name: str = "<image>",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Thumbnail:
    """An unblurred thumbnail, only with a reason; the caller must log it as exposure."""
    if not reason or not reason.strip():
        raise UserError("an unblurred view needs a reason (it is logged as exposure)")
    im = _open(data, name, side * 2, max_pixels)
    im.thumbnail(_fit(im.size, side), Image.Resampling.LANCZOS)
    return Thumbnail(
        _jpeg(im),
        im.width,
        im.height,
        False,
        f"Lanczos thumbnail {side}px",
        exposure=True,
        reason=reason.strip(),
    )
