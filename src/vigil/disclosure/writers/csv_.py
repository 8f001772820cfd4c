"""CSV (standard library): the header block, a blank line, the headings, the rows, then the
MG6E's notes and certification. UTF-8 with a byte-order mark (spreadsheets read it as
UTF-8); text that a spreadsheet would take for a formula starts with an apostrophe."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from vigil.disclosure.schedule import COLUMNS, ScheduleDoc
from vigil.disclosure.writers import cell_text, footer_lines, header_lines


def write(doc: ScheduleDoc, out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        w = csv.writer(text)
        w.writerows([cell_text(a), cell_text(b)] for a, b in header_lines(doc))
        w.writerow([])
        w.writerow([h for _, h in COLUMNS])
        w.writerows(
            [str(r.number), cell_text(r.item), cell_text(r.description),
             cell_text(r.location), r.status, cell_text(r.cps_comment)]
            for r in doc.rows
        )  # fmt: skip
        foot = footer_lines(doc)
        if foot:
            w.writerow([])
            w.writerows([a, cell_text(b)] for a, b in foot)
        text.flush()
    finally:
        text.detach()  # the caller owns ``out``
