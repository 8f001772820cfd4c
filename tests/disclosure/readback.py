"""Reading written schedules back (CSV, XLSX with openpyxl, ODS with odfpy, PDF text with
pypdf) into the table's rows, for the tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from odf.opendocument import load
from odf.table import TableCell, TableRow
from odf.text import P
from openpyxl import load_workbook
from pypdf import PdfReader

HEADINGS = ["Item no.", "Reference", "Description", "Location", "Status", "CPS comment"]


def _table(lines: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """(header block lines, rows) from a sheet's lines."""
    at = next(n for n, line in enumerate(lines) if line[: len(HEADINGS)] == HEADINGS)
    rows = []
    for line in lines[at + 1 :]:
        if not any(line):
            break
        rows.append(line[: len(HEADINGS)])
    return lines[:at], rows


def csv_rows(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    text = path.read_bytes().decode("utf-8-sig")
    return _table([line + [""] * (6 - len(line)) for line in csv.reader(io.StringIO(text))])


def xlsx_rows(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    wb = load_workbook(path, read_only=True)
    sheet = wb.worksheets[0]
    lines = [["" if v is None else str(v) for v in row] + [""] * 6
             for row in sheet.iter_rows(values_only=True)]  # fmt: skip
    wb.close()
    return _table(lines)


def ods_rows(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    doc = load(str(path))
    lines = []
    for tr in doc.spreadsheet.getElementsByType(TableRow):
        cells = []
        for c in tr.getElementsByType(TableCell):
            cells.append("".join(str(p) for p in c.getElementsByType(P)))
        lines.append(cells + [""] * 6)
    return _table(lines)


def pdf_text(path: Path) -> list[str]:
    """The text of each page."""
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]
