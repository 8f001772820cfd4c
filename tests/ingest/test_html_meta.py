"""Facebook / Instagram HTML download: pages merged, newest-first order fixed, media, DST."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from tests.ingest import html_meta_fixture as fx
from tests.ingest.html_telegram_fixture import zipped

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.meta_html import PARSER
from vigil.model import AttachmentStatus, Conversation, Message

LONDON = ParseOptions(tz=ZoneInfo("Europe/London"), tz_source="--tz")


def parse(data: bytes, name: str, options: ParseOptions = LONDON) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, options))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


def test_instagram_zip_counts_order_times_and_media() -> None:
    conv, other = parse(fx.zipped_download(), "instagram-sam-2023-03-27.zip")
    ms = msgs(conv)
    assert conv.platform == "instagram" and conv.title == "Alex Lee"
    assert conv.source_id == fx.INBOX.rstrip("/")
    assert len(ms) == 5
    assert [p.platform_id for p in conv.participants] == ["Sam Carter", "Alex Lee"]
    assert [m.text for m in ms] == [
        "hi there\nhow are you",
        "hello & welcome",
        "what school are you at?",
        "",
        "keep this between us",
    ]
    # local times in Europe/London across the change from GMT to BST (26 March 2023, 01:00)
    assert [m.sent_at for m in ms] == [
        utc(2023, 3, 25, 23, 30),
        utc(2023, 3, 25, 23, 59),
        utc(2023, 3, 26, 0, 30),
        utc(2023, 3, 26, 1, 10),
        utc(2023, 3, 26, 8, 0),
    ]
    assert ms[0].tz_assumed == "Europe/London"
    assert ms[0].local_time_text == "Mar 25, 2023 11:30:00 pm"
    (att,) = ms[3].attachments
    assert att.status == AttachmentStatus.PRESENT
    assert att.source_path == fx.INBOX + "photos/1001.jpg" and att.file_name == "1001.jpg"
    assert sum(len(m.attachments) for m in ms) == 1
    (bad,) = conv.skipped
    assert bad.source_location.startswith(fx.INBOX + "message_1.html: line ")
    assert "1 part(s), not 3" in bad.reason
    assert any("newest first" in n for n in conv.notes)
    assert any("merged from 2 page(s)" in n for n in conv.notes)
    assert any("5 message time(s) are local" in n and "--tz" in n for n in conv.notes)
    # the older (2019-2021) markup in the same download
    (m,) = msgs(other)
    assert (other.title, m.sender, m.text) == ("Chris", "Chris", "see you at practice")
    assert m.sent_at == utc(2023, 1, 5, 18, 0)


def test_single_page_classic_markup_and_gap_in_dst() -> None:
    raw = fx.page(
        "Alex Lee",
        [
            fx.box("Alex Lee", "later", "Mar 26, 2023, 1:30 AM", new=False),
            fx.box("Sam Carter", "earlier", "Mar 25, 2023, 10:00 PM", new=False),
        ],
    )
    (conv,) = parse(raw, "message_1.html")
    ms = msgs(conv)
    assert [m.text for m in ms] == ["earlier", "later"]
    assert conv.platform == "meta"
    assert "DST gap" in (ms[1].time_note or "")
    assert ms[1].sent_at == utc(2023, 3, 26, 1, 30)  # read with the earlier offset (GMT)
    assert ms[0].sent_at == utc(2023, 3, 25, 22, 0)


def test_bare_page_media_missing_and_unreadable_time_kept() -> None:
    raw = fx.page(
        "x",
        [fx.box("Sam Carter", "look", "sometime", fx.photo("messages/inbox/x/photos/1.jpg"))],
    )
    (conv,) = parse(raw, "facebook-sam/message_1.html")
    (m,) = msgs(conv)
    assert conv.platform == "facebook_messenger"
    assert m.sent_at is None and "unreadable time" in (m.time_note or "")
    assert [a.status for a in m.attachments] == [AttachmentStatus.MISSING]
    assert any("held only when" in n for n in conv.notes)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (fx.zipped_download(), "instagram-sam-2023-03-27.zip"),
        (fx.instagram_download()[fx.INBOX + "message_1.html"], "message_1.html"),
        (fx.instagram_download()[fx.INBOX + "message_1.html"], "chat.html"),
    ],
)
def test_detection_picks_meta_html(data: bytes, name: str) -> None:
    choice = detect(data[: 64 * 1024], name, vigil_parsers())
    assert choice.parser.name == "meta_html", choice.bids


def test_broken_pages() -> None:
    with pytest.raises(ParseError, match="no message boxes"):
        parse(b"<html><body><p>nothing</p></body></html>", "message_1.html")
    with pytest.raises(ParseError, match=r"no message_N\.html"):
        parse(zipped({"a/b.txt": b"x"}), "x.zip")
    files = {"inbox/a/message_1.html": b"\xc3\x28 bad utf-8"}
    (conv,) = parse(zipped(files), "facebook.zip")
    assert conv.platform == "facebook_messenger" and not msgs(conv)
    assert conv.skipped[0].source_location == "inbox/a/message_1.html"
