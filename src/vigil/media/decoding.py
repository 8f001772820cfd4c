"""Decoding images strictly, whatever another library set in Pillow globally."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PIL import ImageFile


@contextlib.contextmanager
def strict_decoding() -> Iterator[None]:
    """Refuse truncated images while decoding, and put Pillow's setting back afterwards.

    WeasyPrint sets Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` to True when imported (a PDF
    report loads it); a truncated exhibit must be reported as undecodable, never hashed or shown
    from a partial picture.
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
