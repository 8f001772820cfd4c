"""Text for PDFs drawn with ReportLab: the DejaVu fonts, characters the font cannot show, and
line wrapping with right-to-left runs in visual order.

Vigil lays out its own lines (rather than ReportLab's ``Paragraph`` markup) so that message
text is drawn exactly as the source holds it: no markup to escape, repeated spaces kept, long
words broken at the column edge, and nothing read as formatting.

* Characters the font has no glyph for, control characters, and characters outside the Basic
  Multilingual Plane (most emoji: ReportLab cannot map them back to text for copying or search)
  are written as a visible placeholder, ``[U+1F44D thumbs up sign]``, which names the code
  point exactly; :func:`clean` says whether it replaced any, so the document can say so.
* Arabic and Hebrew runs are put in visual order line by line (python-bidi), so they read right
  to left on the page and PDF readers' text extraction returns them in the order written. The
  letters are not joined into their contextual forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bidi import get_display  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from vigil.errors import UserError

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
REGULAR = "VigilSans"
BOLD = "VigilSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_SPACES = re.compile(r"(\S+)")
TAB = "    "


@dataclass(frozen=True, slots=True)
class Font:
    """A registered TrueType font: its ReportLab name and the code points it has glyphs for."""

    name: str
    glyphs: frozenset[int]


def find_font(file_name: str, dirs: tuple[Path, ...] = FONT_DIRS) -> Path:
    """The first ``file_name`` under ``dirs``; UserError naming the Debian package when none."""
    for d in dirs:
        p = d / file_name
        if p.is_file():
            return p
    raise UserError(
        f"PDF transcripts need the DejaVu fonts ({file_name} not found in "
        + ", ".join(str(d) for d in dirs)
        + ")",
        hint="install the Debian package fonts-dejavu-core (make setup does), "
        "or write HTML (--out FILE.html)",
    )


@cache
def font(name: str) -> Font:
    """Register ``name`` (:data:`REGULAR` or :data:`BOLD`) with ReportLab once and return it."""
    tt = TTFont(name, str(find_font(_FILES[name])))
    pdfmetrics.registerFont(tt)
    return Font(name, frozenset(tt.face.charToGlyph))


def _placeholder(ch: str) -> str:
    name = unicodedata.name(ch, "").lower()
    return f"[U+{ord(ch):04X}{' ' + name if name else ''}]"


def clean(text: str, f: Font) -> tuple[str, bool]:
    """``text`` with line ends as ``\\n``, tabs as spaces, and every character ``f`` cannot
    draw as a placeholder; and whether any character was replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", TAB)
    if text.isascii() and text.replace("\n", "").isprintable():
        return text, False
    out: list[str] = []
    replaced = False
    glyphs = f.glyphs
    for ch in text:
        cp = ord(ch)
        if ch == "\n" or (cp in glyphs and cp <= 0xFFFF and unicodedata.category(ch) != "Cc"):
            out.append(ch)
        else:
            out.append(_placeholder(ch))
            replaced = True
    return "".join(out), replaced


def _break_word(word: str, font_name: str, size: float, width: float) -> list[str]:
    """A word wider than the column, cut into pieces that fit (at least one character each)."""
    pieces: list[str] = []
    cur = ""
    for ch in word:
        if cur and pdfmetrics.stringWidth(cur + ch, font_name, size) > width:
            pieces.append(cur)
            cur = ch
        else:
            cur += ch
    pieces.append(cur)
    return pieces


def _wrap_line(line: str, font_name: str, size: float, width: float) -> list[str]:
    if pdfmetrics.stringWidth(line, font_name, size) <= width:
        return [line]
    out: list[str] = []
    cur = ""
    for token in _SPACES.split(line):
        if not token:
            continue
        trial = cur + token
        if pdfmetrics.stringWidth(trial, font_name, size) <= width:
            cur = trial
        elif token.isspace():
            out.append(cur)  # the break falls on the spaces; they are not carried over
            cur = ""
        elif pdfmetrics.stringWidth(token, font_name, size) <= width:
            if cur.strip():
                out.append(cur.rstrip(" "))
            cur = token
        else:
            pieces = _break_word(cur + token, font_name, size, width)
            out.extend(pieces[:-1])
            cur = pieces[-1]
    out.append(cur)
    return [ln for ln in out if ln] or [""]


def wrap(text: str, f: Font, size: float, width: float) -> list[str]:
    """``text`` (already :func:`clean`) as the lines that fit ``width`` points in font ``f`` at
    ``size``, breaking at spaces (inside a word only when the word alone is too wide); lines with
    right-to-left text come back in visual order."""
    if not text:
        return [""]
    lines: list[str] = []
    for raw in text.split("\n"):
        lines.extend(_wrap_line(raw, f.name, size, width))
    if _RTL.search(text):
        lines = [get_display(ln) if _RTL.search(ln) else ln for ln in lines]
    return lines


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds Arabic, Hebrew or other right-to-left letters."""
    return _RTL.search(text) is not None


def width(text: str, f: Font, size: float) -> float:
    """The width of one line in points."""
    return float(pdfmetrics.stringWidth(text, f.name, size))
