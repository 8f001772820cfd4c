"""PDF (reportlab, drawn on the canvas: thousands of rows in well under a second a thousand).

A4 landscape. Every page has the header (case, schedule, revision) and the footer
``page x of y``; the column headings repeat on each page. Rows are laid out first (text
wrapped to the column widths) so the page count is known before anything is drawn. The font
is Helvetica when every word is in Windows-1252, else DejaVu Sans where the system has
it (any script it covers).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from vigil import LEAD_NOT_VERDICT, tool_version
from vigil.disclosure.schedule import COLUMNS, ScheduleDoc
from vigil.disclosure.writers import footer_lines, header_lines

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 12 * mm
SIZE = 8.5
LEAD = SIZE * 1.25
WIDTHS = (20 * mm, 50 * mm, 90 * mm, 40 * mm, 33 * mm, 40 * mm)
"""Column widths (they add up to the page width less the margins)."""
PAD = 1.5 * mm
BREAKS = "/:#-_."
"""Where a reference too wide for its column is best cut (after one of these)."""
TOP = PAGE_H - MARGIN - 14 * mm  # below the page header
BOTTOM = MARGIN + 8 * mm  # above the footer
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _latin(doc: ScheduleDoc) -> bool:
    """Whether every word of ``doc`` is in Windows-1252 (the standard fonts' encoding)."""
    texts = [doc.case_ref, doc.case_title, doc.generated_by, doc.certification or "",
             *doc.notes, *(f"{r.item}{r.description}{r.location}{r.status}{r.cps_comment}"
                           for r in doc.rows)]  # fmt: skip
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@cache
def fonts(unicode: bool = True) -> tuple[str, str]:
    """(regular, bold) font names: Helvetica for Windows-1252 text (fast, nothing embedded),
    else DejaVu Sans (registered once) where the system has it."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if unicode and regular.is_file() and bold.is_file():
        pdfmetrics.registerFont(TTFont("VigilSans", str(regular)))
        pdfmetrics.registerFont(TTFont("VigilSans-Bold", str(bold)))
        return "VigilSans", "VigilSans-Bold"
    return "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True, slots=True)
class Block:
    """Laid-out lines: a table row (``cells``: lines per column) or a paragraph."""

    cells: tuple[list[str], ...]
    height: float
    bold: bool = False
    rule: bool = True


class _Widths(dict[str, float]):
    """Each character's advance in one font at :data:`SIZE` (reportlab adds no kerning, so a
    line's width is the sum of its characters')."""

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, ch: str) -> float:
        w = self[ch] = pdfmetrics.stringWidth(ch, self.font, SIZE)
        return w

    def of(self, text: str) -> float:
        return sum(map(self.__getitem__, text))


@cache
def _widths(font: str) -> _Widths:
    return _Widths(font)


def _wrap(text: str, font: str, width: float) -> list[str]:
    """``text`` in lines that fit ``width`` (less the padding): at spaces, and inside a
    word only when the word alone is too wide."""
    room = width - 2 * PAD
    w = _widths(font)
    if w.of(text) <= room:  # most cells: one line
        return [text]
    space = w[" "]
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split(" "):
        ww = w.of(word)
        if line and used + space + ww <= room:
            line.append(word)
            used += space + ww
            continue
        if line:
            lines.append(" ".join(line))
        while ww > room:  # a word wider than the column is cut where it fills it
            cut, acc = 0, 0.0
            while cut < len(word) - 1 and acc + w[word[cut]] <= room:
                acc += w[word[cut]]
                cut += 1
            brk = max(word.rfind(p, 0, cut) for p in BREAKS) + 1  # after a / : # - if any
            cut = brk if brk > 0 else max(cut, 1)
            lines.append(word[:cut])
            word = word[cut:]
            ww = w.of(word)
        line, used = [word], ww
    lines.append(" ".join(line))
    return lines


def _table_block(values: tuple[str, ...], font: str, bold: bool = False) -> Block:
    cells = tuple(_wrap(v, font, w) for v, w in zip(values, WIDTHS, strict=True))
    return Block(cells, max(len(c) for c in cells) * LEAD + 2 * PAD, bold)


def _para_block(label: str, text: str, font: str) -> Block:
    lines = _wrap(f"{label}: {text}", font, sum(WIDTHS))
    return Block((lines,), len(lines) * LEAD + 2 * PAD, rule=False)


def _pages(blocks: list[Block], head: Block) -> list[list[Block]]:
    pages: list[list[Block]] = [[]]
    y = TOP - head.height
    for b in blocks:
        if y - b.height < BOTTOM and pages[-1]:
            pages.append([])
            y = TOP - head.height
        pages[-1].append(b)
        y -= b.height
    return pages


def _draw_block(t: PDFTextObject, rules: list[float], b: Block, y: float,
                fonts_: tuple[str, str]) -> float:  # fmt: skip
    """Put ``b``'s lines into the page's text object at ``y``; returns the y below it."""
    t.setFont(fonts_[1] if b.bold else fonts_[0], SIZE, LEAD)
    x = MARGIN
    widths = WIDTHS if len(b.cells) > 1 else (sum(WIDTHS),)
    for lines, w in zip(b.cells, widths, strict=True):
        if lines != [""]:
            t.setTextOrigin(x + PAD, y - PAD - SIZE)
            t.textLines(lines, trim=0)
        x += w
    y -= b.height
    if b.rule:
        rules.append(y)
    return y


def _rows(doc: ScheduleDoc, font: str) -> Iterator[Block]:
    for r in doc.rows:
        yield _table_block(
            (str(r.number), r.item, r.description, r.location, r.status, r.cps_comment), font
        )
    for label, value in footer_lines(doc):
        yield _para_block(label, value, font)
    yield _para_block("Vigil", f"{LEAD_NOT_VERDICT} ({tool_version()})", font)


def write(doc: ScheduleDoc, out: BinaryIO) -> None:
    regular, bold = fonts(not _latin(doc))
    head = _table_block(tuple(h for _, h in COLUMNS), bold, bold=True)
    pages = _pages(list(_rows(doc, regular)), head)
    c = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    c.setTitle(f"{doc.case_ref} {doc.title} revision {doc.revision}")
    c.setAuthor(doc.generated_by)
    c.setLineWidth(0.3)
    total = len(pages)
    sub = " · ".join(v for _, v in header_lines(doc)[:1] + header_lines(doc)[3:])
    for n, blocks in enumerate(pages, 1):
        c.setFont(bold, 10)
        c.drawString(MARGIN, PAGE_H - MARGIN - 4 * mm, doc.heading)
        c.setFont(regular, SIZE)
        c.drawString(MARGIN, PAGE_H - MARGIN - 9 * mm, sub)
        c.drawRightString(PAGE_W - MARGIN, MARGIN, f"page {n} of {total}")
        c.drawString(MARGIN, MARGIN, f"{doc.case_ref} {doc.kind.upper()} revision {doc.revision}")
        t = c.beginText()
        rules: list[float] = []
        y = _draw_block(t, rules, head, TOP, (regular, bold))
        for b in blocks:
            y = _draw_block(t, rules, b, y, (regular, bold))
        c.drawText(t)
        c.lines([(MARGIN, r, MARGIN + sum(WIDTHS), r) for r in rules])
        c.showPage()
    c.save()
