"""Reporting periods: inclusive date ranges, their labels, and the five-year trend."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from vigil.errors import UserError


def shift_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months (day clamped to the month's end)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UserError(f"the period ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end

    @property
    def whole_months(self) -> bool:
        last = calendar.monthrange(self.end.year, self.end.month)[1]
        return self.start.day == 1 and self.end.day == last

    @property
    def label(self) -> str:
        if self.whole_months:
            a, b = self.start.strftime("%b %Y"), self.end.strftime("%b %Y")
            return a if a == b else f"{a} – {b}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def trend_periods(end: date, years: int = 5) -> list[Period]:
    """``years`` consecutive 12-month periods ending on ``end``, oldest first."""
    nxt = end + timedelta(days=1)
    out = []
    for i in range(years - 1, -1, -1):
        start = shift_months(nxt, -12 * (i + 1))
        stop = shift_months(nxt, -12 * i) - timedelta(days=1)
        out.append(Period(start, stop))
    return out


def growth(current: float, previous: float) -> float | None:
    """Percentage change against ``previous``; None when there is nothing to compare with."""
    if previous == 0:
        return None
    return (current - previous) / previous * 100.0
