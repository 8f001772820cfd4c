"""ODS, the OpenDocument spreadsheet (ISO/IEC 26300), written with the standard library.

A package is a zip: ``mimetype`` first and stored, the manifest, ``meta.xml``, a small
``styles.xml`` and ``content.xml`` with one table. The table's XML is written as text, a row
at a time (an object model of 30,000 cells was most of the time of a 5,000-item schedule;
see bench/schedule.py); every text cell is a string cell, never a formula, and all text is
escaped for XML. The tests read the files back with odfpy, an independent reader.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from vigil import tool_version
from vigil.disclosure.schedule import COLUMNS, ScheduleDoc
from vigil.disclosure.writers import footer_lines, header_lines

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
WIDTHS = ("1.8cm", "5cm", "12cm", "6cm", "4cm", "5cm")
NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'office:version="1.2"'
)
XML = '<?xml version="1.0" encoding="UTF-8"?>\n'

MANIFEST = (
    XML + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
    f' manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
STYLES = XML + f"<office:document-styles {NS}><office:styles/></office:document-styles>"


def _cell(value: str | int, style: str = "") -> str:
    attr = f' table:style-name="{style}"' if style else ""
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"{attr}>'
                f"<text:p>{value}</text:p></table:table-cell>")  # fmt: skip
    if value == "":
        return f"<table:table-cell{attr}/>"
    return (f'<table:table-cell office:value-type="string"{attr}>'
            f"<text:p>{escape(value)}</text:p></table:table-cell>")  # fmt: skip


def _row(cells: Sequence[str | int], style: str = "") -> str:
    return "<table:table-row>" + "".join(_cell(c, style) for c in cells) + "</table:table-row>"


EMPTY_ROW = "<table:table-row><table:table-cell/></table:table-row>"


def _content(doc: ScheduleDoc) -> Iterator[str]:
    yield XML + f"<office:document-content {NS}><office:automatic-styles>"
    for i, width in enumerate(WIDTHS):
        yield (f'<style:style style:name="co{i}" style:family="table-column">'
               f'<style:table-column-properties style:column-width="{width}"/></style:style>')  # fmt: skip
    yield ('<style:style style:name="bold" style:family="table-cell">'
           '<style:text-properties fo:font-weight="bold"/></style:style>'
           "</office:automatic-styles><office:body><office:spreadsheet>"
           f"<table:table table:name={quoteattr(doc.kind.upper())}>")  # fmt: skip
    yield "".join(f'<table:table-column table:style-name="co{i}"/>' for i in range(len(WIDTHS)))
    for label, value in header_lines(doc):
        yield _row([label, value])
    yield EMPTY_ROW
    yield _row([h for _, h in COLUMNS], "bold")
    for r in doc.rows:
        yield _row([r.number, r.item, r.description, r.location, r.status, r.cps_comment])
    foot = footer_lines(doc)
    if foot:
        yield EMPTY_ROW
        for label, value in foot:
            yield _row([label, value])
    yield "</table:table></office:spreadsheet></office:body></office:document-content>"


def _meta(doc: ScheduleDoc) -> str:
    return (XML + f"<office:document-meta {NS}><office:meta>"
            f"<meta:generator>{escape(tool_version())}</meta:generator>"
            f"<meta:initial-creator>{escape(doc.generated_by)}</meta:initial-creator>"
            "</office:meta></office:document-meta>")  # fmt: skip


def write(doc: ScheduleDoc, out: BinaryIO) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("meta.xml", _meta(doc))
        z.writestr("styles.xml", STYLES)
        with z.open("content.xml", "w") as content:
            for part in _content(doc):
                content.write(part.encode("utf-8"))
