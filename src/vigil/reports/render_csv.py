"""Reports as CSV: one long table with a ``section`` column, definitions included."""

from __future__ import annotations

import csv
import io

from vigil.reports.platforms import PlatformReport
from vigil.reports.stats import Figures, StatsReport

STATS_COLUMNS = [
    "section",
    "period_start",
    "period_end",
    "key",
    "label",
    "arrests",
    "children_safeguarded",
    "custodial_months",
    "custodial_years",
    "arrests_growth_pct",
    "children_growth_pct",
    "custodial_years_growth_pct",
    "note",
]


def _fig(f: Figures) -> list[object]:
    return [f.arrests, f.children_safeguarded, f.custodial_months, f.custodial_years]


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


def render_stats(r: StatsReport) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(STATS_COLUMNS)
    p = [r.period.start.isoformat(), r.period.end.isoformat()]
    w.writerow(["total", *p, "", r.scope, *_fig(r.figures), "", "", "", ""])
    for b in r.breakdowns:
        for row in b.rows:
            w.writerow(
                [f"by_{b.dimension}", *p, row.key, row.label, *_fig(row.figures), "", "", "", ""]
            )
    for t in r.trend:
        g = t.growth
        w.writerow(
            [
                "trend",
                t.period.start.isoformat(),
                t.period.end.isoformat(),
                "",
                t.period.label,
                *_fig(t.figures),
                _pct(g["arrests"]),
                _pct(g["children_safeguarded"]),
                _pct(g["custodial_years"]),
                "partial" if t.partial else "",
            ]
        )
    for d in r.definitions:
        w.writerow(["definition", "", "", d.id, d.label, "", "", "", "", "", "", "", d.text])
    return out.getvalue()


def render_platforms(r: PlatformReport) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "platform", "label", "key", "value", "note"])
    for s in r.platforms:
        w.writerow(["cases", s.platform, s.label, "", s.cases, ""])
        for k, n in s.offence_types.items():
            w.writerow(["offence_type", s.platform, s.label, k, n, ""])
        for k, n in s.categories.items():
            w.writerow(
                [
                    "indicator_category",
                    s.platform,
                    s.label,
                    k,
                    n,
                    "new" if k in s.new_categories else "",
                ]
            )
        for k, n in s.migrations_to.items():
            w.writerow(["migration_to", s.platform, s.label, k, n, ""])
    for label, text in r.definitions:
        w.writerow(["definition", "", label, "", "", text])
    return out.getvalue()


def render(report: StatsReport | PlatformReport) -> str:
    return render_stats(report) if isinstance(report, StatsReport) else render_platforms(report)
