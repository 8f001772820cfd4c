"""Bounded resources (issue 16): hostile inputs stay within the memory bound, and every cut says so.

Memory is measured as the peak resident set size of a child process (the ``vigil`` command, or a
small driver), read with ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process that runs only that
child, so no other test's children count. Nothing here measures time. The hostile inputs are the
ones that found the problem: a chat file that is one 200 MB line (1 GB before) and a 140 KB PNG
of 12,000 x 12,000 pixels (2.3 GB before); both are generated here, benign and synthetic.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from PIL import Image

from vigil.config import Settings
from vigil.errors import ParseError
from vigil.ingest.base import Limits, ParseOptions
from vigil.ingest.formats import discord_csv, generic, pan12_xml, sms_xml, telegram_json
from vigil.ingest.formats.whatsapp_read import CUT_MARK
from vigil.ingest.formats.whatsapp_txt import PARSER as WHATSAPP
from vigil.ingest.lines import LineCutter, bounded_lines
from vigil.ingest.safezip import ZipLimits, open_zip
from vigil.ingest.xmlsafe import XmlReader, read_chunks
from vigil.media.blur import blurred_thumbnail, unblurred_thumbnail
from vigil.media.decoding import DEFAULT_MAX_PIXELS, rgb_reduced
from vigil.media.hashers.pdq import hash_image
from vigil.model import Conversation, Message
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

BOUND_MB = 512
MiB = 1024 * 1024
VIGIL = [sys.executable, "-m", "vigil.cli.main"]
_MEASURE = (
    "import json, resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'rc': r.returncode, 'out': r.stdout, 'err': r.stderr, 'peak_kb': peak}))\n"
)


@dataclass(frozen=True)
class Measured:
    """How a child process ended, what it printed, and its peak resident set size."""

    rc: int
    out: str
    err: str
    peak_mb: float


def peak_rss(args: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``args`` as the only child of a wrapper process; its peak RSS (of it and every
    process it waited for, such as the ingest worker) in MB."""
    r = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    got = json.loads(r.stdout)
    return Measured(got["rc"], got["out"], got["err"], got["peak_kb"] / 1024)


