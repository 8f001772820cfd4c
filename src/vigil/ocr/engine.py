"""The OCR engine as the reader sees it: a clean grey image in, words with confidences out.
:mod:`vigil.ocr.tesseract` is the one implementation; tests may pass any object with this
shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    conf: float
    """0-100."""
    line: int
    """Which line of the image it is on (0-based)."""
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    """left, top, right, bottom in the image read."""


class Engine(Protocol):
    name: str
    """Engine and version, recorded with the transcript."""
    language: str

    def words(self, gray: NDArray[np.uint8], *, single_line: bool = False) -> list[Word]:
        """The words of a black-on-white image, in reading order."""
        ...
