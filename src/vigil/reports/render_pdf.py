"""Reports as PDF: the HTML rendering laid out by WeasyPrint.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0 and a
font such as fonts-dejavu-core); without them the import fails and Vigil says which to install.
"""

from __future__ import annotations

from vigil.errors import UserError
from vigil.reports import render_html
from vigil.reports.platforms import PlatformReport
from vigil.reports.stats import StatsReport

DEBIAN_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise UserError(
            f"PDF output needs WeasyPrint and its system libraries ({exc})",
            hint=f"install the Debian packages {DEBIAN_PACKAGES} (make setup does), "
            "or choose --format html",
        ) from exc
    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def render(report: StatsReport | PlatformReport) -> bytes:
    return html_to_pdf(render_html.render(report))