def cli_env(ws: Workspace) -> dict[str, str]:
    """The environment for running ``vigil`` on ``ws`` as the user who opened its case."""
    s = ws.settings
    env = {**os.environ, "VIGIL_HOME": str(s.home), "VIGIL_USER": s.user, "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)
    return env


def one_line_chat(path: Path, size: int) -> None:
    """A WhatsApp export whose second message is one line of ``size`` bytes of benign filler,
    written in chunks (never held whole)."""
    filler = b"the bus was late again so we walked to the park " * 20_000
    with path.open("wb") as fh:
        fh.write(b"12/01/2024, 10:00 - Alice: hello there\n")
        fh.write(b"12/01/2024, 10:01 - Bob: ")
        left = size
        while left > 0:
            fh.write(filler[:left])
            left -= min(left, len(filler))
        fh.write(b"\n12/01/2024, 10:02 - Alice: see you later\n")


def solid_png(path: Path, width: int, height: int) -> None:
    """A solid-colour RGB PNG written row by row through zlib: small on disk, huge decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + bytes((40, 120, 200)) * width
    z = zlib.compressobj(1)
    data = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def parse(data: bytes, limit: int = MiB) -> tuple[Conversation, list[Message]]:
    options = ParseOptions(limits=Limits(max_message_bytes=limit))
    (conv,) = WHATSAPP.parse(io.BytesIO(data), "chat.txt", options)
    return conv, list(conv.messages)


# --- settings ------------------------------------------------------------------------------------


def test_settings_defaults_are_the_limits_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "MAX_MESSAGE_BYTES",
        "MAX_JSON_BYTES",
        "MAX_ARCHIVE_RATIO",
        "MAX_IMAGE_PIXELS",
    ):
        monkeypatch.delenv(f"VIGIL_{var}", raising=False)
    s = Settings()
    assert Limits.from_settings(s) == Limits()
    assert s.max_image_pixels == DEFAULT_MAX_PIXELS
    monkeypatch.setenv("VIGIL_MAX_MESSAGE_BYTES", "4096")
    monkeypatch.setenv("VIGIL_MAX_ARCHIVE_RATIO", "20")
    limits = Limits.from_settings(Settings())
    assert (limits.max_message_bytes, limits.max_archive_ratio) == (4096, 20)
    assert {f.name for f in fields(Limits)} <= {f.name for f in fields(Settings)}


@pytest.mark.parametrize("raw", ["0", "-5", "1MB"])
def test_limits_must_be_positive_whole_numbers(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    from vigil.errors import UserError

    monkeypatch.setenv("VIGIL_MAX_IMAGE_PIXELS", raw)
    with pytest.raises(UserError, match="VIGIL_MAX_IMAGE_PIXELS"):
        Settings()


# --- reading lines of bounded length ---------------------------------------------------------------


def test_line_cutter_cuts_long_lines_at_a_character_boundary() -> None:
    data = b"ab\n" + "é".encode() * 10 + b"\nend\n"  # line 2: 20 bytes of 2-byte characters
    cutter = LineCutter(7)
    blocks = [data[i : i + 3] for i in range(0, len(data), 3)]
    out = b"".join(cutter.blocks(blocks))
    assert out == b"ab\n" + "é".encode() * 3 + b"\nend\n"  # 6 bytes kept, not half a character
    (cut,) = cutter.cuts
    assert (cut.line, cut.offset, cut.dropped) == (2, 9, 14)


def test_bounded_lines_never_reads_a_long_line_whole() -> None:
    data = b"short\n" + b"x" * 5000 + b"\nlast"
    cuts: list = []
    got = list(bounded_lines(io.BytesIO(data), 100, cuts))
    assert [(n, off, cut) for n, off, _, cut in got] == [
        (1, 0, False),
        (2, 6, True),
        (3, 5007, False),
    ]
    assert got[1][2] == b"x" * 100 + b"\n" and got[2][2] == b"last"
    assert [(c.line, c.offset, c.dropped) for c in cuts] == [(2, 106, 4900)]


# --- WhatsApp --------------------------------------------------------------------------------------


def test_whatsapp_long_line_is_cut_with_a_note_and_nothing_else_changes() -> None:
    body = "word " * 1000  # 5,000 bytes on one line
    data = (
        "12/01/2024, 10:00 - Alice: hello\n"
        f"12/01/2024, 10:01 - Bob: {body}\n"
        "12/01/2024, 10:02 - Alice: see you\n"
        "and a second line\n"
    ).encode()
    conv, msgs = parse(data, limit=1024)
    assert [m.source_location for m in msgs] == ["line 1", "line 2", "line 3"]
    assert [m.sender for m in msgs] == ["Alice", "Bob", "Alice"]
    kept = 1024 - len("12/01/2024, 10:01 - Bob: ")
    offset = len(b"12/01/2024, 10:00 - Alice: hello\n") + 1024
    assert msgs[1].text == body[:kept] + CUT_MARK.format(offset=offset)
    assert msgs[2].text == "see you\nand a second line"
    (note,) = [n for n in conv.notes if "limit" in n]
    assert note.startswith("chat.txt: line 2 is longer than the 1,024-byte limit")
    assert f"cut at byte offset {offset:,}" in note
    assert f"{len(body.encode()) - kept:,} byte(s) left out" in note
    assert "VIGIL_MAX_MESSAGE_BYTES" in note and "the full bytes stay in the exhibit" in note


def test_whatsapp_message_of_many_continuation_lines_is_cut() -> None:
    lines = "".join(f"continuation line {i}\n" for i in range(2000))
    data = f"12/01/2024, 10:00 - Alice: start\n{lines}12/01/2024, 10:05 - Bob: reply\n".encode()
    conv, msgs = parse(data, limit=4096)
    assert [m.sender for m in msgs] == ["Alice", "Bob"]
    assert msgs[1].source_location == "line 2002" and msgs[1].text == "reply"
    assert len(msgs[0].text.encode()) < 4096 + 200
    assert msgs[0].text.startswith("start\ncontinuation line 0\n")
    assert "cut by Vigil in line" in msgs[0].text
    (note,) = [n for n in conv.notes if "limit" in n]
    assert note.startswith("chat.txt: message at line 1 is longer than the 4,096-byte limit")
    assert "continuation lines left out" in note


def test_whatsapp_many_long_lines_are_summarised() -> None:
    rows = "".join(f"12/01/2024, 10:{i:02d} - Bob: {'z' * 300}\n" for i in range(15))
    conv, msgs = parse(rows.encode(), limit=100)
    assert len(msgs) == 15
    cut = [n for n in conv.notes if "limit" in n or "more over-long" in n]
    assert len(cut) == 11 and "5 more over-long line(s) cut" in cut[-1]


def test_whatsapp_normal_exports_are_not_cut(shared_fixtures: Path) -> None:
    for path in sorted((shared_fixtures / "chats" / "whatsapp").rglob("*.txt"))[:40]:
        options = ParseOptions()
        try:
            convs = list(WHATSAPP.parse(io.BytesIO(path.read_bytes()), path.name, options))
        except ParseError:
            continue
        for conv in convs:
            texts = [m.text for m in conv.messages]
            assert not any("cut by Vigil" in t for t in texts), path
            assert not any("limit" in n for n in conv.notes), path


@pytest.fixture(scope="module")
def baseline_driver_mb(tmp_path_factory: pytest.TempPathFactory) -> float:
    small = tmp_path_factory.mktemp("bounded") / "small.txt"
    one_line_chat(small, 1000)
    return _drive(small, MiB).peak_mb


_DRIVER = (
    "import io, json, sys\n"
    "from vigil.ingest.base import Limits, ParseOptions\n"
    "from vigil.ingest.formats.whatsapp_txt import PARSER\n"
    "options = ParseOptions(limits=Limits(max_message_bytes=int(sys.argv[2])))\n"
    "with open(sys.argv[1], 'rb') as fh:\n"
    "    (conv,) = PARSER.parse(fh, 'chat.txt', options)\n"
    "    sizes = [len(m.text.encode()) for m in conv.messages]\n"
    "print(json.dumps({'sizes': sizes, 'notes': conv.notes}))\n"
)


def _drive(path: Path, limit: int) -> Measured:
    got = peak_rss([sys.executable, "-c", _DRIVER, str(path), str(limit)])
    assert got.rc == 0, got.err
    return got


def test_whatsapp_one_long_line_streams_within_a_proportional_bound(
    tmp_path: Path, baseline_driver_mb: float
) -> None:
    """A 32 MB line under a 64 KiB limit: the parser's peak grows by far less than the line."""
    path = tmp_path / "line.txt"
    one_line_chat(path, 32 * 1000 * 1000)
    got = _drive(path, 64 * 1024)
    result = json.loads(got.out)
    assert len(result["sizes"]) == 3 and result["sizes"][1] < 64 * 1024 + 200
    assert any("line 2 is longer than the 65,536-byte limit" in n for n in result["notes"])
    assert got.peak_mb - baseline_driver_mb < 16, (got.peak_mb, baseline_driver_mb)


def test_whatsapp_cut_line_through_the_ingest_service(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Bob.txt"
    one_line_chat(path, 3 * MiB)
    s = ingest_file(ws, "OP-TEST", path, pipeline=False)
    assert s.messages == 3 and not s.skipped
    (note,) = [n for n in s.notes if "limit" in n]
    assert note.startswith(f"{path.name}: line 2 is longer than the 1,048,576-byte limit")
    raw = path.read_bytes()
    blob = ws.store.path_for(hashlib.sha256(raw).hexdigest())
    assert blob.read_bytes() == raw  # the exhibit keeps every byte


@pytest.mark.slow
def test_whatsapp_200_mb_line_ingests_within_the_bound(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    one_line_chat(path, 200 * 1000 * 1000)
    got = peak_rss([*VIGIL, "ingest", str(path), "--case", "OP-TEST", "--json"], cli_env(ws))
    assert got.rc == 0, got.err
    assert got.peak_mb <= BOUND_MB, got.peak_mb
    (summary,) = json.loads(got.out)
    assert summary["messages"] == 3
    (note,) = [n for n in summary["notes"] if "limit" in n]
    assert "chat.txt: line 2 is longer than the 1,048,576-byte limit" in note
    assert "the full bytes stay in the exhibit" in note
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 * MiB):
            digest.update(block)
    blob = ws.store.path_for(digest.hexdigest())
    assert blob.stat().st_size == path.stat().st_size  # the exhibit keeps every byte


# --- CSV, JSON lines, JSON and XML -----------------------------------------------------------------


def test_generic_json_lines_over_the_limit_are_skipped_with_the_reason() -> None:
    rows = [
        {"sender": "a", "text": "hi", "time": "2024-01-01T10:00:00Z"},
        {"sender": "b", "text": "x" * 5000, "time": "2024-01-01T10:01:00Z"},
        {"sender": "a", "text": "bye", "time": "2024-01-01T10:02:00Z"},
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    options = ParseOptions(limits=Limits(max_message_bytes=1000))
    (conv,) = generic.PARSER.parse(io.BytesIO(data), "t.jsonl", options)
    assert [m.text for m in conv.messages] == ["hi", "bye"]
    (skip,) = conv.skipped
    assert skip.source_location == "line 2"
    assert "is longer than the 1,000-byte limit (VIGIL_MAX_MESSAGE_BYTES): not read" in skip.reason


def test_discord_csv_line_over_the_limit_is_skipped() -> None:
    head = "AuthorID,Author,Date,Content,Attachments,Reactions\n"
    rows = [
        '1,amy,2020-01-01T10:00:00+00:00,"hi",,\n',
        f'2,bob,2020-01-01T10:01:00+00:00,"{"y" * 3000}",,\n',
        '1,amy,2020-01-01T10:02:00+00:00,"bye",,\n',
    ]
    options = ParseOptions(limits=Limits(max_message_bytes=1000))
    data = (head + "".join(rows)).encode()
    (conv,) = discord_csv.PARSER.parse(io.BytesIO(data), "chat.csv", options)
    assert [m.text for m in conv.messages] == ["hi", "bye"]
    assert [s.source_location for s in conv.skipped] == ["line 3"]


def test_json_export_over_the_size_limit_is_refused_naming_the_file() -> None:
    data = json.dumps({"name": "x", "type": "personal_chat", "messages": [{"id": 1}] * 500})
    options = ParseOptions(limits=Limits(max_json_bytes=1000))
    with pytest.raises(ParseError, match=r"^result\.json: JSON export of more than 1,000 bytes"):
        list(telegram_json.PARSER.parse(io.BytesIO(data.encode()), "result.json", options))


def test_xml_text_over_the_limit_is_cut_with_a_note() -> None:
    text = "long words " * 500
    xml = (
        '<conversations><conversation id="c1">'
        f'<message line="1"><author>a</author><time>10:00</time><text>{text}</text></message>'
        '<message line="2"><author>b</author><time>10:01</time><text>ok</text></message>'
        "</conversation></conversations>"
    )
    options = ParseOptions(limits=Limits(max_message_bytes=1000))
    (conv,) = pan12_xml.PARSER.parse(io.BytesIO(xml.encode()), "pan.xml", options)
    msgs = list(conv.messages)
    assert msgs[0].text.startswith(text[:1000]) and "cut by Vigil" in msgs[0].text
    assert text[:1001] not in msgs[0].text and msgs[1].text == "ok"
    (note,) = [n for n in conv.notes if "limit" in n]
    assert f"the text of <text> ({len(text):,} characters)" in note


def test_sms_body_over_the_limit_is_cut_with_a_note() -> None:
    body = "b" * 3000
    xml = (
        '<smses count="1"><sms address="+441" date="1700000000000" type="1" '
        f'body="{body}" /></smses>'
    )
    options = ParseOptions(limits=Limits(max_message_bytes=1000))
    (conv,) = sms_xml.PARSER.parse(io.BytesIO(xml.encode()), "sms.xml", options)
    (msg,) = conv.messages
    assert msg.text.startswith("b" * 1000) and "b" * 1001 not in msg.text
    assert any("3,000 characters is longer than the 1,000-character limit" in n for n in conv.notes)


def test_xml_token_longer_than_the_bound_is_refused() -> None:
    xml = b'<smses><sms body="' + b"q" * (3 * MiB) + b'" /></smses>'
    reader = XmlReader("sms.xml", max_token=MiB)
    with pytest.raises(
        ParseError, match=r"^sms\.xml, line 1, near byte offset .*longer than 1,048,576"
    ):
        list(reader.events(read_chunks(io.BytesIO(xml))))


# --- archives ----------------------------------------------------------------------------------


def bomb(members: int = 80, each: int = MiB) -> bytes:
    """A zip of many small, highly compressible members: no member trips the per-member ratio
    check (each is at most 1 MiB), but together they expand to ~80 MiB from ~100 KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat with Bob.txt", "12/01/2024, 10:00 - Bob: hi\n")
        for i in range(members):
            zf.writestr(f"media/{i:03d}.bin", bytes(each))
    return buf.getvalue()


def test_archive_expanding_past_the_ratio_is_refused_before_extraction() -> None:
    data = bomb()
    with pytest.raises(ParseError) as info:
        open_zip(io.BytesIO(data), "ev.zip")
    msg = info.value.message
    assert msg.startswith(f"ev.zip: archive of {len(data):,} bytes expands to")
    assert "over the limit of 100 times (VIGIL_MAX_ARCHIVE_RATIO)" in msg
    assert info.value.hint and "VIGIL_MAX_ARCHIVE_RATIO" in info.value.hint
    open_zip(io.BytesIO(data), "ev.zip", ZipLimits(max_total_ratio=2000.0)).close()
    small = bomb(members=10)  # 10 MiB: under the 64 MiB floor, whatever the ratio
    open_zip(io.BytesIO(small), "ev.zip").close()


def test_archive_ratio_comes_from_the_parse_options() -> None:
    data = bomb(members=10)
    options = ParseOptions(limits=Limits(max_archive_ratio=5))
    floorless = ZipLimits(max_total_ratio=5.0, total_floor=0)
    with pytest.raises(ParseError, match="over the limit of 5 times"):
        open_zip(io.BytesIO(data), "ev.zip", floorless)
    convs = list(WHATSAPP.parse(io.BytesIO(data), "ev.zip", options))  # the floor lets it in
    assert [len(list(c.messages)) for c in convs] == [1]


def test_archive_bomb_through_the_ingest_service_stores_nothing(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "WhatsApp Chat with Bob.zip"
    path.write_bytes(bomb())
    with pytest.raises(ParseError, match="VIGIL_MAX_ARCHIVE_RATIO"):
        ingest_file(ws, "OP-TEST", path, pipeline=False)
    from vigil.services.evidence.exhibits import list_exhibits

    assert list_exhibits(ws, "OP-TEST") == []


# --- images ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "huge.png"
    solid_png(path, 12_000, 12_000)
    return path


def test_huge_png_is_refused_from_its_header(huge_png: Path) -> None:
    data = huge_png.read_bytes()
    for call in (
        lambda: hash_image(data, name="JS/7"),
        lambda: blurred_thumbnail(data, name="JS/7"),
        lambda: unblurred_thumbnail(data, reason="grading", name="JS/7"),
    ):
        with pytest.raises(ParseError) as info:
            call()
        assert info.value.message.startswith(
            "JS/7: image of 12000x12000 pixels (144,000,000) is over the 64,000,000-pixel limit "
            "(VIGIL_MAX_IMAGE_PIXELS); not decoded"
        )


def test_huge_png_scanned_as_evidence_within_the_bound(ws: Workspace, huge_png: Path) -> None:
    """``vigil media scan`` registers it, reads its markers and records it as undecodable."""
    got = peak_rss([*VIGIL, "media", "scan", str(huge_png), "--case", "OP-TEST"], cli_env(ws))
    assert got.rc == 0, got.err
    assert got.peak_mb <= BOUND_MB, got.peak_mb
    from sqlalchemy import select

    from vigil.db.tables.media import MediaItem

    with ws.sessions() as s:
        (item,) = s.execute(select(MediaItem)).scalars()
        assert item.status == "undecodable"
        assert "image of 12000x12000 pixels (144,000,000) is over the" in (item.error or "")


_IMAGE_DRIVER = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from vigil.errors import ParseError\n"
    "from vigil.media.blur import blurred_thumbnail\n"
    "from vigil.media.hashers.pdq import hash_image\n"
    "from vigil.media.markers import find_markers\n"
    "data, out = Path(sys.argv[1]).read_bytes(), {}\n"
    "try:\n"
    "    r = hash_image(data, name='x')\n"
    "    out['resize'], out['size'] = r.preparation.resize, [r.preparation.width,"
    " r.preparation.height]\n"
    "except ParseError as exc:\n"
    "    out['hash_error'] = exc.message\n"
    "try:\n"
    "    t = blurred_thumbnail(data, name='x')\n"
    "    out['thumb'] = [t.width, t.height]\n"
    "except ParseError as exc:\n"
    "    out['thumb_error'] = exc.message\n"
    "out['markers'] = len(find_markers(data))\n"
    "print(json.dumps(out))\n"
)


def test_huge_png_hashed_and_shown_within_the_bound(huge_png: Path) -> None:
    got = peak_rss([sys.executable, "-c", _IMAGE_DRIVER, str(huge_png)])
    assert got.rc == 0, got.err
    result = json.loads(got.out)
    assert "pixel limit" in result["hash_error"] and "pixel limit" in result["thumb_error"]
    assert result["markers"] == 0
    assert got.peak_mb <= BOUND_MB, got.peak_mb


@pytest.mark.slow
def test_png_at_the_pixel_limit_is_hashed_reduced_within_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "at-limit.png"
    solid_png(path, 8000, 8000)  # 64,000,000 pixels: the default limit
    got = peak_rss([sys.executable, "-c", _IMAGE_DRIVER, str(path)])
    assert got.rc == 0, got.err
    result = json.loads(got.out)
    assert result["size"] == [4000, 4000] and result["thumb"] == [256, 256]
    assert result["resize"].startswith("Pillow reduce(2) (box average): 8000x8000 is over")
    assert got.peak_mb <= BOUND_MB, got.peak_mb


def test_large_jpeg_is_decoded_at_a_reduced_scale(tmp_path: Path) -> None:
    path = tmp_path / "large.jpg"
    make = "from PIL import Image; import sys; Image.new('RGB', (9000, 6000), (9, 99, 199)).save(sys.argv[1])"
    subprocess.run([sys.executable, "-c", make, str(path)], check=True, timeout=120)
    got = peak_rss([sys.executable, "-c", _IMAGE_DRIVER, str(path)])
    assert got.rc == 0, got.err
    result = json.loads(got.out)
    assert result["size"] == [4500, 3000]
    assert result["resize"].startswith("JPEG decoded at 1/2 scale (Pillow draft)")
    assert got.peak_mb <= 256, got.peak_mb  # 54 MP decoded at full size would need 216 MB more


def test_images_up_to_the_full_resolution_bound_hash_as_before() -> None:
    im = Image.new("RGB", (640, 480), (10, 20, 30))
    for x in range(0, 640, 40):
        im.paste((200, 100, 50), (x, 0, x + 20, 480))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    r = hash_image(buf.getvalue())
    assert r.preparation.resize == "none (full resolution)"
    import numpy as np

    from vigil.media.hashers.pdq import hash_rgb

    assert r.hash == hash_rgb(np.asarray(im, dtype=np.uint8))[0]


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L", "CMYK"])
def test_banded_reduction_matches_whole_image_reduction(mode: str) -> None:
    im = Image.effect_mandelbrot((1031, 777), (-2, -1.2, 1, 1.2), 60).convert(mode)
    from vigil.media import decoding

    old = decoding.BAND_PIXELS
    decoding.BAND_PIXELS = 1031 * 50  # many bands
    try:
        for factor in (1, 3, 7):
            got = rgb_reduced(im, factor)
            want = im.convert("RGB").reduce(factor) if factor > 1 else im.convert("RGB")
            assert got.tobytes() == want.tobytes(), (mode, factor)
    finally:
        decoding.BAND_PIXELS = old
