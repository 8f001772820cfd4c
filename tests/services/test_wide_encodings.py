"""Chat exports written in UTF-16 or UTF-32, with or without a byte-order mark, ingest with the
same messages as their UTF-8 originals (issue 16: "no parser recognises this file" before)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from vigil.ingest.encodings import wide_encoding
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

VARIANTS = [
    ("utf-16", b""),  # Python writes a BOM (little-endian here)
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),  # no BOM: told from where the zero bytes fall
    ("utf-16-be", b""),
    ("utf-32", b""),
    ("utf-32-le", b""),
]


@pytest.mark.parametrize(
    "fixture", ["whatsapp/whatstk/lorem.txt", "telegram/chat-miner/test_single_export.json"]
)
def test_wide_exports_ingest_like_their_utf8_original(
    ws: Workspace, tmp_path: Path, shared_fixtures: Path, fixture: str
) -> None:
    original = shared_fixtures / "chats" / fixture
    text = original.read_text(encoding="utf-8-sig")
    base = ingest_file(ws, "OP-TEST", original)
    assert base.messages > 0
    for i, (codec, bom) in enumerate(VARIANTS):
        wide = tmp_path / f"{i}-{original.name}"
        wide.write_bytes(bom + text.encode(codec))
        assert wide_encoding(wide.read_bytes()[:4096]) is not None, codec
        got = ingest_file(ws, "OP-TEST", wide)
        assert (got.parser, got.messages, got.participants) == (
            base.parser, base.messages, base.participants,
        ), codec  # fmt: skip


@pytest.mark.parametrize(
    "head",
    [
        b"plain ascii chat line\n" * 20,
        "ünïcödé text in utf-8 ✓\n".encode() * 20,
        b"PK\x03\x04" + bytes(200),  # a zip header and zeros: not text
        b"SQLite format 3\x00" + bytes(range(256)) * 4,
    ],
)
def test_other_files_are_not_taken_for_wide_text(head: bytes) -> None:
    assert wide_encoding(head) is None
