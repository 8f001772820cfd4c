"""SMS Backup & Restore XML: SMS and MMS, threads, owner, surrogate-pair emoji repair."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import sms_xml
from vigil.ingest.xmlsafe import RefRepair
from vigil.model import AttachmentStatus, Conversation, Message

PARSER = sms_xml.PARSER
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "sms" / "backup.xml"


def parse(data: bytes, name: str = "sms.xml") -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def by_source(convs: list[Conversation]) -> dict[str | None, Conversation]:
    return {c.source_id: c for c in convs}


def sms(body: str, *, date: str = "1715695200000", typ: str = "1", extra: str = "") -> str:
    return (
        f'<sms protocol="0" address="+447700900123" date="{date}" type="{typ}" '
        f'body="{body}" readable_date="14 May 2024" contact_name="Sam" {extra}/>'
    )


def smses(*records: str, count: int | None = None) -> bytes:
    n = len(records) if count is None else count
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="{n}">\n' + "\n".join(records) + "\n</smses>\n"
    ).encode()


@pytest.fixture(scope="module")
def fixture_convs() -> list[Conversation]:
    with FIXTURE.open("rb") as fh:
        return list(PARSER.parse(fh, FIXTURE.name, ParseOptions()))


def test_sniff() -> None:
    assert PARSER.sniff(FIXTURE.read_bytes()[:4096], "backup.xml").score >= 0.9
    no = PARSER.sniff(b'<?xml version="1.0"?><conversations/>', "x.xml")
    assert no.score == 0.0 and "smses" in no.reason


def test_fixture_threads_owner_and_participants(fixture_convs: list[Conversation]) -> None:
    convs = by_source(fixture_convs)
    # "+44 7700 900123" and "+447700900123" are the same thread; so are the two 07700 forms
    assert set(convs) == {"+447700900123", "07700900456", "+447700900123~+447700900789"}
    for conv in fixture_convs:
        owner = conv.participant("owner")
        assert owner is not None and owner.display_name == "device owner"
        assert conv.platform == "sms"
    coach = convs["+447700900123"]
    assert coach.title == "Sam Coach"
    p = coach.participant("+447700900123")
    assert p is not None and p.display_name == "Sam Coach"
    unknown = convs["07700900456"]
    assert unknown.title == "07700900456"  # "(Unknown)" contact name is not a name
    group = convs["+447700900123~+447700900789"]
    assert {p.platform_id for p in group.participants} == {
        "owner",
        "+447700900123",
        "+447700900789",
    }


def test_fixture_messages_times_and_senders(fixture_convs: list[Conversation]) -> None:
    coach = msgs(by_source(fixture_convs)["+447700900123"])
    # SMS at 14:00, 14:01, 14:02 and an MMS at 14:01:30, merged in time order
    assert [m.sent_at for m in coach] == [
        datetime(2024, 5, 14, 14, 0, tzinfo=UTC),
        datetime(2024, 5, 14, 14, 1, tzinfo=UTC),
        datetime(2024, 5, 14, 14, 1, 30, tzinfo=UTC),
        datetime(2024, 5, 14, 14, 2, tzinfo=UTC),
    ]
    assert [m.sender for m in coach] == ["+447700900123", "owner", "+447700900123", "+447700900123"]
    assert [m.source_location for m in coach] == ["line 5", "line 6", "line 10", "line 7"]
    assert all(m.tz_assumed == "UTC (epoch)" for m in coach)
    assert coach[0].local_time_text == "14 May 2024 15:00:00"
    assert coach[0].text == "Are you coming to football practice tonight? ⚽"
    assert coach[3].text == "Bring your boots\nand a water bottle"
    assert any("ordered by time" in n for n in by_source(fixture_convs)["+447700900123"].notes)


def test_surrogate_pair_emoji_repaired(fixture_convs: list[Conversation]) -> None:
    texts = [m.text for c in fixture_convs for m in msgs(c)]
    assert "Yes! See you at 6 😀" in texts
    assert "Pizza on Friday? 🍕" in texts
    assert "This is the new pitch 👍" in texts
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for t in texts for ch in t)
    assert any("3 character(s)" in n and "surrogate" in n for n in fixture_convs[0].notes)


def test_mms_parts_attachments_and_notes(fixture_convs: list[Conversation]) -> None:
    convs = by_source(fixture_convs)
    mms_in = msgs(convs["+447700900123"])[2]
    assert mms_in.source_id == "mms-0001@example.invalid"
    [img] = mms_in.attachments
    assert (img.file_name, img.mime_type, img.status) == (
        "pitch.jpg",
        "image/jpeg",
        AttachmentStatus.PRESENT,
    )
    assert img.size == 13  # "/9j/4AAQSkZJRgABAQ==" decodes to 13 bytes
    assert any("line 13" in n and "embedded" in n for n in convs["+447700900123"].notes)
    assert any("SMIL" in n for n in convs["+447700900123"].notes)
    sent, received = msgs(convs["+447700900123~+447700900789"])
    assert sent.sender == "owner"
    assert sent.text == "Subject: Homework\nPage 12, questions 1 to 5"
    [pdf] = sent.attachments
    assert (pdf.file_name, pdf.status) == ("worksheet.pdf", AttachmentStatus.OMITTED)
    assert received.sender == "+447700900789"  # from <addr type="137">
    assert received.attachments == []


def test_draft_is_noted(fixture_convs: list[Conversation]) -> None:
    conv = by_source(fixture_convs)["07700900456"]
    draft = msgs(conv)[1]
    assert draft.sender == "owner" and draft.text == "Maybe, I have homework"
    assert any("line 9" in n and "draft" in n for n in conv.notes)


def test_thread_id_groups_different_addresses() -> None:
    a = sms("one", extra='thread_id="7"')
    b = sms("two", extra='thread_id="7"').replace("+447700900123", "+447700900999")
    c = sms("three", extra='thread_id="8"')
    convs = parse(smses(a, b, c))
    assert [c.source_id for c in convs] == ["thread 7", "thread 8"]
    assert [m.text for m in msgs(convs[0])] == ["one", "two"]
    assert {p.platform_id for p in convs[0].participants} == {
        "owner",
        "+447700900123",
        "+447700900999",
    }


def test_bad_date_kept_with_note_and_seconds_detected() -> None:
    convs = parse(smses(sms("no date", date="soon"), sms("secs", date="1715695200")))
    secs, nodate = msgs(convs[0])  # timeless messages sort last
    assert nodate.sent_at is None and "no usable date" in (nodate.time_note or "")
    assert secs.sent_at == datetime(2024, 5, 14, 14, 0, tzinfo=UTC)
    assert "seconds" in (secs.time_note or "")


def test_count_mismatch_and_lone_surrogate_noted() -> None:
    convs = parse(smses(sms("half &#55357; an emoji"), count=3))
    [m] = msgs(convs[0])
    assert m.text == "half \ufffd an emoji"
    assert any("count=3" in n and "1 records" in n for n in convs[0].notes)
    assert any("unpaired surrogate" in n for n in convs[0].notes)


def test_wrong_root_is_refused() -> None:
    with pytest.raises(ParseError, match=r"calls\.xml, line 1.*root element is <calls>"):
        parse(b'<calls count="0"></calls>', "calls.xml")


def test_truncated_backup_names_line() -> None:
    data = smses(sms("one"), sms("two"))[:-30]
    with pytest.raises(ParseError, match=r"sms\.xml, line \d+, column \d+.*truncated"):
        parse(data)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31])
def test_ref_repair_across_chunk_boundaries(chunk: int) -> None:
    src = b"<a>x&#55357;&#56832;&#xD83C;&#xDF55;y&#56832;&#55357;z&#2;&#10;</a>"
    rep = RefRepair()
    out = b"".join(rep.feed(src[i : i + chunk]) for i in range(0, len(src), chunk)) + rep.flush()
    assert len(out) == len(src) + 4  # surrogates keep their length; "&#2;" becomes "&#65533;"
    assert rep.surrogate_pairs == 2 and rep.lone_surrogates == 2 and rep.bad_refs == 1
    assert out == b"<a>x&#0000000128512;&#0000000127829;y&#65533;&#65533;z&#65533;&#10;</a>"


def test_ref_repair_keeps_lines_and_offsets() -> None:
    src = b"<a>\n&#55357;&#56832;\n<b/></a>"
    rep = RefRepair()
    out = rep.feed(src) + rep.flush()
    assert len(out) == len(src) and out.count(b"\n") == 2
