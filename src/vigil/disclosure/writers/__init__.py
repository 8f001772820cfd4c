"""Schedule writers: each takes a :class:`~vigil.disclosure.schedule.ScheduleDoc` and a
binary stream and writes one format (``csv``, ``xlsx``, ``ods``, ``pdf``). Every writer gives
the same cells: the header block (case, schedule, revision, generated), the column headings of
:data:`~vigil.disclosure.schedule.COLUMNS`, one line per row, and the MG6E's notes and
certification."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from vigil.disclosure.schedule import ScheduleDoc
from vigil.errors import UserError

FORMATS: tuple[str, ...] = ("pdf", "csv", "xlsx", "ods")
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}

Writer = Callable[[ScheduleDoc, BinaryIO], None]


def check_format(text: str) -> str:
    f = text.strip().lower().lstrip(".")
    if f not in FORMATS:
        raise UserError(f"unknown schedule format {text!r}", hint="pdf, csv, xlsx or ods")
    return f


def writer(fmt: str) -> Writer:
    """The writer of ``fmt`` (its library is loaded on first use)."""
    f = check_format(fmt)
    if f == "csv":
        from vigil.disclosure.writers import csv_ as m
    elif f == "xlsx":
        from vigil.disclosure.writers import xlsx as m  # type: ignore[no-redef]
    elif f == "ods":
        from vigil.disclosure.writers import ods as m  # type: ignore[no-redef]
    else:
        from vigil.disclosure.writers import pdf as m  # type: ignore[no-redef]
    return m.write


def header_lines(doc: ScheduleDoc) -> list[tuple[str, str]]:
    """The (label, value) lines above the table, the same in every format."""
    return [
        ("Case", f"{doc.case_ref} {doc.case_title}".strip()),
        ("Schedule", doc.title),
        ("Revision", str(doc.revision)),
        ("Generated", f"{doc.generated_at} by {doc.generated_by}"),
    ]


def footer_lines(doc: ScheduleDoc) -> list[tuple[str, str]]:
    """The (label, value) lines below the table: the MG6E's notes and certification."""
    out = [("Note", n) for n in doc.notes]
    if doc.certification:
        out.append(("Certification", doc.certification))
    return out


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: object) -> str:
    """A cell's text for a spreadsheet that might read it as a formula: text that starts
    like one gets a leading apostrophe (CSV only; XLSX and ODS cells are typed as text)."""
    s = str(value)
    return "'" + s if s.startswith(FORMULA_START) else s
