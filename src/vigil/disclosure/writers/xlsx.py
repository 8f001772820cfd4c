"""XLSX (openpyxl, write-only mode so thousands of rows stream out): one sheet, the header
block, the headings (bold, frozen below), the rows; every text cell is typed as text, so a
description that starts with ``=`` is never a formula."""

from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from vigil.disclosure.schedule import COLUMNS, ScheduleDoc
from vigil.disclosure.writers import footer_lines, header_lines

WIDTHS = (8, 28, 70, 34, 22, 30)


def _text(ws: WriteOnlyWorksheet, value: str, **style: Any) -> Cell:
    c = WriteOnlyCell(ws, value)
    c.data_type = "s"
    for k, v in style.items():
        setattr(c, k, v)
    return c


def write(doc: ScheduleDoc, out: BinaryIO) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(doc.kind.upper())
    for i, w in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    bold = Font(bold=True)
    top = len(header_lines(doc)) + 2
    ws.freeze_panes = f"A{top + 1}"
    for label, value in header_lines(doc):
        ws.append([_text(ws, label, font=bold), _text(ws, value)])
    ws.append([])
    ws.append([_text(ws, h, font=bold) for _, h in COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in doc.rows:
        ws.append([
            r.number, _text(ws, r.item), _text(ws, r.description, alignment=wrap),
            _text(ws, r.location), _text(ws, r.status), _text(ws, r.cps_comment),
        ])  # fmt: skip
    foot = footer_lines(doc)
    if foot:
        ws.append([])
        for label, value in foot:
            ws.append([_text(ws, label, font=bold), _text(ws, value)])
    wb.save(out)
