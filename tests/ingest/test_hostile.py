"""Hostile input to the XML-family and generic parsers: each a clear ParseError, nothing yielded."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Parser
from vigil.ingest.formats import generic, pan12_xml, sms_xml, ufdr
from vigil.model import Conversation

XML_PARSERS: list[Parser] = [sms_xml.PARSER, ufdr.PARSER, pan12_xml.PARSER]
ROOTS = {"sms_xml": "smses", "ufdr": "project", "pan12_xml": "conversations"}
ids = [p.name for p in XML_PARSERS]

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<ROOT>&lol9;</ROOT>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ROOT>&xxe;</ROOT>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE ROOT SYSTEM "http://example.invalid/evil.dtd">
<ROOT/>
"""


def run(parser: Parser, data: bytes, name: str) -> list[Conversation]:
    return list(parser.parse(io.BytesIO(data), name, ParseOptions()))


def refused(parser: Parser, data: bytes, name: str, pattern: str) -> ParseError:
    """Expect a ParseError matching ``pattern`` before any conversation is yielded."""
    got: list[Conversation] = []
    with pytest.raises(ParseError, match=pattern) as info:
        for conv in parser.parse(io.BytesIO(data), name, ParseOptions()):
            got.append(conv)
    assert got == []
    return info.value


def doc(parser: Parser, body: bytes) -> bytes:
    return body.replace(b"ROOT", ROOTS[parser.name].encode())


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
def test_entity_expansion_refused(parser: Parser) -> None:
    err = refused(parser, doc(parser, BILLION_LAUGHS), "lol.xml", r"^lol\.xml, line 2, column")
    assert "DTD" in err.message and "refused" in err.message


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
@pytest.mark.parametrize("body", [EXTERNAL, EXTERNAL_DTD], ids=["entity", "dtd"])
def test_external_references_refused(parser: Parser, body: bytes) -> None:
    refused(parser, doc(parser, body), "xxe.xml", r"^xxe\.xml, line 2.*refused")


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
def test_truncated_xml_names_line_and_column(parser: Parser) -> None:
    root = ROOTS[parser.name].encode()
    data = b"<?xml version='1.0'?>\n<" + root + b">\n  <a x='1'>\n    <b>text"
    with pytest.raises(
        ParseError, match=r"^cut\.xml, line 4, column 12, byte offset \d+: .*truncated"
    ):
        run(parser, data, "cut.xml")


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
def test_binary_garbage_names_offset(parser: Parser) -> None:
    data = bytes([0x00, 0x9F, 0x92, 0x96]) + os.urandom(200)
    refused(parser, data, "junk.bin", r"^junk\.bin, offset 0: not XML: byte 0x00 at offset 0")


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
def test_garbage_inside_xml_names_byte_offset(parser: Parser) -> None:
    root = ROOTS[parser.name].encode()
    data = b"<" + root + b">\n<x>\xff\xfe\xfd</x></" + root + b">"
    pattern = rf"^bad\.xml, line 2, column 4, byte offset {len(root) + 6}: XML is not well-formed"
    with pytest.raises(ParseError, match=pattern):
        run(parser, data, "bad.xml")


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
def test_deep_nesting_refused(parser: Parser) -> None:
    root = ROOTS[parser.name].encode()
    data = b"<" + root + b">" + b"<a>" * 5000 + b"</a>" * 5000 + b"</" + root + b">"
    refused(parser, data, "deep.xml", r"nested deeper than 256 levels")


@pytest.mark.parametrize("parser", XML_PARSERS, ids=ids)
def test_empty_file(parser: Parser) -> None:
    refused(parser, b"", "empty.xml", r"^empty\.xml: file is empty")


def _zip(path: Path, members: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path.read_bytes()


def test_ufdr_zip_bomb_refused(tmp_path: Path) -> None:
    bomb = b"<project>" + b"<a/>" * (4 * 1024 * 1024) + b"</project>"  # 16 MiB, squeezes ~1000:1
    data = _zip(tmp_path / "bomb.ufdr", {"report.xml": bomb})
    assert len(data) < len(bomb) // 200
    refused(ufdr.PARSER, data, "bomb.ufdr", r"^bomb\.ufdr, member 'report\.xml'.*zip bomb")


def test_ufdr_path_traversal_refused(tmp_path: Path) -> None:
    data = _zip(
        tmp_path / "trav.ufdr",
        {"report.xml": b"<project/>", "../../evil.txt": b"not for you"},
    )
    refused(ufdr.PARSER, data, "trav.ufdr", r"member '\.\./\.\./evil\.txt'.*path traversal")


def test_ufdr_not_a_zip_after_magic() -> None:
    refused(ufdr.PARSER, b"PK\x03\x04" + b"\x00" * 64, "x.ufdr", r"^x\.ufdr: not a readable zip")


def test_ufdr_dtd_inside_container_names_member(tmp_path: Path) -> None:
    data = _zip(tmp_path / "d.ufdr", {"report.xml": doc(ufdr.PARSER, BILLION_LAUGHS)})
    refused(ufdr.PARSER, data, "d.ufdr", r"^d\.ufdr \(member report\.xml\), line 2.*refused")


def test_generic_binary_garbage_names_offset() -> None:
    data = b"sender,text,time\n" + b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    with pytest.raises(ParseError, match=r"^g\.csv, line 4, offset 25: binary data"):
        run(generic.PARSER, data, "g.csv")
