"""Snapchat "My Data" in HTML: ``html/chat_history.html`` (the downloads of 2019-2022).

The page holds one table per list, each under a heading naming it (``Received Saved Chat
History``, ``Sent Saved Chat History``, ``Received Unsaved Chat History``...), with a header
row naming the same fields as ``chat_history.json`` (``From`` or ``To``, ``Media Type``,
``Created``, ``Text``). The tables are read with lxml into that JSON shape and handed to the
``snapchat_json`` parser, so both read the same way; locations then name the table and row
(``chat_history.html: table 'Sent Saved Chat History', row 2 (line 40)``). A row whose cell count
differs from the header's is a skipped record. Input: the page, or the download's zip (its
``chat_history.html``). The per-friend pages of the 2023 download (``html/chat_history/subpage_
<name>.html``) are not read.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats import snapchat_json
from vigil.ingest.formats._html import (
    ZIP_MAGIC,
    Element,
    members_of,
    open_archive,
    page_limit,
    parse_page,
    read_page,
    text_of,
)
from vigil.ingest.formats._jsonsupport import path
from vigil.model import Conversation, SkippedRecord

EXPECTED = "a Snapchat My Data chat_history.html (tables of chat history)"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _heading_before(table: Element) -> str | None:
    for el in table.itersiblings(preceding=True):
        if isinstance(el.tag, str) and el.tag in _HEADINGS:
            return text_of(el) or None
    return None


def tables(
    root: Element, page: str
) -> tuple[dict[str, list[Any]], dict[str, str], list[SkippedRecord]]:
    """(the chat_history.json shape, JSON path -> HTML location, bad rows)."""
    data: dict[str, list[Any]] = {}
    where: dict[str, str] = {}
    bad: list[SkippedRecord] = []
    for n, table in enumerate(root.iter("table"), 1):
        rows = [r for r in table.iter("tr")]
        if not rows:
            continue
        header = [text_of(c) for c in rows[0] if isinstance(c.tag, str)]
        if "Created" not in header:
            continue
        section = _heading_before(table) or f"table {n} Chat History"
        entries = data.setdefault(section, [])
        for i, row in enumerate(rows[1:], 2):
            cells = [text_of(c) for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
            loc = f"{page}: table {section!r}, row {i} (line {row.sourceline})"
            if len(cells) != len(header):
                bad.append(
                    SkippedRecord(
                        loc,
                        f"row has {len(cells)} cell(s), the header {len(header)}",
                        " | ".join(cells)[:200],
                    )
                )
                continue
            where[path(section, len(entries))] = loc
            entries.append(dict(zip(header, cells, strict=True)))
    return data, where, bad


def read_html(raw: bytes, page: str, options: ParseOptions) -> Iterator[Conversation]:
    """Conversations from one chat_history.html page."""
    root = parse_page(raw, page, EXPECTED)
    data, where, bad = tables(root, page)
    if not data:
        raise ParseError("no table with a 'Created' column", file=page, expected=EXPECTED)
    stream = io.BytesIO(json.dumps(data).encode("utf-8"))
    convs = list(snapchat_json.PARSER.parse(stream, page, options))
    for conv in convs:
        conv.messages = [
            replace(m, source_location=where.get(m.source_location, m.source_location))
            for m in list(conv.messages)
        ]
        conv.skipped = [
            replace(s, source_location=where.get(s.source_location, s.source_location))
            for s in conv.skipped
        ]
        conv.notes.append("read from the HTML download's tables (the fields of chat_history.json)")
    if bad:
        if not convs:
            convs.append(Conversation(platform=snapchat_json.PLATFORM, title=None))
        convs[0].skipped.extend(bad)
    yield from convs


class SnapchatHtmlParser:
    """Parser for Snapchat's chat_history.html (or the My Data zip holding it)."""

    name = "snapchat_html"
    description = "Snapchat My Data chat_history.html (2019-2022 HTML download, or its zip)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if head.startswith(ZIP_MAGIC):
            if b"chat_history.html" in head:
                return Sniff(0.8, "zip whose first members include chat_history.html")
            return Sniff(0.0, "zip without chat_history.html in its first members")
        low = head[:8192].lower()
        if b"<html" not in low and b"<!doctype html" not in low:
            return Sniff(0.0, "not HTML")
        if b"Chat History" in head and b"Media Type" in head and b"<table" in low:
            named = name.lower().endswith("chat_history.html")
            why = "HTML with Snapchat's Chat History tables (Media Type)"
            return Sniff(
                0.9 if named else 0.85, why + ("; named chat_history.html" if named else "")
            )
        return Sniff(0.0, "HTML without Snapchat's Chat History tables")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        head = stream.read(4)
        stream.seek(0)
        if head != ZIP_MAGIC:
            raw = stream.read(options.limits.max_json_bytes + 1)
            page_limit(len(raw), name, options.limits, exact=False)
            yield from read_html(raw, name, options)
            return
        zf = open_archive(stream, name, options.limits)
        pages = [
            m
            for m in members_of(zf)
            if m.replace("\\", "/").rsplit("/", 1)[-1] == "chat_history.html"
        ]
        if not pages:
            raise ParseError("the zip holds no chat_history.html", file=name, expected=EXPECTED)
        with zf:
            page = min(pages, key=lambda m: (m.count("/"), m))
            yield from read_html(read_page(zf, page, name, options.limits), page, options)


PARSER = SnapchatHtmlParser()
