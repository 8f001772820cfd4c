"""Hash-set importers (one module per format) and the VICS exporter.

Each importer is ``read_X(data: bytes, source: str, ...) -> HashList``. The built-in formats
register through the ``vigil_hashlist_formats`` hook like a plugin's (one line each in
:func:`vigil_hashlist_formats`); :data:`IMPORTERS` is the live view of every registered
format's reader by name, for the service and CLI (``--format vics|ncmec|csv|plain|...``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from vigil.hookspecs import hookimpl
from vigil.media.hashsets.base import (
    HashList,
    HashListFormat,
    HashRecord,
    HashValue,
    ImportIssue,
)
from vigil.media.hashsets.csvlist import read_csv_list
from vigil.media.hashsets.ncmec import read_ncmec
from vigil.media.hashsets.plain import read_plain
from vigil.media.hashsets.vics import export_vics, read_vics


def _read_plain(data: bytes, source: str, *, scheme: str = "projectvic-us") -> HashList:
    return read_plain(data, source)


@hookimpl
def vigil_hashlist_formats() -> list[HashListFormat]:
    return [
        HashListFormat("vics", "Project VIC VICS JSON 1.3 or 2.0", read_vics),
        HashListFormat("ncmec", "NCMEC-style CSV or JSON hash list", read_ncmec),
        HashListFormat("csv", "CSV of hash, category, source (header optional)", read_csv_list),
        HashListFormat("plain", "plain MD5/SHA-1 list, one hash per line", _read_plain),
    ]


class _Readers(Mapping[str, Callable[..., HashList]]):
    """Every registered hash-list format's reader by name (asks the plugins each time)."""

    def __getitem__(self, name: str) -> Callable[..., HashList]:
        from vigil.plugins import HASHLIST_FORMATS

        return HASHLIST_FORMATS[name].read

    def __iter__(self) -> Iterator[str]:
        from vigil.plugins import HASHLIST_FORMATS

        return iter(HASHLIST_FORMATS)

    def __len__(self) -> int:
        from vigil.plugins import HASHLIST_FORMATS

        return len(HASHLIST_FORMATS)


IMPORTERS: Mapping[str, Callable[..., HashList]] = _Readers()
"""Readers by format name: ``IMPORTERS[fmt](data, source, scheme=...)``."""

__all__ = [
    "IMPORTERS",
    "HashList",
    "HashListFormat",
    "HashRecord",
    "HashValue",
    "ImportIssue",
    "export_vics",
    "read_csv_list",
    "read_ncmec",
    "read_plain",
    "read_vics",
]
