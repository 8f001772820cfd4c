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

from vigil.errors import AccessDenied, UserError
from vigil.reports.stats import StatsReport
from vigil.services.access import Principal
from vigil.services.workspace import Workspace

REPORT_ROLES: frozenset[str] = frozenset({"analyst", "investigator", "supervisor", "administrator"})
DEFAULT_START = date(2022, 10, 1)
DEFAULT_END = date(2023, 9, 30)
EARLIEST = date(1990, 1, 1)
LATEST = date(2199, 12, 31)
Format = str
"""A registered report renderer's name (``html``, ``pdf``, ``csv``, ``json`` or a plugin's)."""


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
    from vigil.reports import RENDERERS
    from vigil.services.reports import export_purpose, record_export, report_key

    export_purpose(purpose)  # refused before any work
    renderer = RENDERERS.require(fmt)
    report = statistics(ws, user, start, end, unit)
    data = renderer.render(report)
    body = data if isinstance(data, bytes) else data.encode("utf-8")
    record_export(ws, user, report_key("stats", start, end, unit), fmt, len(body), purpose, unit)
    name = f"vigil-statistics-{start.isoformat()}-{end.isoformat()}" + (f"-{unit}" if unit else "")
    return Download(f"{name}{renderer.extension}", renderer.media_type, body)
