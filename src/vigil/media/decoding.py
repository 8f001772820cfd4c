"""Decoding images strictly and within bounded memory.

Strict: truncated images are refused whatever another library set in Pillow globally
(:func:`strict_decoding`).

Bounded: an image is opened lazily (Pillow reads only the header) and its pixel count is checked
against a limit before anything is decoded (:func:`check_pixels`; the limit is the setting
``VIGIL_MAX_IMAGE_PIXELS``, which the calling service passes in). Pillow holds most decoded
images at 4 bytes a pixel (RGB too), one-band images at 1 or 2. A JPEG whose consumer needs
fewer pixels is decoded at a reduced scale (1/2, 1/4 or 1/8, :func:`draft_for`), and the pixel
check applies to the scale decoded. Converting to RGB and reducing (:func:`rgb_reduced`) is done
in bands of rows, so that a full-size copy is never made: the peak is the decoded image plus the
result plus one band.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Iterator

from PIL import Image, ImageFile

from vigil.errors import ParseError

DEFAULT_MAX_PIXELS = 64_000_000
"""The default of ``VIGIL_MAX_IMAGE_PIXELS`` (config.Settings.max_image_pixels)."""
SETTING = "VIGIL_MAX_IMAGE_PIXELS"
BAND_PIXELS = 1 << 22
"""Pixels converted or reduced at a time (a band of rows; 16 MB at 4 bytes a pixel)."""
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)
"""What Pillow raises on a file it cannot decode."""

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@contextlib.contextmanager
def strict_decoding() -> Iterator[None]:
    """Refuse truncated images while decoding, and put Pillow's setting back afterwards.

    WeasyPrint sets Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` to True when imported (a PDF
    report loads it); a truncated exhibit must be reported as undecodable, never hashed or shown
    from a partial picture. Pillow's own decompression-bomb warning is silenced: the pixel
    limit here is checked before decoding.
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def open_lazily(data: bytes) -> Image.Image:
    """The image in ``data``, opened but not decoded (only its header has been read)."""
    return Image.open(io.BytesIO(data))


def check_pixels(im: Image.Image, name: str, max_pixels: int) -> None:
    """Refuse ``im`` (not yet decoded) when it has more than ``max_pixels`` pixels."""
    count = im.width * im.height
    if count > max_pixels:
        raise ParseError(
            f"image of {im.width}x{im.height} pixels ({count:,}) is over the "
            f"{max_pixels:,}-pixel limit ({SETTING}); not decoded",
            file=name,
            hint=f"raise {SETTING} to decode it on a machine with the memory "
            "(about 4 bytes a pixel, and more to hash it)",
        )


def draft_for(im: Image.Image, factor: int) -> int:
    """Have a JPEG (not yet decoded) decode at the smallest scale of 1/2, 1/4 or 1/8 that is no
    smaller than 1/``factor``; return the scale's divisor (1 when nothing changed: other formats,
    or ``factor`` below 2)."""
    if im.format != "JPEG" or factor < 2:
        return 1
    w, h = im.size
    im.draft(None, (max(1, w // factor), max(1, h // factor)))
    for scale in (8, 4, 2):
        if im.size == (math.ceil(w / scale), math.ceil(h / scale)):
            return scale
    return 1


def factor_for(size: tuple[int, int], pixels: int) -> int:
    """The smallest whole factor that reduces ``size`` to at most ``pixels`` pixels."""
    f = 1
    while math.ceil(size[0] / f) * math.ceil(size[1] / f) > pixels:
        f += 1
    return f


def rgb_reduced(im: Image.Image, factor: int = 1) -> Image.Image:
    """``im`` converted to RGB and reduced ``factor`` times (box average, as ``Image.reduce``),
    band by band: the same pixels as ``im.convert("RGB").reduce(factor)`` without a full-size
    copy. ``im`` itself when it is RGB already and ``factor`` is 1."""
    im.load()
    if factor == 1 and im.mode == "RGB":
        return im
    w, h = im.size
    out = Image.new("RGB", (math.ceil(w / factor), math.ceil(h / factor)))
    rows = max(factor, BAND_PIXELS // max(w, 1) // factor * factor)
    for top in range(0, h, rows):
        band = im.crop((0, top, w, min(h, top + rows)))
        if band.mode != "RGB":
            band = band.convert("RGB")
        if factor > 1:
            band = band.reduce(factor)
        out.paste(band, (0, top // factor))
    return out


def orientation(im: Image.Image) -> int | None:
    """The EXIF orientation tag (1-8), or None."""
    value = im.getexif().get(0x0112)
    return int(value) if isinstance(value, int) else None


def transposed(im: Image.Image, orientation: int | None) -> Image.Image:
    """``im`` turned upright for an EXIF ``orientation``, as ``ImageOps.exif_transpose``."""
    method = _TRANSPOSE.get(orientation or 1)
    return im if method is None else im.transpose(method)
