"""The statistics report in the browser and as downloads, for the roles that may see it.

Reports are national or unit aggregates computed from records (no case content, no names), so
they need no case membership. They are for the people who plan and account for the work:
analysts, investigators, supervisors and administrators. Auditors (who check the record of
access) and disclosure officers (who work one case's material) are refused. Every download is
written to the custody log (action ``export``, object type ``report``) with the stated purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from vigil.errors import AccessDenied, UserError
from vigil.evidence import custody
from vigil.reports.stats import StatsReport
from vigil.services.access import Principal
from vigil.services.workspace import Workspace

REPORT_ROLES: frozenset[str] = frozenset({"analyst", "investigator", "supervisor", "administrator"})
DEFAULT_START = date(2022, 10, 1)
DEFAULT_END = date(2023, 9, 30)
EARLIEST = date(1990, 1, 1)
LATEST = date(2199, 12, 31)
Format = Literal["html", "pdf", "csv"]
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def may_see_reports(user: Principal) -> bool:
    return user.role in REPORT_ROLES


def require_reports(user: Principal) -> None:
    if not may_see_reports(user):
        raise AccessDenied(
            f"the {user.role_label} role may not see the statistics reports",
            hint="reports are for analysts, investigators, supervisors and administrators",
        )


def statistics(
    ws: Workspace, user: Principal, start: date, end: date, unit: str | None = None
) -> StatsReport:
    """The statistics report for ``start``..``end`` (national, or for one unit)."""
    from vigil.services.reports import stats_report

    require_reports(user)
    for d in (start, end):
        if not EARLIEST <= d <= LATEST:
            raise UserError(f"{d} is outside the years a report can cover",
                            hint=f"choose dates from {EARLIEST} to {LATEST}")  # fmt: skip
    return stats_report(ws, start, end, unit or None)


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    media_type: str
    body: bytes


def download(
    ws: Workspace,
    user: Principal,
    start: date,
    end: date,
    fmt: Format,
    purpose: str,
    unit: str | None = None,
) -> Download:
    """The report rendered as ``fmt``, with the export written to the custody log."""
    from vigil.reports import render_csv, render_html, render_pdf

    text = " ".join(purpose.split())
    if len(text) < 4:
        raise UserError("give a purpose of a few words for the download",
                        hint="e.g. 'quarterly return to the regional board'")  # fmt: skip
    report = statistics(ws, user, start, end, unit)
    if fmt == "pdf":
        body = render_pdf.render(report)
    elif fmt == "csv":
        body = render_csv.render(report).encode("utf-8")
    else:
        body = render_html.render(report).encode("utf-8")
    key = f"stats:{start.isoformat()}/{end.isoformat()}" + (f":{unit}" if unit else "")
    with ws.transaction() as session:
        custody.append(
            session,
            actor=user.username,
            action="export",
            object_type="report",
            object_id=key,
            purpose=text[:500],
            details={"format": fmt, "unit": unit, "bytes": len(body),
                     "via": user.session_key.split(":", 1)[0]},
            now=ws.now(),
        )  # fmt: skip
    name = f"vigil-statistics-{start.isoformat()}-{end.isoformat()}" + (f"-{unit}" if unit else "")
    return Download(f"{name}.{fmt}", MEDIA_TYPES[fmt], body)
