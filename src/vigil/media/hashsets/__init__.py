"""Hash-set importers (one module per format) and the VICS exporter.

Each importer is ``read_X(data: bytes, source: str, ...) -> HashList``; :data:`IMPORTERS` names
them for the service and CLI (``--format vics|ncmec|csv|plain``).
"""

from __future__ import annotations

from collections.abc import Callable

from vigil.media.hashsets.base import HashList, HashRecord, HashValue, ImportIssue
from vigil.media.hashsets.csvlist import read_csv_list
from vigil.media.hashsets.ncmec import read_ncmec
from vigil.media.hashsets.plain import read_plain
from vigil.media.hashsets.vics import export_vics, read_vics

IMPORTERS: dict[str, Callable[..., HashList]] = {
    "vics": read_vics,
    "ncmec": read_ncmec,
    "csv": read_csv_list,
    "plain": read_plain,
}

__all__ = [
    "IMPORTERS",
    "HashList",
    "HashRecord",
    "HashValue",
    "ImportIssue",
    "export_vics",
    "read_csv_list",
    "read_ncmec",
    "read_plain",
    "read_vics",
]
