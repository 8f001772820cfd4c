"""The statistics report: arrests, children safeguarded and custodial years, from fact rows.

Pure: :func:`compute` takes :class:`Fact` rows (already labelled with their unit bucket,
offence type and platforms by the service) and returns a :class:`StatsReport`. The words
that define each figure come from ``definitions.yaml`` and are printed in every rendering.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from vigil.reports.periods import Period, growth, trend_periods

FIGURES = ("arrests", "children_safeguarded", "custodial_years")
DIMENSIONS = ("unit", "offence_type", "platform")
NO_UNIT = "(no unit)"
NOT_RECORDED = "(not recorded)"


@dataclass(frozen=True, slots=True)
class Fact:
    """One arrest, safeguarding action or sentence, labelled for the breakdowns.

    ``kind`` is ``arrest``, ``safeguard`` or ``sentence``; ``key`` identifies the child for
    safeguarding facts (a child counts once per group); ``months`` and ``suspended`` are set
    on sentences.
    """

    kind: str
    on: date
    unit: str
    offence_type: str
    platforms: tuple[str, ...] = ()
    key: int | None = None
    months: int = 0
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class Figures:
    arrests: int
    children_safeguarded: int
    custodial_months: int

    @property
    def custodial_years(self) -> int:
        """Whole years, halves rounded up (see the definition)."""
        years = Decimal(self.custodial_months) / Decimal(12)
        return int(years.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def custodial_years_exact(self) -> float:
        return self.custodial_months / 12

    def value(self, figure: str) -> float:
        if figure == "custodial_years":
            return self.custodial_years_exact
        return float(getattr(self, figure))


def figures_of(facts: Iterable[Fact]) -> Figures:
    """The three figures over ``facts`` (which the caller has limited to one period/group)."""
    arrests = 0
    children: set[int] = set()
    months = 0
    for f in facts:
        if f.kind == "arrest":
            arrests += 1
        elif f.kind == "safeguard" and f.key is not None:
            children.add(f.key)
        elif f.kind == "sentence" and not f.suspended:
            months += f.months
    return Figures(arrests, len(children), months)


@dataclass(frozen=True, slots=True)
class Definition:
    id: str
    label: str
    text: str


@lru_cache(maxsize=1)
def definitions() -> dict[str, Any]:
    text = (resources.files("vigil.reports") / "definitions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def figure_definitions() -> list[Definition]:
    d = definitions()
    out = [Definition(k, v["label"], v["definition"]) for k, v in d["figures"].items()]
    labels = {"unit": "By unit", "offence_type": "By offence type", "platform": "By platform"}
    out += [Definition(f"by_{k}", labels[k], v) for k, v in d["breakdowns"].items()]
    out.append(Definition("trend", "Five-year trend and year-on-year growth", d["trend"]))
    return out


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class Breakdown:
    dimension: str
    rows: list[BreakdownRow]


@dataclass(frozen=True, slots=True)
class TrendRow:
    period: Period
    figures: Figures
    growth: dict[str, float | None]
    partial: bool


@dataclass(frozen=True, slots=True)
class StatsReport:
    title: str
    scope: str
    period: Period
    figures: Figures
    breakdowns: list[Breakdown]
    trend: list[TrendRow]
    definitions: list[Definition]
    generated_at: datetime
    tool_version: str
    data_start: date | None
    notes: list[str] = field(default_factory=list)

    def breakdown(self, dimension: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.dimension == dimension)


def _group_keys(f: Fact, dimension: str) -> Sequence[str]:
    if dimension == "unit":
        return (f.unit,)
    if dimension == "offence_type":
        return (f.offence_type,)
    return f.platforms or (NOT_RECORDED,)


def breakdown(
    facts: Sequence[Fact], dimension: str, labels: dict[str, str] | None = None
) -> Breakdown:
    """Figures per group of ``dimension``, largest arrests first."""
    groups: dict[str, list[Fact]] = {}
    for f in facts:
        for k in _group_keys(f, dimension):
            groups.setdefault(k, []).append(f)
    rows = [BreakdownRow(k, (labels or {}).get(k, k), figures_of(v)) for k, v in groups.items()]
    rows.sort(key=lambda r: (-r.figures.arrests, -r.figures.children_safeguarded, r.key))
    return Breakdown(dimension, rows)


def trend(facts: Sequence[Fact], end: date, data_start: date | None) -> list[TrendRow]:
    """Figures for five 12-month periods ending on ``end``, with year-on-year growth."""
    out: list[TrendRow] = []
    prev: TrendRow | None = None
    for p in trend_periods(end):
        figs = figures_of(f for f in facts if f.on in p)
        comparable = prev is not None and not prev.partial
        g: dict[str, float | None] = {
            name: (
                growth(figs.value(name), prev.figures.value(name)) if prev and comparable else None
            )
            for name in FIGURES
        }
        row = TrendRow(p, figs, g, data_start is not None and p.start < data_start)
        out.append(row)
        prev = row
    return out


def compute(
    facts: Sequence[Fact],
    period: Period,
    *,
    scope: str,
    generated_at: datetime,
    tool_version: str,
    data_start: date | None,
    labels: dict[str, dict[str, str]] | None = None,
) -> StatsReport:
    """The statistics report for ``period`` from ``facts`` (which may cover the trend years)."""
    labels = labels or {}
    inside = [f for f in facts if f.on in period]
    notes = []
    if data_start is not None and period.start < data_start:
        notes.append(f"The period begins before the earliest record held ({data_start}).")
    return StatsReport(
        title="Statistics report",
        scope=scope,
        period=period,
        figures=figures_of(inside),
        breakdowns=[breakdown(inside, d, labels.get(d)) for d in DIMENSIONS],
        trend=trend(facts, period.end, data_start),
        definitions=figure_definitions(),
        generated_at=generated_at,
        tool_version=tool_version,
        data_start=data_start,
        notes=notes,
    )
