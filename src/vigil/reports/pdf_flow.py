"""Long tabular documents as PDF with ReportLab's platypus: rows of pre-wrapped lines that split
across pages, a column heading repeated at the top of each page a table continues on, and a
footer with "page x of y" on every page.

A :class:`Row` holds, for each column, the lines already wrapped to the column's width
(:mod:`vigil.reports.pdf_text`), so laying out thousands of rows costs a few arithmetic steps
each; a row taller than the space left is cut between lines, and the part on the next page
repeats the row's marker columns (e.g. the message number and "(continued)"). The footer's page
total is known only at the end, so :func:`build` holds every finished page until the last one
and then stamps the footers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from vigil.reports.pdf_text import Font

GREY = HexColor("#999999")
SHADE = HexColor("#eeeeee")
INK = HexColor("#111111")
FOOT = HexColor("#444444")
MIN_SPLIT = 2
"""Lines a split row keeps on each side of the page break (shorter rows move whole)."""


@dataclass(frozen=True, slots=True)
class Col:
    """One column: where it starts (points from the frame's left), and its font and size."""

    x: float
    font: Font
    size: float


@dataclass(frozen=True, slots=True)
class Page:
    """The page: A4 with these margins (points) and a band above the frame for the heading."""

    size: tuple[float, float] = A4
    left: float = 18 * mm
    right: float = 18 * mm
    top: float = 16 * mm
    bottom: float = 20 * mm
    band: float = 7 * mm

    @property
    def width(self) -> float:
        return self.size[0] - self.left - self.right


class Row(Flowable):
    """Columns of wrapped lines, drawn side by side, with a rule (or a shade) under them."""

    def __init__(
        self,
        cells: Sequence[Sequence[str]],
        cols: Sequence[Col],
        leading: float,
        *,
        pad: float = 1.2 * mm,
        rule: Color | None = GREY,
        shade: Color | None = None,
        cont: Sequence[str | None] = (),
        keep_with_next: bool = False,
    ) -> None:
        super().__init__()
        self.cells = [list(c) for c in cells]
        self.cols = cols
        self.leading = leading
        self.pad = pad
        self.rule = rule
        self.shade = shade
        self.cont = tuple(cont)
        self.keepWithNext = keep_with_next
        self.lines = max((len(c) for c in self.cells), default=0)
        self.height = self.lines * leading + 2 * pad

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fit = int((avail_height - 2 * self.pad) // self.leading)
        if fit >= self.lines:
            return [self]
        if self.lines < 2 * MIN_SPLIT or fit < MIN_SPLIT:
            return []
        fit = min(fit, self.lines - MIN_SPLIT)
        rest = []
        for i, c in enumerate(self.cells):
            more = c[fit:]
            marker = self.cont[i] if i < len(self.cont) else None
            rest.append(more if more or marker is None else [marker])
        kw: dict[str, Any] = {"pad": self.pad, "rule": self.rule, "shade": self.shade}
        return [
            Row([c[:fit] for c in self.cells], self.cols, self.leading, **kw),
            Row(rest, self.cols, self.leading, cont=self.cont, **kw),
        ]

    def draw(self) -> None:
        canv = self.canv
        if self.shade is not None:
            canv.setFillColor(self.shade)
            canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canv.setFillColor(INK)
        text = canv.beginText()
        for col, lines in zip(self.cols, self.cells, strict=False):
            if lines:
                text.setTextOrigin(col.x + self.pad, self.height - self.pad - col.size)
                text.setFont(col.font.name, col.size, self.leading)
                for line in lines:
                    text.textLine(line)
        canv.drawText(text)
        if self.rule is not None:
            canv.setStrokeColor(self.rule)
            canv.setLineWidth(0.3)
            canv.line(0, 0, self.width, 0)


@dataclass(slots=True)
class Running:
    """What the top band of the next page shows: the heading row of the table in progress."""

    head: Row | None = None


class SetRunning(Flowable):
    """Takes no space; from the page after the one it lands on, the band shows ``head``."""

    def __init__(self, running: Running, head: Row | None, keep_with_next: bool = False) -> None:
        super().__init__()
        self.running = running
        self.head = head
        self.keepWithNext = keep_with_next

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.running.head = self.head


@dataclass(frozen=True, slots=True)
class Meta:
    """The PDF's document information: never message text."""

    title: str
    author: str
    subject: str
    creator: str
    footer_left: str
    footer_font: Font
    footer_size: float = 8


def _canvas_class(meta: Meta, page: Page) -> type[Canvas]:
    """A canvas that keeps each finished page until the document ends, then writes the footers
    ("page x of y") on all of them."""

    class Counting(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # a fresh page, nothing written

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                self._footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, number: int, total: int) -> None:
            y = page.bottom - 10 * mm
            self.setFont(meta.footer_font.name, meta.footer_size)
            self.setFillColor(FOOT)
            self.drawString(page.left, y, meta.footer_left)
            self.drawRightString(page.size[0] - page.right, y, f"page {number} of {total}")

    return Counting


def build(story: list[Flowable], meta: Meta, running: Running, page: Page | None = None) -> bytes:
    """Lay ``story`` out on ``page`` and return the PDF."""
    page = page or Page()
    frame_height = page.size[1] - page.top - page.bottom - page.band
    frame = Frame(
        page.left, page.bottom, page.width, frame_height,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )  # fmt: skip

    def band(canv: Canvas, _doc: BaseDocTemplate) -> None:
        head = running.head
        if head is not None:
            head.wrap(page.width, page.band)
            head.drawOn(canv, page.left, page.bottom + frame_height + 1)

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=page.size,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator=meta.creator,
        producer=meta.creator,
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPage=band)],
    )
    build_with: Callable[..., None] = doc.build
    build_with(story, canvasmaker=_canvas_class(meta, page))
    return buf.getvalue()
