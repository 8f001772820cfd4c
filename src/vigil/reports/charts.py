"""Charts for the reports as SVG text, drawn directly (pure).

Bars and labels only, in the report's fonts and colours: a trend of three small bar charts and
a horizontal breakdown. Drawn by hand rather than through a plotting library, which took most
of the time of a statistics page or PDF (a chart in a few milliseconds instead of a quarter
of a second); the numbers are printed on the bars, so nothing is read off an axis.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from xml.sax.saxutils import escape

from vigil.reports.stats import Breakdown, TrendRow

COLOURS = ("#1f4e79", "#2e7d32", "#8e24aa")
FONT = "DejaVu Sans, sans-serif"
TEXT = "#222"
MUTED = "#555"


def data_uri(svg: str) -> str:
    """An ``<img src>`` value embedding the SVG (works in browsers and in WeasyPrint)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _num(v: float) -> str:
    return f"{v:,.0f}"


def _text(x: float, y: float, s: str, size: float = 9, anchor: str = "middle",
          fill: str = TEXT, weight: str = "normal") -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(s)}</text>'
    )


def _svg(width: float, height: float, body: Sequence[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" role="img">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _panel(x0: float, w: float, h: float, title: str, values: Sequence[float],
           labels: Sequence[str], partial: Sequence[bool], colour: str) -> list[str]:  # fmt: skip
    """One small bar chart of ``values`` in the box starting at ``x0``."""
    out = [_text(x0 + w / 2, 14, title, 10, weight="bold")]
    top, bottom = 34.0, h - 34
    peak = max([*values, 1])
    n = max(1, len(values))
    slot = w / n
    bar = slot * 0.62
    out.append(
        f'<line x1="{x0:.1f}" y1="{bottom:.1f}" x2="{x0 + w:.1f}" y2="{bottom:.1f}" '
        f'stroke="{MUTED}" stroke-width="0.8"/>'
    )
    for i, (v, lab, part) in enumerate(zip(values, labels, partial, strict=True)):
        bh = (bottom - top) * (v / peak)
        x = x0 + i * slot + (slot - bar) / 2
        opacity = ' fill-opacity="0.35"' if part else ""
        out.append(
            f'<rect x="{x:.1f}" y="{bottom - bh:.1f}" width="{bar:.1f}" height="{bh:.1f}" '
            f'fill="{colour}"{opacity}/>'
        )
        out.append(_text(x + bar / 2, bottom - bh - 3, _num(v), 7))
        first, _, second = lab.partition(" – ")
        out.append(_text(x + bar / 2, bottom + 11, first, 6, fill=MUTED))
        if second:
            out.append(_text(x + bar / 2, bottom + 19, "–" + second, 6, fill=MUTED))
    return out


def trend_chart(trend: list[TrendRow]) -> str:
    """Three small bar charts: arrests, children safeguarded, custodial years per 12 months
    (a period not yet complete is drawn faint)."""
    width, height, gap = 860.0, 250.0, 30.0
    w = (width - 2 * gap) / 3
    labels = [t.period.label for t in trend]
    partial = [t.partial for t in trend]
    series = [
        ("Arrests", [float(t.figures.arrests) for t in trend]),
        ("Children safeguarded", [float(t.figures.children_safeguarded) for t in trend]),
        ("Custodial years", [float(t.figures.custodial_years) for t in trend]),
    ]
    body: list[str] = []
    for i, ((title, values), colour) in enumerate(zip(series, COLOURS, strict=True)):
        body += _panel(i * (w + gap), w, height, title, values, labels, partial, colour)
    return _svg(width, height, body, "Arrests, children safeguarded and custodial years by year")


def breakdown_chart(b: Breakdown, top: int = 12) -> str:
    """Horizontal bars of arrests and children safeguarded per group (largest first)."""
    rows = b.rows[:top]
    label_w, width, row_h = 200.0, 680.0, 26.0
    height = 34 + row_h * max(1, len(rows)) + 10
    peak = max([1, *(max(r.figures.arrests, r.figures.children_safeguarded) for r in rows)])
    span = width - label_w - 50
    body = [
        f'<rect x="{label_w:.0f}" y="6" width="10" height="10" fill="{COLOURS[0]}"/>',
        _text(label_w + 14, 15, "Arrests", 8, "start"),
        f'<rect x="{label_w + 80:.0f}" y="6" width="10" height="10" fill="{COLOURS[1]}"/>',
        _text(label_w + 94, 15, "Children safeguarded", 8, "start"),
    ]
    for i, r in enumerate(rows):
        y = 30 + i * row_h
        name = r.label if len(r.label) <= 34 else r.label[:33] + "…"
        body.append(_text(label_w - 6, y + 14, name, 8, "end"))
        for j, (v, colour) in enumerate(
            ((r.figures.arrests, COLOURS[0]), (r.figures.children_safeguarded, COLOURS[1]))
        ):
            bw = span * (v / peak)
            by = y + 2 + j * 11
            body.append(
                f'<rect x="{label_w:.0f}" y="{by:.1f}" width="{bw:.1f}" height="10" '
                f'fill="{colour}"/>'
            )
            body.append(_text(label_w + bw + 3, by + 8.5, _num(v), 7, "start"))
    return _svg(width, height, body, "Arrests and children safeguarded by group")
