"""Tesseract through its C API (tesserocr): one engine object reused for every crop, LSTM
only, one block (or one line) per call. The language data are Debian's
(``tesseract-ocr-eng``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vigil.errors import UserError
from vigil.ocr.engine import Word

TESSDATA = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")


def _tessdata() -> str:
    for d in TESSDATA:
        if (Path(d) / "eng.traineddata").exists():
            return d
    raise UserError(
        "Tesseract's language data are not installed",
        hint="apt-get install tesseract-ocr tesseract-ocr-eng",
    )


class Tesseract:
    """A Tesseract engine (not thread-safe: one per thread or process)."""

    def __init__(self, language: str = "eng") -> None:
        try:
            import tesserocr  # type: ignore[import-untyped]
        except ImportError as exc:  # pragma: no cover - a broken install
            raise UserError("tesserocr is not installed", hint="pip install tesserocr") from exc
        self._t = tesserocr
        self.language = language
        path = _tessdata()
        self._block = tesserocr.PyTessBaseAPI(
            path=path, lang=language, psm=tesserocr.PSM.SINGLE_BLOCK, oem=tesserocr.OEM.LSTM_ONLY
        )
        self._line = tesserocr.PyTessBaseAPI(
            path=path, lang=language, psm=tesserocr.PSM.SINGLE_LINE, oem=tesserocr.OEM.LSTM_ONLY
        )
        for api in (self._block, self._line):
            api.SetVariable("user_defined_dpi", "300")
            api.SetVariable("tessedit_do_invert", "0")  # crops are black on white already
            # chat text almost never holds a vertical bar; allowed, the engine reads a capital
            # I in sans-serif fonts as one. The engine then gives its next-best reading.
            api.SetVariable("tessedit_char_blacklist", "|")
        self.name = f"tesseract {tesserocr.tesseract_version().split()[1]} (tesserocr {tesserocr.__version__})"

    def close(self) -> None:
        self._block.End()
        self._line.End()

    def words(self, gray: NDArray[np.uint8], *, single_line: bool = False) -> list[Word]:
        from PIL import Image

        t = self._t
        api = self._line if single_line else self._block
        api.SetImage(Image.fromarray(gray))
        api.Recognize()
        out: list[Word] = []
        it = api.GetIterator()
        if it is None:
            return out
        line = -1
        level = t.RIL.WORD
        while True:
            if it.IsAtBeginningOf(t.RIL.TEXTLINE):
                line += 1
            try:
                text = it.GetUTF8Text(level)
            except RuntimeError:  # an empty result (nothing on the crop)
                text = ""
            if text and text.strip():
                box = it.BoundingBox(level) or (0, 0, 0, 0)
                out.append(Word(text.strip(), float(it.Confidence(level)), max(line, 0),
                                tuple(box)))  # fmt: skip
            if not it.Next(level):
                break
        return out
