"""Cellebrite UFDR: bare report.xml, .ufdr zip with attachments, streaming in bounded memory."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import ufdr
from vigil.model import AttachmentStatus, Conversation, Message

PARSER = ufdr.PARSER
REPORT = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "ufdr" / "report.xml"
LONDON = ParseOptions(tz=ZoneInfo("Europe/London"), tz_source="--tz")


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def parse_bytes(
    data: bytes, name: str = "report.xml", options: ParseOptions = LONDON
) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, options))


def make_ufdr(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def parse_path(path: Path) -> list[Conversation]:
    with path.open("rb") as fh:
        return list(PARSER.parse(fh, path.name, LONDON))


@pytest.fixture(scope="module")
def bare() -> list[Conversation]:
    return parse_bytes(REPORT.read_bytes())


def test_sniff(tmp_path: Path) -> None:
    assert PARSER.sniff(REPORT.read_bytes()[:65536], "report.xml").score >= 0.9
    z = make_ufdr(tmp_path / "phone.ufdr", {"report.xml": b"<project/>"})
    head = z.read_bytes()[:65536]
    assert PARSER.sniff(head, "phone.ufdr").score >= 0.9
    assert PARSER.sniff(head, "phone.zip").score == pytest.approx(0.6)
    other = make_ufdr(tmp_path / "x.zip", {"chat.txt": b"hello"}).read_bytes()
    assert PARSER.sniff(other, "x.zip").score == 0.0
    assert PARSER.sniff(b"<smses count='0'/>", "sms.xml").score == 0.0


def test_chats_participants_and_owner(bare: list[Conversation]) -> None:
    wa, tg = bare
    assert (wa.platform, wa.title, wa.source_id) == (
        "whatsapp",
        None,
        "447700900123@s.whatsapp.net",
    )
    assert (tg.platform, tg.title, tg.source_id) == ("telegram", "Homework club", "-1001234")
    owner = wa.participant("447700900999@s.whatsapp.net")
    assert owner is not None and owner.display_name == "Alex"
    assert any("447700900999@s.whatsapp.net is the phone owner" in n for n in wa.notes)
    # a From party not listed among the chat's Participants is still added
    assert [p.platform_id for p in tg.participants] == ["5550001", "5550002"]
    kim = tg.participant("5550002")
    assert kim is not None and kim.display_name == "Kim"


def test_messages_bodies_times_and_locations(bare: list[Conversation]) -> None:
    wa = msgs(bare[0])
    assert len(wa) == 5
    assert [m.sender for m in wa] == [
        "447700900123@s.whatsapp.net",
        "447700900999@s.whatsapp.net",
        "447700900123@s.whatsapp.net",
        "447700900123@s.whatsapp.net",
        "447700900999@s.whatsapp.net",
    ]
    assert wa[1].text == "Yes! See you at 6 😀\nI'll bring the ball"
    assert wa[0].sent_at == datetime(2024, 5, 14, 14, 0, tzinfo=UTC)
    assert wa[0].local_time_text == "2024-05-14T15:00:00.000+01:00"
    assert wa[0].tz_assumed == "offset in source"
    assert (wa[0].source_id, wa[2].source_id) == ("3EB0A1", "m-0003")
    assert wa[0].source_location == "line 56"
    assert wa[4].sent_at is None and wa[4].time_note == "the report gives no timestamp"


def test_deleted_state(bare: list[Conversation]) -> None:
    wa = msgs(bare[0])
    assert [m.is_deleted for m in wa] == [False, False, False, True, False]
    assert any("line 121" in n and "'Trash'" in n for n in bare[0].notes)


def test_old_timestamp_form_and_naive_time_uses_tz(bare: list[Conversation]) -> None:
    tg = msgs(bare[1])
    # "14/05/2024 17:02:00(UTC+1)"
    assert tg[1].sent_at == datetime(2024, 5, 14, 16, 2, tzinfo=UTC)
    # "2024-05-14 16:01:00" carries no offset: read in Europe/London (BST) as given by --tz
    assert tg[2].sent_at == datetime(2024, 5, 14, 15, 1, tzinfo=UTC)
    assert tg[2].tz_assumed == "Europe/London (--tz)"
    assert tg[2].sender is None
    assert any("line 163" in n and "no From party" in n for n in bare[1].notes)


def test_bare_report_attachments_missing(bare: list[Conversation]) -> None:
    [pitch] = msgs(bare[0])[2].attachments
    assert (pitch.file_name, pitch.mime_type, pitch.status) == (
        "pitch.jpg",
        "image/jpeg",
        AttachmentStatus.MISSING,
    )
    assert pitch.size == 20 and pitch.source_path is None
    assert any("without its .ufdr container" in n for n in bare[0].notes)


def test_ufdr_zip_links_attachment_files(tmp_path: Path) -> None:
    path = make_ufdr(
        tmp_path / "phone.ufdr",
        {
            "report.xml": REPORT.read_bytes(),
            "files/Image/pitch.jpg": b"\xff\xd8\xff\xe0synthetic-jpeg\xff\xd9",
            "files/Other/unrelated.bin": b"x",
        },
    )
    wa, tg = parse_path(path)
    [pitch] = msgs(wa)[2].attachments
    assert pitch.status is AttachmentStatus.PRESENT
    assert pitch.source_path == "files/Image/pitch.jpg"  # Local Path "files\Image\pitch.jpg"
    [notes] = msgs(wa)[3].attachments
    assert notes.status is AttachmentStatus.MISSING and notes.source_path is None
    assert any(
        "notes.pdf (on the device: /private/var/mobile/" in n and "not in the container" in n
        for n in wa.notes
    )
    assert not any("without its .ufdr container" in n for n in wa.notes)
    assert len(msgs(tg)) == 3


def test_report_in_a_subfolder_and_attachment_without_link(tmp_path: Path) -> None:
    xml = REPORT.read_text(encoding="utf-8").replace(
        '<jumptargets>\n                  <targetid ismodel="false">f-0001</targetid>\n'
        "                </jumptargets>",
        "",
    )
    path = make_ufdr(tmp_path / "p.ufdr", {"Report/report.xml": xml.encode()})
    wa, _ = parse_path(path)
    [pitch] = msgs(wa)[2].attachments
    assert pitch.status is AttachmentStatus.OMITTED  # named, but no file link at all


def test_file_id_unknown_when_tagged_files_come_late() -> None:
    xml = REPORT.read_text(encoding="utf-8")
    start, end = (
        xml.index("  <taggedFiles>"),
        xml.index("  </taggedFiles>") + len("  </taggedFiles>\n"),
    )
    tagged = xml[start:end]
    moved = xml[:start] + xml[end:].replace("</project>", tagged + "</project>")
    wa, _ = parse_bytes(moved.encode())
    [pitch] = msgs(wa)[2].attachments
    assert pitch.status is AttachmentStatus.MISSING
    assert any("file id f-0001 is not in taggedFiles" in n for n in wa.notes)


def test_zip_without_report_is_refused(tmp_path: Path) -> None:
    path = make_ufdr(tmp_path / "empty.ufdr", {"files/a.jpg": b"x"})
    with pytest.raises(ParseError, match=r"empty\.ufdr: the container holds no report\.xml"):
        parse_path(path)


def test_wrong_root_is_refused() -> None:
    with pytest.raises(ParseError, match=r"line 1: root element is <smses>"):
        parse_bytes(b"<smses count='0'/>")


def test_corrupt_member_is_a_parse_error(tmp_path: Path) -> None:
    path = make_ufdr(tmp_path / "c.ufdr", {"report.xml": REPORT.read_bytes()})
    data = bytearray(path.read_bytes())
    # flip bytes inside the compressed report so inflation or the CRC check fails
    mid = 30 + len("report.xml") + 200
    data[mid : mid + 40] = bytes(b ^ 0x5A for b in data[mid : mid + 40])
    with pytest.raises(ParseError, match=r"c\.ufdr"):
        list(PARSER.parse(io.BytesIO(bytes(data)), "c.ufdr", LONDON))


_MSG = (
    '<model type="InstantMessage" id="m{i}" deleted_state="Intact">'
    '<modelField name="From" type="Party"><model type="Party" id="p{i}" deleted_state="Intact">'
    '<field name="Identifier" type="String"><value type="String"><![CDATA[user{k}]]></value>'
    "</field></model></modelField>"
    '<field name="Body" type="String"><value type="String"><![CDATA[lorem ipsum {i}]]></value>'
    '</field><field name="TimeStamp" type="TimeStamp"><value type="TimeStamp">'
    "<![CDATA[2024-05-14T15:00:00.000+01:00]]></value></field></model>\n"
)


def _big_report(chats: int, per_chat: int) -> bytes:
    out = ['<?xml version="1.0"?>\n<project xmlns="http://pa.cellebrite.com/report/2.0">']
    out.append('<decodedData><modelType type="Contact">')
    out += [
        f'<model type="Contact" id="c{i}"><field name="Name" type="String">'
        f'<value type="String">n{i}</value></field></model>\n'
        for i in range(chats * 5)
    ]
    out.append('</modelType><modelType type="Chat">')
    for c in range(chats):
        out.append(f'<model type="Chat" id="chat{c}"><multiModelField name="Messages">')
        out += [_MSG.format(i=c * per_chat + j, k=j % 2) for j in range(per_chat)]
        out.append("</multiModelField></model>\n")
    out.append("</modelType></decodedData></project>\n")
    return "".join(out).encode()


def _peak(data: bytes) -> tuple[int, int]:
    count = 0
    tracemalloc.start()
    try:
        for conv in PARSER.parse(io.BytesIO(data), "big.xml", ParseOptions()):
            count += len(msgs(conv))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_streams_in_bounded_memory() -> None:
    small, large = _big_report(chats=40, per_chat=10), _big_report(chats=320, per_chat=10)
    assert len(large) > 8 * 200_000
    n_small, peak_small = _peak(small)
    n_large, peak_large = _peak(large)
    assert (n_small, n_large) == (400, 3200)
    # eight times the input, about the same memory: one chat and one chunk at a time
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)
