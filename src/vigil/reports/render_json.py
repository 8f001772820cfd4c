"""Reports as plain JSON-ready mappings (the same data the HTML, PDF and CSV show)."""

from __future__ import annotations

import json
from typing import Any

from vigil.reports.periods import Period
from vigil.reports.platforms import PlatformReport
from vigil.reports.stats import Figures, StatsReport


def period_dict(p: Period) -> dict[str, str]:
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label}


def figures_dict(f: Figures) -> dict[str, Any]:
    return {
        "arrests": f.arrests,
        "children_safeguarded": f.children_safeguarded,
        "custodial_months": f.custodial_months,
        "custodial_years": f.custodial_years,
        "custodial_years_exact": round(f.custodial_years_exact, 4),
    }


def stats_dict(r: StatsReport) -> dict[str, Any]:
    return {
        "report": "statistics",
        "scope": r.scope,
        "period": period_dict(r.period),
        "figures": figures_dict(r.figures),
        "breakdowns": {
            b.dimension: [
                {"key": row.key, "label": row.label, **figures_dict(row.figures)} for row in b.rows
            ]
            for b in r.breakdowns
        },
        "trend": [
            {
                "period": period_dict(t.period),
                "partial": t.partial,
                **figures_dict(t.figures),
                "growth_pct": {
                    k: (None if v is None else round(v, 2)) for k, v in t.growth.items()
                },
            }
            for t in r.trend
        ],
        "definitions": [{"id": d.id, "label": d.label, "text": d.text} for d in r.definitions],
        "data_start": r.data_start.isoformat() if r.data_start else None,
        "notes": r.notes,
        "generated_at": r.generated_at.isoformat(),
        "tool_version": r.tool_version,
    }


def platforms_dict(r: PlatformReport) -> dict[str, Any]:
    return {
        "report": "platforms",
        "period": period_dict(r.period),
        "platforms": [
            {
                "platform": s.platform,
                "label": s.label,
                "cases": s.cases,
                "offence_types": s.offence_types,
                "indicator_categories": s.categories,
                "new_categories": s.new_categories,
                "migrations_to": s.migrations_to,
                "migrations_from": s.migrations_from,
            }
            for s in r.platforms
        ],
        "migrations": [{"from": a, "to": b, "cases": n} for a, b, n in r.migrations],
        "new_categories": [{"platform": p, "category": c} for p, c in r.new_categories],
        "definitions": [{"label": a, "text": b} for a, b in r.definitions],
        "sources": r.sources,
        "generated_at": r.generated_at.isoformat(),
        "tool_version": r.tool_version,
    }


def render(report: StatsReport | PlatformReport) -> str:
    data = stats_dict(report) if isinstance(report, StatsReport) else platforms_dict(report)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
