"""Graph exports. Each module turns a :class:`~vigil.intel.model.Resolution` into text.

- :mod:`.ftm` — followthemoney JSON lines (validated entity by entity)
- :mod:`.anx` — IBM i2 Analyst's Notebook chart XML (ANX)
- :mod:`.maltego` — Maltego table-import CSV with a documented column mapping
- :mod:`.graphml` — GraphML via networkx
- :mod:`.csv` — one row per link, readable in a spreadsheet

Exporters are pure: they return strings; the service writes the file (atomically) and records
the export in the custody log. Each format registers through the ``vigil_intel_exporters`` hook,
like a plugin's (one line each in :func:`vigil_intel_exporters`); :data:`FORMATS` is the live
view of every registered format by name. The modules behind the built-ins (followthemoney,
networkx) are imported only when an export is rendered.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.hookspecs import hookimpl
from vigil.plugins import INTEL_EXPORTERS, Registry

if TYPE_CHECKING:
    from vigil.intel.model import Resolution


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """A link-graph export format: name, file extension, media type, description, renderer.

    ``render(resolution)`` returns the whole export as text. It sees only the case's own
    entities and links (the service builds the resolution under need to know).
    """

    name: str
    extension: str
    media_type: str
    description: str
    render: Callable[[Resolution], str]


def _lazy(module: str) -> Callable[[Resolution], str]:
    def render(res: Resolution) -> str:
        out: str = importlib.import_module(f"{__name__}.{module}").render(res)
        return out

    render.__qualname__ = f"{module}.render"
    return render


@hookimpl
def vigil_intel_exporters() -> list[ExportFormat]:
    return [
        ExportFormat("ftm", ".ftm.json", "application/json-lines", "followthemoney JSON lines",
                     _lazy("ftm")),
        ExportFormat("anx", ".anx", "application/xml", "i2 Analyst's Notebook chart XML",
                     _lazy("anx")),
        ExportFormat("maltego", ".maltego.csv", "text/csv", "Maltego table import",
                     _lazy("maltego")),
        ExportFormat("graphml", ".graphml", "application/xml", "GraphML (networkx)",
                     _lazy("graphml")),
        ExportFormat("csv", ".links.csv", "text/csv", "one row per link", _lazy("csv")),
    ]  # fmt: skip


FORMATS: Registry[ExportFormat] = INTEL_EXPORTERS
"""Every registered export format by name (built-ins and plugins; asks the plugins each time)."""
