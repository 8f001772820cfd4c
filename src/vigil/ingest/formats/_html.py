"""Helpers shared by the HTML export parsers (Telegram Desktop HTML, Meta HTML download).

HTML is parsed with lxml's HTML parser (libxml2), never with regular expressions: comments
dropped, no network access, entities not expanded, no huge-tree mode (nesting or a text node
past libxml2's own limits stops the page with an error naming the line, rather than using
unbounded memory or losing the rest of the page). A page is parsed whole; a
page larger than ``ParseOptions.limits.max_json_bytes`` is refused before it is read, the same
limit the whole-file JSON exports have (one export page holds a few thousand messages at most).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection, Iterator
from typing import Any, BinaryIO, cast

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

from vigil.errors import ParseError
from vigil.ingest.base import Limits
from vigil.ingest.formats._jsonsupport import decode_bytes
from vigil.ingest.safezip import open_zip, read_member, zip_limits
from vigil.model import AttachmentStatus

Element = Any
"""An lxml ``HtmlElement`` (lxml ships no type information)."""

_SPACE = re.compile(r"\s+")
ZIP_MAGIC = b"PK\x03\x04"


def page_limit(size: int, name: str, limits: Limits, *, exact: bool = True) -> None:
    """Refuse an HTML page of ``size`` bytes (more than ``size`` if not ``exact``) over the
    page limit (``VIGIL_MAX_JSON_BYTES``)."""
    cap = limits.max_json_bytes
    if size > cap:
        what = f"{size:,} bytes" if exact else f"more than {cap:,} bytes"
        raise ParseError(
            f"HTML page of {what} is over the {cap:,}-byte limit (VIGIL_MAX_JSON_BYTES); not "
            "read (an HTML page is parsed whole, in memory)",
            file=name,
            hint="raise VIGIL_MAX_JSON_BYTES to ingest it on a machine with the memory",
        )


def parse_page(raw: bytes, name: str, expected: str) -> Element:
    """The root element of an HTML page (UTF-8; an undecodable byte names its offset)."""
    text = decode_bytes(raw, name, expected)
    if not text.strip():
        raise ParseError("file is empty", file=name, location="offset 0", expected=expected)
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, no_network=True, huge_tree=False
    )
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"not readable as HTML: {exc}", file=name, expected=expected) from exc
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if fatal:  # e.g. nesting past libxml2's limit: the rest of the page would be lost
        raise ParseError(
            f"not readable as HTML: {fatal[0].message}",
            file=name,
            location=f"line {fatal[0].line}",
            expected=expected,
        )
    return root


def classes(el: Element) -> set[str]:
    """The element's class tokens."""
    return set(str(el.get("class") or "").split())


def children(el: Element, cls: str, tag: str = "div") -> list[Element]:
    """Direct children with tag ``tag`` and class token ``cls``."""
    return [c for c in el if isinstance(c.tag, str) and c.tag == tag and cls in classes(c)]


def child(el: Element, cls: str, tag: str = "div") -> Element | None:
    """The first direct child with tag ``tag`` and class token ``cls``."""
    found = children(el, cls, tag)
    return found[0] if found else None


def with_class(root: Element, cls: str, tag: str = "div") -> list[Element]:
    """Every descendant ``tag`` element carrying the class token ``cls``, in document order."""
    expr = f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
    return cast(list[Element], root.xpath(expr))


_BLOCKS = frozenset(
    {"div", "p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}
)


def text_of(el: Element | None, skip: frozenset[str] = frozenset(), *, blocks: bool = False) -> str:
    """An element's text as a reader sees it: ``<br>`` as a line break, other whitespace
    collapsed, lines stripped. Children carrying a class in ``skip`` are left out. With
    ``blocks``, block elements (``div``, ``p``...) also break lines and empty lines are dropped."""
    if el is None:
        return ""
    pieces: list[str] = []

    def walk(node: Element) -> None:
        if node.text:
            pieces.append(_SPACE.sub(" ", node.text))
        for c in node:
            if isinstance(c.tag, str):
                if c.tag == "br":
                    pieces.append("\n")
                elif not (skip & classes(c)):
                    brk = blocks and c.tag in _BLOCKS
                    pieces.append("\n" if brk else "")
                    walk(c)
                    pieces.append("\n" if brk else "")
            if c.tail:
                pieces.append(_SPACE.sub(" ", c.tail))

    walk(el)
    lines = [line.strip() for line in "".join(pieces).split("\n")]
    if blocks:
        lines = [line for line in lines if line]
    return "\n".join(lines).strip()


def members_of(zf: zipfile.ZipFile) -> list[str]:
    """The archive's file members (no directories)."""
    return [i.filename for i in zf.infolist() if not i.is_dir()]


def open_archive(stream: BinaryIO, name: str, limits: Limits) -> zipfile.ZipFile:
    """Open a zip export with Vigil's archive checks (:mod:`vigil.ingest.safezip`)."""
    return open_zip(stream, name, zip_limits(limits))


def read_page(zf: zipfile.ZipFile, member: str, name: str, limits: Limits) -> bytes:
    """A page's bytes, refused before reading when over the page limit."""
    page_limit(zf.getinfo(member).file_size, f"{name}: {member}", limits)
    return read_member(zf, member, name)


def resolve_href(
    href: str, folder: str, members: Collection[str] | None
) -> tuple[AttachmentStatus, str]:
    """(status, path) of a file an export page links to: PRESENT with the zip member when the
    archive holds it, else MISSING with the link as written."""
    if members is None:
        return AttachmentStatus.MISSING, href
    want = (folder + href).replace("\\", "/")
    parts: list[str] = []
    for part in want.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    joined = "/".join(parts)
    if joined in members:
        return AttachmentStatus.PRESENT, joined
    return AttachmentStatus.MISSING, href


def iter_pages(groups: dict[str, list[tuple[int, str]]]) -> Iterator[tuple[str, list[str]]]:
    """(folder, members in page order) for each folder of numbered pages."""
    for folder in sorted(groups):
        yield folder, [m for _, m in sorted(groups[folder])]
