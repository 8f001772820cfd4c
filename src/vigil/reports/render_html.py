"""Reports as self-contained HTML (charts embedded as SVG), from Jinja2 templates."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from vigil.cases.taxonomy import taxonomy
from vigil.reports import charts
from vigil.reports.platforms import PlatformReport
from vigil.reports.stats import StatsReport, definitions

TITLES = {"unit": "By unit", "offence_type": "By offence type", "platform": "By platform"}
HEADS = {"unit": "Unit", "offence_type": "Offence type", "platform": "Platform"}


def _num(v: int | float) -> str:
    return f"{v:,.0f}"


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:+.1f}%"


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("vigil.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


def _css() -> str:
    return (resources.files("vigil.reports") / "templates" / "base.css").read_text(encoding="utf-8")


def render_stats(r: StatsReport) -> str:
    uris = {"trend": charts.data_uri(charts.trend_chart(r.trend))}
    for b in r.breakdowns:
        uris[b.dimension] = charts.data_uri(charts.breakdown_chart(b))
    labels = {k: v["label"] for k, v in definitions()["figures"].items()}
    return (
        _env()
        .get_template("stats.html.j2")
        .render(r=r, css=_css(), charts=uris, label=labels, titles=TITLES, heads=HEADS)
    )


def render_platforms(r: PlatformReport) -> str:
    tax = taxonomy()
    types = {k: v.label for k, v in tax.offence_types.items()}
    return (
        _env()
        .get_template("platforms.html.j2")
        .render(r=r, css=_css(), types=types, plats=tax.platforms)
    )


def render(report: StatsReport | PlatformReport) -> str:
    return render_stats(report) if isinstance(report, StatsReport) else render_platforms(report)
