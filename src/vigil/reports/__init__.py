"""Reports: statistics and platform intelligence computed from records, and their renderers.

The computations (:mod:`.stats`, :mod:`.platforms`) are pure: they take rows and return
report dataclasses. :mod:`vigil.services.reports` loads the rows; ``render_*`` modules turn a
report into HTML, PDF, CSV or JSON. Each renderer registers through the
``vigil_report_renderers`` hook like a plugin's (one line each in
:func:`vigil_report_renderers`); :data:`RENDERERS` is the live view of all of them by name.
The modules behind the built-ins (Jinja2, WeasyPrint) load only when one renders.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from vigil.hookspecs import hookimpl
from vigil.plugins import REPORT_RENDERERS, Registry

if TYPE_CHECKING:
    from vigil.reports.platforms import PlatformReport
    from vigil.reports.stats import StatsReport

Report: TypeAlias = "StatsReport | PlatformReport"


@dataclass(frozen=True, slots=True)
class ReportRenderer:
    """A report output format: name, file extension, media type, description and renderer.

    ``render(report)`` takes a :class:`~vigil.reports.stats.StatsReport` or a
    :class:`~vigil.reports.platforms.PlatformReport` and returns text, or bytes when ``binary``
    (binary output is only ever written to a file, never to the terminal).
    """

    name: str
    extension: str
    media_type: str
    description: str
    render: Callable[[Report], str | bytes]
    binary: bool = False


def _lazy(module: str) -> Callable[[Report], str | bytes]:
    def render(report: Report) -> str | bytes:
        out: str | bytes = importlib.import_module(f"{__name__}.{module}").render(report)
        return out

    render.__qualname__ = f"{module}.render"
    return render


@hookimpl
def vigil_report_renderers() -> list[ReportRenderer]:
    return [
        ReportRenderer("html", ".html", "text/html; charset=utf-8",
                       "self-contained HTML with charts", _lazy("render_html")),
        ReportRenderer("pdf", ".pdf", "application/pdf", "PDF (WeasyPrint)",
                       _lazy("render_pdf"), binary=True),
        ReportRenderer("csv", ".csv", "text/csv; charset=utf-8",
                       "one long table with a section column", _lazy("render_csv")),
        ReportRenderer("json", ".json", "application/json", "the same data as JSON",
                       _lazy("render_json")),
    ]  # fmt: skip


RENDERERS: Registry[ReportRenderer] = REPORT_RENDERERS
"""Every registered report renderer by name (built-ins and plugins)."""


def render_bytes(fmt: str, report: Report) -> bytes:
    """``report`` rendered as ``fmt`` (UserError naming the choices when unknown), as bytes."""
    data = REPORT_RENDERERS.require(fmt).render(report)
    return data if isinstance(data, bytes) else data.encode("utf-8")
