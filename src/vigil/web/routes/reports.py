"""Reports: the statistics report and, beside it, the platform intelligence report for a chosen
period, in the page and as HTML, PDF and CSV downloads (each written to the custody log with
its purpose)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from vigil.cases.taxonomy import taxonomy
from vigil.reports import charts
from vigil.reports.render_html import HEADS, TITLES
from vigil.reports.render_json import platforms_dict, stats_dict
from vigil.reports.stats import definitions
from vigil.services.reports import (
    DEFAULT_END,
    DEFAULT_START,
    Format,
    download,
    platforms,
    statistics,
)
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["reports"], responses=API_ERRORS)

Start = Annotated[date, Query(description="First day of the period (inclusive)")]
End = Annotated[date, Query(description="Last day of the period (inclusive)")]
Unit = Annotated[str | None, Query(max_length=64, description="A unit code (default: national)")]
Purpose = Annotated[str, Query(min_length=4, max_length=500, description="Why you need it")]
Report = Annotated[
    Literal["stats", "platforms"],
    Query(description="stats (the statistics) or platforms (the platform intelligence report)"),
]


@pages.get("/reports")
def reports_page(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    start: Start = DEFAULT_START,
    end: End = DEFAULT_END,
    unit: Unit = None,
) -> HTMLResponse:
    r = statistics(ws, user, start, end, unit)
    uris = {"trend": charts.data_uri(charts.trend_chart(r.trend))}
    for b in r.breakdowns:
        uris[b.dimension] = charts.data_uri(charts.breakdown_chart(b))
    ctx: dict[str, Any] = {
        "r": r,
        "pr": platforms(ws, user, start, end),
        "offence_labels": {k: t.label for k, t in taxonomy().offence_types.items()},
        "platform_labels": taxonomy().platforms,
        "charts": uris,
        "label": {k: v["label"] for k, v in definitions()["figures"].items()},
        "titles": TITLES,
        "heads": HEADS,
        "unit": unit or "",
    }
    return page(request, "reports.html", ctx)


@pages.get("/reports/download")
def report_download(
    ws: WorkspaceDep,
    user: CurrentUser,
    purpose: Purpose,
    start: Start = DEFAULT_START,
    end: End = DEFAULT_END,
    format: Format = "pdf",
    unit: Unit = None,
    report: Report = "stats",
) -> Response:
    d = download(ws, user, start, end, format, purpose, unit, report)
    return Response(
        d.body,
        media_type=d.media_type,
        headers={"Content-Disposition": f'attachment; filename="{d.filename}"'},
    )


@api.get("/reports/statistics", summary="The statistics report for a period")
def statistics_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    start: Start = DEFAULT_START,
    end: End = DEFAULT_END,
    unit: Unit = None,
) -> dict[str, Any]:
    """Arrests, children safeguarded and custodial years with breakdowns, trend and
    definitions: aggregates only, for analysts, investigators, supervisors, administrators."""
    return stats_dict(statistics(ws, user, start, end, unit))


@api.get("/reports/platforms", summary="The platform intelligence report for a period")
def platforms_api(
    ws: WorkspaceDep, user: CurrentUser, start: Start = DEFAULT_START, end: End = DEFAULT_END
) -> dict[str, Any]:
    """Per platform: cases, offence types, indicator categories, migrations and categories
    newly appearing: aggregates only, for the same roles as the statistics."""
    return platforms_dict(platforms(ws, user, start, end))
