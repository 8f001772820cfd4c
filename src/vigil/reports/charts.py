"""Charts for the reports as SVG text (matplotlib's object API: no pyplot, no global state)."""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

from vigil.reports.stats import Breakdown, TrendRow

COLOURS = ("#1f4e79", "#2e7d32", "#8e24aa")
STYLE: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "vigil",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()


def data_uri(svg: str) -> str:
    """An ``<img src>`` value embedding the SVG (works in browsers and in WeasyPrint)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def trend_chart(trend: list[TrendRow]) -> str:
    """Three small bar charts: arrests, children safeguarded, custodial years per 12 months."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(9, 2.8))
        axes = fig.subplots(1, 3)
        labels = [t.period.label.replace(" – ", "–\n") for t in trend]
        series = [
            ("Arrests", [t.figures.arrests for t in trend]),
            ("Children safeguarded", [t.figures.children_safeguarded for t in trend]),
            ("Custodial years", [t.figures.custodial_years for t in trend]),
        ]
        for ax, (title, values), colour in zip(axes, series, COLOURS, strict=True):
            bars = ax.bar(range(len(values)), values, color=colour)
            for bar, row in zip(bars, trend, strict=True):
                if row.partial:
                    bar.set_alpha(0.35)
            ax.set_title(title)
            ax.set_xticks(range(len(values)), labels, fontsize=6)
            ax.bar_label(bars, fmt="{:,.0f}", fontsize=6)
        fig.tight_layout()
        return _svg(fig)


def breakdown_chart(b: Breakdown, top: int = 12) -> str:
    """Horizontal bars of arrests and children safeguarded per group (largest first)."""
    rows = b.rows[:top]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(7, 0.35 * max(3, len(rows)) + 0.8))
        ax = fig.subplots()
        ys = list(range(len(rows)))[::-1]
        ax.barh(
            [y + 0.2 for y in ys],
            [r.figures.arrests for r in rows],
            height=0.4,
            color=COLOURS[0],
            label="Arrests",
        )
        ax.barh(
            [y - 0.2 for y in ys],
            [r.figures.children_safeguarded for r in rows],
            height=0.4,
            color=COLOURS[1],
            label="Children safeguarded",
        )
        ax.set_yticks(ys, [r.label for r in rows])
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        fig.tight_layout()
        return _svg(fig)
