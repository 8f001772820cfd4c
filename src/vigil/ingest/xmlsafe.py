"""Streaming XML for hostile input, shared by the XML chat formats.

:class:`XmlReader` feeds a byte stream chunk by chunk to defusedxml's expat parser with DTDs,
entity declarations and external references all forbidden, and yields ``start``/``end`` events
for light :class:`Node` objects that carry their line and column. Memory stays bounded as long
as the caller calls :meth:`XmlReader.release` on subtrees it has finished with: an element's own
text is kept up to ``max_text`` characters (the rest is counted in :attr:`XmlReader.cuts`, never
held, and the text says where it was cut), and one token that expat must hold whole (a start tag
with its attributes, a comment) may not run past ``MAX_TOKEN`` bytes.

Every failure becomes a :class:`~vigil.errors.ParseError` naming the file and the line, column
and byte offset: a DTD or entity (refused, so "billion laughs" and external-entity attacks never
expand), binary garbage, undecodable bytes, and truncated documents.

:class:`RefRepair` fixes, without changing line numbers, the character references that XML
parsers reject but real exports write: UTF-16 surrogate pairs such as ``&#55357;&#56832;``
(SMS Backup & Restore writes emoji like this) become the real character, and references to
characters XML forbids become U+FFFD. Surrogate repairs keep the byte length (zero-padded
references), so byte offsets in later errors still point into the original file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from vigil.errors import ParseError
from vigil.ingest.base import MAX_MESSAGE_BYTES

CHUNK = 64 * 1024
MAX_DEPTH = 256
MAX_TOKEN = 64 * 1024 * 1024
"""Bytes the parser may take in without an element starting or ending or text arriving: a longer
tag, attribute value or comment is refused (SMS backups hold attachments in base64 attributes of
a few MB, so this is generous)."""
TEXT_CUT = "[\u2026 cut by Vigil: the text is longer than the limit; the rest is in the exhibit]"


@dataclass(slots=True, eq=False)
class Node:
    """An XML element with its namespace stripped from the tag, and where it started."""

    tag: str
    attrib: dict[str, str]
    line: int
    column: int
    depth: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    kept: int = 0  # characters of text kept in ``parts``
    cut: int = 0  # characters of text left out (over the reader's ``max_text``)

    @property
    def text(self) -> str:
        """The element's own character data (not its children's)."""
        return "".join(self.parts)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def child(self, tag: str) -> Node | None:
        """The first direct child with this (local) tag name."""
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def children_named(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str) -> Iterator[Node]:
        """This node and all descendants with this tag, in document order."""
        if self.tag == tag:
            yield self
        for c in self.children:
            yield from c.iter(tag)

    def clear(self) -> None:
        self.children.clear()
        self.parts.clear()


Event = tuple[str, Node, Node | None]
"""``(kind, node, parent)`` where kind is ``start`` or ``end``."""


def local_name(tag: str) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.rsplit("}", 1)[-1]


def read_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """Yield a binary stream in chunks."""
    while True:
        block = stream.read(size)
        if not block:
            return
        yield block


_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_REF_AT_END = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));\Z")
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_CONTROL_TABLE = bytes.maketrans(_CONTROL, b"?" * len(_CONTROL))


def _ref_value(m: re.Match[bytes]) -> int:
    return int(m.group(1), 16) if m.group(1) is not None else int(m.group(2))


def _xml_char_ok(v: int) -> bool:
    if v < 0x20:
        return v in (9, 10, 13)
    return v <= 0xD7FF or 0xE000 <= v <= 0xFFFD or 0x10000 <= v <= 0x10FFFF


def _ref(value: int, width: int) -> bytes:
    """A decimal character reference, zero-padded to ``width`` bytes where it fits."""
    digits = str(value)
    return b"&#" + digits.zfill(max(width - 3, len(digits))).encode("ascii") + b";"


class RefRepair:
    """Repair character references (and optionally raw control bytes) in a UTF-8 XML stream."""

    def __init__(self, *, control_bytes: bool = False) -> None:
        self.control_bytes = control_bytes
        self.surrogate_pairs = 0
        self.lone_surrogates = 0
        self.bad_refs = 0
        self.raw_controls = 0
        self._held = b""

    def feed(self, data: bytes) -> bytes:
        buf = self._held + data
        cut = buf.find(b"&", max(0, len(buf) - 32))
        if cut == -1:
            cut = len(buf)
        m = _REF_AT_END.search(buf, max(0, cut - 24), cut)
        if m is not None and 0xD800 <= _ref_value(m) <= 0xDBFF:
            cut = m.start()  # its partner may be in the next chunk
        self._held = buf[cut:]
        return self._repair(buf[:cut])

    def flush(self) -> bytes:
        buf, self._held = self._held, b""
        return self._repair(buf)

    def notes(self) -> list[str]:
        """Plain-language notes on what was repaired (empty when nothing was)."""
        out = []
        if self.surrogate_pairs:
            out.append(
                f"{self.surrogate_pairs} character(s) written as UTF-16 surrogate-pair references "
                "(e.g. &#55357;&#56832;) were decoded to the real character"
            )
        if self.lone_surrogates:
            out.append(f"{self.lone_surrogates} unpaired surrogate reference(s) replaced by U+FFFD")
        if self.bad_refs:
            out.append(
                f"{self.bad_refs} reference(s) to characters XML forbids (e.g. &#1;) "
                "replaced by U+FFFD"
            )
        if self.raw_controls:
            out.append(
                f"{self.raw_controls} raw control byte(s) not allowed in XML replaced by '?'"
            )
        return out

    def _repair(self, buf: bytes) -> bytes:
        if self.control_bytes:
            fixed = buf.translate(_CONTROL_TABLE)
            if fixed != buf:
                self.raw_controls += sum(buf.count(bytes([c])) for c in _CONTROL)
                buf = fixed
        if b"&#" not in buf:
            return buf
        out: list[bytes] = []
        pos = 0
        pending: re.Match[bytes] | None = None
        for m in _REF.finditer(buf):
            v = _ref_value(m)
            if pending is not None:
                hi = _ref_value(pending)
                if pending.end() == m.start() and 0xDC00 <= v <= 0xDFFF:
                    combined = 0x10000 + ((hi - 0xD800) << 10) + (v - 0xDC00)
                    out += (buf[pos : pending.start()], _ref(combined, m.end() - pending.start()))
                    pos = m.end()
                    pending = None
                    self.surrogate_pairs += 1
                    continue
                out += (buf[pos : pending.start()], _ref(0xFFFD, pending.end() - pending.start()))
                pos = pending.end()
                pending = None
                self.lone_surrogates += 1
            if 0xD800 <= v <= 0xDBFF:
                pending = m
            elif 0xDC00 <= v <= 0xDFFF:
                out += (buf[pos : m.start()], _ref(0xFFFD, m.end() - m.start()))
                pos = m.end()
                self.lone_surrogates += 1
            elif not _xml_char_ok(v):
                out += (buf[pos : m.start()], _ref(0xFFFD, m.end() - m.start()))
                pos = m.end()
                self.bad_refs += 1
        if pending is not None:
            out += (buf[pos : pending.start()], _ref(0xFFFD, pending.end() - pending.start()))
            pos = pending.end()
            self.lone_surrogates += 1
        out.append(buf[pos:])
        return b"".join(out)


class _Target:
    """Expat handlers building :class:`Node` trees and queueing events.

    They are installed straight on defusedxml's expat parser (whose DTD and entity guards
    stay in place), skipping ElementTree's per-element work; names arrive as ``uri}local``.
    """

    def __init__(self, reader: XmlReader) -> None:
        self.reader = reader
        self.expat: Any = None
        self.names: dict[str, str] = {}

    def install(self, ex: Any) -> None:
        self.expat = ex
        ex.ordered_attributes = 1
        ex.StartElementHandler = self.start
        ex.EndElementHandler = self.end
        ex.CharacterDataHandler = self.data
        ex.CommentHandler = None
        ex.ProcessingInstructionHandler = None

    def _name(self, raw: str) -> str:
        name = self.names.get(raw)
        if name is None:
            name = self.names[raw] = local_name(raw)
        return name

    def start(self, tag: str, attrs: list[str]) -> None:
        r = self.reader
        r.active = True
        stack = r.stack
        ex = self.expat
        if len(stack) >= r.max_depth:
            raise ParseError(
                f"elements nested deeper than {r.max_depth} levels",
                file=r.name,
                location=f"line {ex.CurrentLineNumber}",
                expected="a chat export, not a nesting attack",
            )
        name = self._name
        attrib = {name(attrs[i]): attrs[i + 1] for i in range(0, len(attrs), 2)} if attrs else {}
        node = Node(name(tag), attrib, ex.CurrentLineNumber, ex.CurrentColumnNumber, len(stack))
        parent = stack[-1] if stack else None
        if parent is not None:
            parent.children.append(node)
        stack.append(node)
        r.pending.append(("start", node, parent))

    def end(self, tag: str) -> None:
        r = self.reader
        r.active = True
        stack = r.stack
        node = stack.pop()
        if node.cut:
            r.cuts.append((node.line, node.tag, node.kept + node.cut))
        r.pending.append(("end", node, stack[-1] if stack else None))

    def data(self, text: str) -> None:
        r = self.reader
        r.active = True
        stack = r.stack
        if stack:
            top = stack[-1]
            if not (top.children and text.isspace()):
                size = top.kept + len(text)
                if size <= r.max_text:
                    top.parts.append(text)
                    top.kept = size
                    return
                room = r.max_text - top.kept
                if room > 0:
                    top.parts.append(text[:room])
                    top.kept += room
                if not top.cut:
                    top.parts.append(TEXT_CUT)
                top.cut += len(text) - max(room, 0)


def _looks_like_xml(head: bytes, name: str) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a byte-order mark: expat decodes it
    i = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while i < len(head) and head[i] in b" \t\r\n":
        i += 1
    if i < len(head) and head[i : i + 1] != b"<":
        raise ParseError(
            f"not XML: byte 0x{head[i]:02x} at offset {i}",
            file=name,
            location=f"offset {i}",
            expected="'<' starting an XML document",
        )


class XmlReader:
    """Stream events from an XML byte stream, refusing DTDs and entities.

    :meth:`events` yields ``(kind, node, parent)`` with kind ``start`` or ``end``; a node's
    text and children are complete only at its ``end`` event. ``node.depth`` is 0 for the root.
    """

    def __init__(
        self,
        name: str,
        *,
        repair: RefRepair | None = None,
        max_depth: int = MAX_DEPTH,
        max_text: int = MAX_MESSAGE_BYTES,
        max_token: int = MAX_TOKEN,
    ):
        self.name = name
        self.repair = repair
        self.max_depth = max_depth
        self.max_text = max_text
        self.max_token = max_token
        self.stack: list[Node] = []
        self.pending: list[Event] = []
        self.cuts: list[tuple[int, str, int]] = []
        """(line, tag, characters) of each element whose text was cut to ``max_text``."""
        self.active = False  # an element started or ended, or text came, since the last check

    def cut_notes(self) -> list[str]:
        """Notes on the texts cut since the last call (the first few one by one), then forget
        them."""
        cuts, self.cuts = self.cuts, []
        notes = [
            f"{self.name}: line {line}: the text of <{tag}> ({size:,} characters) is longer than "
            f"the {self.max_text:,}-character limit (VIGIL_MAX_MESSAGE_BYTES): cut there, the "
            "full text stays in the exhibit"
            for line, tag, size in cuts[:10]
        ]
        if len(cuts) > 10:
            notes.append(
                f"{self.name}: {len(cuts) - 10:,} more over-long text(s) cut, from line "
                f"{cuts[10][0]} (the full text stays in the exhibit)"
            )
        return notes

    @staticmethod
    def release(node: Node, parent: Node | None) -> None:
        """Forget a finished element: clear it and detach it from its parent."""
        node.clear()
        if parent is not None:
            siblings = parent.children
            if siblings and siblings[0] is node:
                del siblings[0]
            elif node in siblings:
                siblings.remove(node)

    def events(self, chunks: Iterable[bytes]) -> Iterator[Event]:
        target = _Target(self)
        parser = DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        ex = parser.parser
        target.install(ex)
        checked = False
        fed = quiet_from = 0
        for chunk in chunks:
            if not checked and chunk:
                _looks_like_xml(chunk[:4096], self.name)
                checked = True
            data = self.repair.feed(chunk) if self.repair else chunk
            self._feed(ex, data, final=False)
            fed += len(data)
            if self.active:
                self.active = False
                quiet_from = fed
            elif fed - quiet_from > self.max_token:
                raise ParseError(
                    f"no element starts or ends and no text comes in {fed - quiet_from:,} bytes: "
                    f"a tag, attribute value or comment longer than {self.max_token:,} bytes is "
                    "refused (it would be held whole in memory)",
                    file=self.name,
                    location=f"line {ex.CurrentLineNumber}, near byte offset {quiet_from:,}",
                    expected="a chat export, not one endless tag",
                )
            yield from self._drain()
        if not checked:
            raise ParseError("file is empty", file=self.name, expected="an XML document")
        if self.repair:
            self._feed(ex, self.repair.flush(), final=False)
            yield from self._drain()
        self._feed(ex, b"", final=True)
        yield from self._drain()

    def _drain(self) -> Iterator[Event]:
        pending = self.pending
        while pending:
            batch = pending[:]
            pending.clear()
            yield from batch

    def _feed(self, ex: Any, data: bytes, *, final: bool) -> None:
        try:
            ex.Parse(data, final)
        except DTDForbidden as exc:
            raise self._refused("a document type declaration (DTD)", ex) from exc
        except EntitiesForbidden as exc:
            raise self._refused(f"an entity declaration ({exc.name!r})", ex) from exc
        except ExternalReferenceForbidden as exc:
            raise self._refused("an external entity reference", ex) from exc
        except expat.ExpatError as exc:
            what = expat.ErrorString(exc.code)
            where = f"line {exc.lineno}, column {exc.offset + 1}, byte offset {ex.ErrorByteIndex}"
            if final:
                raise ParseError(
                    f"XML ends before the document is complete ({what}); the file looks truncated",
                    file=self.name,
                    location=where,
                    expected="closing tags for every open element",
                ) from exc
            raise ParseError(
                f"XML is not well-formed: {what}",
                file=self.name,
                location=where,
                expected="well-formed XML",
            ) from exc

    def _refused(self, what: str, ex: Any) -> ParseError:
        return ParseError(
            f"XML with {what} refused: DTDs and entities can expand without limit "
            "(billion laughs) or read other files",
            file=self.name,
            location=f"line {ex.CurrentLineNumber}, column {ex.CurrentColumnNumber + 1}",
            expected="XML without a DTD or entities",
        )
