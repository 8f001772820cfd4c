"""The platform intelligence report (for the Home Office and industry), from rows.

Pure: :func:`compute` takes offence rows (case, platform, offence type, dates), indicator
rows (case, platform, category, first seen) and migration rows (case, from, to, when) and
returns, per platform, the cases, offence types, indicator categories observed, moves to
and from other platforms, and the categories newly appearing on it in the period.

Indicator and migration rows come from whatever :class:`vigil.services.reports.FindingsSource`
the service is given (analysis findings, or officers' recorded observations).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from vigil.reports.periods import Period


@dataclass(frozen=True, slots=True)
class OffenceRow:
    case_ref: str
    platform: str
    offence_type: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """An indicator category first seen on a platform in a case (from findings or records)."""

    case_ref: str
    platform: str
    category: str
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class MigrationRow:
    """A move of a conversation from one platform to another in a case."""

    case_ref: str
    from_platform: str
    to_platform: str
    at: datetime


@dataclass(slots=True)
class PlatformSummary:
    platform: str
    label: str
    cases: int = 0
    offence_types: dict[str, int] = field(default_factory=dict)
    """offence type -> offences."""
    categories: dict[str, int] = field(default_factory=dict)
    """indicator category -> cases."""
    new_categories: list[str] = field(default_factory=list)
    migrations_to: dict[str, int] = field(default_factory=dict)
    migrations_from: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlatformReport:
    period: Period
    platforms: list[PlatformSummary]
    migrations: list[tuple[str, str, int]]
    """(from, to, count), most frequent first."""
    new_categories: list[tuple[str, str]]
    """(platform, category) first seen in the period."""
    generated_at: datetime
    tool_version: str
    sources: list[str]
    definitions: list[tuple[str, str]]


DEFINITIONS = [
    (
        "Cases",
        "Distinct cases with an offence on the platform overlapping the period, or an "
        "indicator or migration on it recorded in the period.",
    ),
    (
        "Offence types",
        "Offences overlapping the period that used the platform, by offence type (an offence "
        "on several platforms counts on each).",
    ),
    (
        "Indicator categories",
        "Distinct cases per grooming-indicator category first seen on the platform in the period.",
    ),
    ("Migrations", "Moves of a conversation from one platform to another in the period, per case."),
    (
        "Newly appearing",
        "Indicator categories seen on a platform in the period and never on that platform before.",
    ),
]


def compute(
    offences: Iterable[OffenceRow],
    indicators: Iterable[IndicatorRow],
    migrations: Iterable[MigrationRow],
    period: Period,
    *,
    labels: dict[str, str],
    generated_at: datetime,
    tool_version: str,
    sources: list[str],
) -> PlatformReport:
    """The platform report for ``period``. Indicator rows before the period are used only to
    decide which categories are new."""
    cases: dict[str, set[str]] = {}
    types: dict[str, Counter[str]] = {}
    for o in offences:
        if o.end < period.start or o.start > period.end:
            continue
        cases.setdefault(o.platform, set()).add(o.case_ref)
        types.setdefault(o.platform, Counter())[o.offence_type] += 1
    seen_before: set[tuple[str, str]] = set()
    cat_cases: dict[str, dict[str, set[str]]] = {}
    for i in indicators:
        d = i.first_seen.date()
        if d < period.start:
            seen_before.add((i.platform, i.category))
        elif d <= period.end:
            cat_cases.setdefault(i.platform, {}).setdefault(i.category, set()).add(i.case_ref)
            cases.setdefault(i.platform, set()).add(i.case_ref)
    moves: Counter[tuple[str, str]] = Counter()
    seen_moves: set[tuple[str, str, str]] = set()
    for m in migrations:
        if m.at.date() not in period or m.from_platform == m.to_platform:
            continue
        if (m.case_ref, m.from_platform, m.to_platform) in seen_moves:
            continue
        seen_moves.add((m.case_ref, m.from_platform, m.to_platform))
        moves[(m.from_platform, m.to_platform)] += 1
        cases.setdefault(m.from_platform, set()).add(m.case_ref)
        cases.setdefault(m.to_platform, set()).add(m.case_ref)
    summaries = []
    new: list[tuple[str, str]] = []
    for p in sorted(cases, key=lambda x: (-len(cases[x]), x)):
        s = PlatformSummary(p, labels.get(p, p), len(cases[p]))
        s.offence_types = dict(types.get(p, Counter()).most_common())
        cats = cat_cases.get(p, {})
        s.categories = dict(
            sorted(((c, len(v)) for c, v in cats.items()), key=lambda x: (-x[1], x[0]))
        )
        s.new_categories = sorted(c for c in cats if (p, c) not in seen_before)
        new += [(p, c) for c in s.new_categories]
        s.migrations_to = {t: n for (f, t), n in moves.most_common() if f == p}
        s.migrations_from = {f: n for (f, t), n in moves.most_common() if t == p}
        summaries.append(s)
    return PlatformReport(
        period=period,
        platforms=summaries,
        migrations=[(f, t, n) for (f, t), n in sorted(moves.items(), key=lambda x: (-x[1], x[0]))],
        new_categories=new,
        generated_at=generated_at,
        tool_version=tool_version,
        sources=sources,
        definitions=DEFINITIONS,
    )
