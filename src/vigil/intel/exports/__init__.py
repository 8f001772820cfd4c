"""Graph exports. Each module turns a :class:`~vigil.intel.model.Resolution` into text.

- :mod:`.ftm` — followthemoney JSON lines (validated entity by entity)
- :mod:`.anx` — IBM i2 Analyst's Notebook chart XML (ANX)
- :mod:`.maltego` — Maltego table-import CSV with a documented column mapping
- :mod:`.graphml` — GraphML via networkx
- :mod:`.csv` — one row per link, readable in a spreadsheet

Exporters are pure: they return strings; the service writes the file (atomically) and records
the export in the custody log.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    description: str


FORMATS = {
    "ftm": ExportFormat("ftm", ".ftm.json", "application/json-lines", "followthemoney JSON lines"),
    "anx": ExportFormat("anx", ".anx", "application/xml", "i2 Analyst's Notebook chart XML"),
    "maltego": ExportFormat("maltego", ".maltego.csv", "text/csv", "Maltego table import"),
    "graphml": ExportFormat("graphml", ".graphml", "application/xml", "GraphML (networkx)"),
    "csv": ExportFormat("csv", ".links.csv", "text/csv", "one row per link"),
}
