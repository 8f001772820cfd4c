"""The reports' charts: well-formed SVG, one bar per value, labels escaped, partial years faint."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from vigil.reports.charts import breakdown_chart, data_uri, trend_chart
from vigil.reports.periods import Period
from vigil.reports.stats import Breakdown, BreakdownRow, Figures, TrendRow

NS = "{http://www.w3.org/2000/svg}"


def _trend() -> list[TrendRow]:
    return [
        TrendRow(
            Period(date(2019 + i, 10, 1), date(2020 + i, 9, 30)),
            Figures(10 * i + 1, 2 * i, 30 * i),
            {},
            i == 4,
        )
        for i in range(5)
    ]


def test_trend_chart() -> None:
    svg = trend_chart(_trend())
    root = ET.fromstring(svg)
    rects = root.findall(f"{NS}rect")
    assert len(rects) == 15  # three panels of five years
    assert sum(1 for r in rects if r.get("fill-opacity") == "0.35") == 3  # the partial year
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert {"Arrests", "Children safeguarded", "Custodial years", "41"} <= set(texts)
    heights = [float(r.get("height", 0)) for r in rects[:5]]
    assert heights == sorted(heights) and heights[0] < heights[-1]  # bars grow with the values
    assert data_uri(svg).startswith("data:image/svg+xml;base64,")


def test_breakdown_chart_escapes_and_limits() -> None:
    rows = [BreakdownRow(f"k{i}", f"Unit <{i}> & co", Figures(20 - i, i, 0)) for i in range(15)]
    svg = breakdown_chart(Breakdown("unit", rows), top=12)
    root = ET.fromstring(svg)  # well-formed despite < and & in the labels
    labels = [t.text for t in root.iter(f"{NS}text") if t.text and t.text.startswith("Unit")]
    assert len(labels) == 12 and labels[0] == "Unit <0> & co"
    assert len(root.findall(f"{NS}rect")) == 2 + 24  # the legend, then two bars a row
