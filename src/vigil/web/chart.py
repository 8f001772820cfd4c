"""Geometry of the risk-over-time chart, drawn by the template as SVG (pure, no scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vigil.services.conversations import Bucket

WIDTH = 640
HEIGHT = 110
PAD = 4


@dataclass(slots=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    first_seq: int
    last_seq: int
    weight: float
    findings: int


@dataclass(slots=True)
class Marker:
    x: float
    stage: str
    seq: int


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    markers: list[Marker]
    line: str
    """SVG polyline points of the cumulative weight, scaled to the chart."""


def build(buckets: Sequence[Bucket], timeline: Sequence[dict[str, Any]], total: int) -> Chart:
    n = len(buckets)
    inner = HEIGHT - 2 * PAD
    if n == 0 or total <= 0:
        return Chart(WIDTH, HEIGHT, [], [], "")
    top = max((b.weight for b in buckets), default=0.0) or 1.0
    w = WIDTH / n
    bars = []
    cum = 0.0
    points = []
    grand = sum(b.weight for b in buckets) or 1.0
    for b in buckets:
        h = inner * b.weight / top
        bars.append(Bar(round(b.index * w, 2), round(HEIGHT - PAD - h, 2), round(max(w - 1, 1), 2),
                        round(h, 2), b.first_seq, b.last_seq, b.weight, b.findings))  # fmt: skip
        cum += b.weight
        points.append(
            f"{round((b.index + 1) * w, 2)},{round(HEIGHT - PAD - inner * cum / grand, 2)}"
        )
    markers = [
        Marker(
            round(WIDTH * (int(t["seq"]) - 1) / total, 2), str(t.get("stage", "")), int(t["seq"])
        )
        for t in timeline
        if isinstance(t, dict) and isinstance(t.get("seq"), int)
    ]
    line = f"0,{HEIGHT - PAD} " + " ".join(points)
    return Chart(WIDTH, HEIGHT, bars, markers, line)
