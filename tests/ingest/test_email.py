"""E-mail: .eml and mbox, threads by Message-ID / In-Reply-To / References and subject.

Fixtures are built here with the standard library's ``email`` package in the structure RFC 5322
(messages), RFC 2045-2049 (MIME) and RFC 4155 (mbox: ``From `` separator lines, ``>From ``
escaping) define. Addresses use the reserved example domains; content is synthetic and benign.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import Limits, ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.eml import PARSER as EML
from vigil.ingest.formats.mbox import PARSER as MBOX
from vigil.model import AttachmentStatus, Conversation, Message

SAM = "Sam Carter <sam@example.com>"
ALEX = "Alex Lee <Alex@Example.org>"


def mail(
    sender: str,
    to: str,
    date: str | None,
    subject: str,
    body: str,
    ident: str | None,
    **headers: str,
) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, to, subject
    if date is not None:
        m["Date"] = date
    if ident is not None:
        m["Message-ID"] = ident
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m


def thread_a() -> list[EmailMessage]:
    first = mail(
        SAM,
        ALEX,
        "Sat, 25 Mar 2023 23:30:00 +0000",
        "Match",
        "how old are you?",
        "<a1@example.com>",
    )
    second = mail(
        ALEX,
        SAM,
        "Sun, 26 Mar 2023 02:10:00 +0100",
        "Re: Match",
        "From now on\nfine",
        "<a2@example.org>",
        In_Reply_To="<a1@example.com>",
    )
    third = mail(
        SAM,
        ALEX,
        "Sun, 26 Mar 2023 09:00:00 +0100",
        "Re: Match",
        "a photo for you",
        "<a3@example.com>",
        References="<a1@example.com> <a2@example.org>",
        Cc="Chris <chris@example.net>",
    )
    third.add_attachment(
        b"\xff\xd8\xff\xe0benign", maintype="image", subtype="jpeg", filename="cat.jpg"
    )
    return [first, second, third]


def thread_b() -> list[EmailMessage]:
    first = mail(
        SAM, ALEX, "Mon, 27 Mar 2023 10:00:00 +0100", "Homework", "did you finish it?", None
    )
    reply = mail(
        ALEX, SAM, "Mon, 27 Mar 2023 09:30:00 -0000", "RE: homework", "x", "<b2@example.org>"
    )
    reply.set_content("<html><body><p>yes</p><p>all <b>done</b></p></body></html>", subtype="html")
    return [first, reply]


def mbox(messages: list[EmailMessage], garbage: bool = True) -> bytes:
    out = io.BytesIO()
    for i, m in enumerate(messages):
        raw = m.as_bytes().replace(b"\nFrom now", b"\n>From now")
        out.write(b"From MAILER-DAEMON Sat Mar 25 23:30:00 2023\n" + raw.rstrip(b"\n") + b"\n\n")
        if garbage and i == 1:
            out.write(b"From nobody Sat Mar 25 23:31:00 2023\nthis entry is damaged\n\n")
    return out.getvalue()


def parse(
    parser: object, data: bytes, name: str, options: ParseOptions | None = None
) -> list[Conversation]:
    return list(parser.parse(io.BytesIO(data), name, options or ParseOptions()))  # type: ignore[attr-defined]


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def test_mbox_threads_counts_times_and_attachment() -> None:
    a, b = parse(MBOX, mbox(thread_a() + thread_b()), "Inbox.mbox")
    ma, mb = msgs(a), msgs(b)
    assert (a.platform, a.title, a.source_id) == ("email", "Match", "<a1@example.com>")
    assert len(ma) == 3 and len(mb) == 2
    assert [p.platform_id for p in a.participants] == [
        "sam@example.com",
        "alex@example.org",
        "chris@example.net",
    ]
    assert [m.sender for m in ma] == ["sam@example.com", "alex@example.org", "sam@example.com"]
    # offsets in the Date headers, across the change from GMT to BST (26 March 2023)
    assert [m.sent_at for m in ma] == [
        utc(2023, 3, 25, 23, 30),
        utc(2023, 3, 26, 1, 10),
        utc(2023, 3, 26, 8, 0),
    ]
    assert ma[0].tz_assumed == "offset in source"
    assert ma[1].text == "From now on\nfine"  # mbox '>From ' escape undone
    assert ma[1].reply_to == "<a1@example.com>" and ma[2].reply_to == "<a2@example.org>"
    (att,) = [x for m in ma for x in m.attachments]
    assert (att.file_name, att.mime_type, att.size, att.status) == (
        "cat.jpg",
        "image/jpeg",
        10,
        AttachmentStatus.PRESENT,
    )
    assert att.source_path is not None and att.source_path.endswith(", part 1")
    assert any("registers each part's decoded bytes" in n for n in a.notes)
    # the reply without In-Reply-To joins by subject; HTML body read as text; -0000 as UTC
    assert b.title == "Homework" and [m.text for m in mb] == ["did you finish it?", "yes\nall done"]
    assert mb[0].sent_at == utc(2023, 3, 27, 9, 0) and mb[1].sent_at == utc(2023, 3, 27, 9, 30)
    assert "-0000" in (mb[1].time_note or "") and mb[1].tz_assumed == "UTC (Date -0000)"
    (bad,) = a.skipped
    assert bad.source_location.startswith("message at line ")
    assert "no From, Date or Message-ID" in bad.reason


def test_eml_single_message_and_detection() -> None:
    data = thread_a()[2].as_bytes()
    choice = detect(data, "photo.eml", vigil_parsers())
    assert choice.parser.name == "eml", choice.bids
    (conv,) = parse(EML, data, "photo.eml")
    (m,) = msgs(conv)
    assert conv.title == "Match" and len(conv.participants) == 3
    assert m.sent_at == utc(2023, 3, 26, 8, 0) and len(m.attachments) == 1
    assert detect(data, "message", vigil_parsers()).parser.name == "eml"


def test_mbox_detection_and_limits() -> None:
    data = mbox(thread_a(), garbage=False)
    assert (
        detect(data, "All mail Including Spam and Trash.mbox", vigil_parsers()).parser.name
        == "mbox"
    )
    assert detect(data, "mailbox", vigil_parsers()).parser.name == "mbox"
    (conv,) = parse(MBOX, data, "x.mbox", ParseOptions(limits=Limits(max_json_bytes=400)))
    assert (len(msgs(conv)), len(conv.skipped)) == (2, 1)
    assert any("over the 400-byte limit" in s.reason for s in conv.skipped)


def test_bad_input() -> None:
    with pytest.raises(ParseError, match="before the first 'From ' line"):
        parse(MBOX, b"hello\nFrom x\n", "x.mbox")
    with pytest.raises(ParseError, match="empty"):
        parse(EML, b"\n\n", "x.eml")
    with pytest.raises(ParseError, match="no From, Date or Message-ID"):
        parse(EML, b"Subject: hi\n\nbody\n", "x.eml")
