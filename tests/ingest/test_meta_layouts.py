"""Meta's newer layouts (issue 19, item 4): Messenger's end-to-end-encrypted chat download
(2024) and Instagram's 2024 download. Synthetic, benign threads in the layouts Meta writes."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from vigil.ingest.base import ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.meta_json import E2EE_NOTE, PARSER
from vigil.model import AttachmentStatus, Conversation, Message

T0 = 1_709_280_000_000  # 2024-03-01 08:00:00 UTC


def at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def parse(data: bytes, name: str) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


E2EE = {
    "participants": ["Sam Kay", "Alex Lee"],
    "threadName": "Alex Lee",
    "messages": [
        {
            "isUnsent": False,
            "media": [],
            "reactions": [{"actor": "Sam Kay", "reaction": "👍"}],
            "senderName": "Alex Lee",
            "text": "Is football practice still at 5?",
            "timestamp": T0,
            "type": "text",
        },
        {
            "isUnsent": False,
            "media": [{"uri": "./media/pitch_map.jpg"}],
            "reactions": [],
            "senderName": "Sam Kay",
            "text": "",
            "timestamp": T0 + 60_000,
            "type": "media",
        },
        {
            "isUnsent": True,
            "media": [],
            "reactions": [],
            "senderName": "Alex Lee",
            "text": "",
            "timestamp": T0 + 120_000,
            "type": "text",
        },
        {
            "isUnsent": False,
            "media": [],
            "reactions": [],
            "senderName": "Sam Kay",
            "text": "Yes, bring water. Café after?",
            "timestamp": T0 + 180_000,
            "type": "text",
        },
    ],
}


def test_messenger_e2ee_layout() -> None:
    raw = json.dumps(E2EE, ensure_ascii=False).encode()
    (conv,) = parse(raw, "alex_lee_10.json")
    ms = msgs(conv)
    assert conv.platform == "facebook_messenger"
    assert conv.title == "Alex Lee"
    assert [p.platform_id for p in conv.participants] == ["Sam Kay", "Alex Lee"]
    assert [m.sender for m in ms] == ["Alex Lee", "Sam Kay", "Alex Lee", "Sam Kay"]
    assert ms[0].text == "Is football practice still at 5?"
    assert ms[0].sent_at == at(T0) and ms[0].local_time_text == str(T0)
    assert ms[0].reactions == [("Sam Kay", "👍")]
    (att,) = ms[1].attachments
    assert (att.file_name, att.status) == ("pitch_map.jpg", AttachmentStatus.MISSING)
    assert ms[2].is_deleted and ms[2].text == ""
    assert ms[3].text == "Yes, bring water. Café after?"  # proper UTF-8 is left alone
    assert ms[3].source_location == "$.messages[3]"
    assert E2EE_NOTE in conv.notes
    assert not conv.skipped


def test_messenger_e2ee_is_detected_as_meta() -> None:
    raw = json.dumps(E2EE).encode()
    choice = detect(raw, "chat.json", vigil_parsers())
    assert choice.parser.name == "meta_json", choice.bids
    assert "end-to-end" in choice.sniff.reason


def test_messenger_e2ee_newest_first_and_bad_entries() -> None:
    data = {**E2EE, "messages": [*E2EE["messages"][::-1], "not a message"]}
    (conv,) = parse(json.dumps(data).encode(), "t.json")
    assert [m.sent_at for m in msgs(conv)] == [at(T0 + k * 60_000) for k in range(4)]
    assert conv.skipped[0].source_location == "$.messages[4]"


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


INBOX = "your_instagram_activity/messages/inbox/alexlee_1234567890"
INSTAGRAM = {
    "participants": [{"name": _mojibake("Zoë")}, {"name": "sam.kay"}],
    "messages": [
        {
            "sender_name": "sam.kay",
            "timestamp_ms": T0 + 120_000,
            "share": {
                "link": "https://www.instagram.com/p/AbC123/",
                "share_text": _mojibake("Match day ⚽"),
                "original_content_owner": "footballclub",
            },
            "is_geoblocked_for_viewer": False,
            "is_unsent_image_by_messenger_kid_parent": False,
        },
        {
            "sender_name": _mojibake("Zoë"),
            "timestamp_ms": T0 + 60_000,
            "photos": [{"uri": f"{INBOX}/photos/4567.jpg", "creation_timestamp": 1709280060}],
            "is_geoblocked_for_viewer": False,
            "is_unsent_image_by_messenger_kid_parent": False,
        },
        {
            "sender_name": _mojibake("Zoë"),
            "timestamp_ms": T0,
            "content": _mojibake("Practice at 5? ❤"),
            "reactions": [
                {"reaction": _mojibake("❤"), "actor": "sam.kay", "timestamp": 1709280030}
            ],
            "is_geoblocked_for_viewer": False,
            "is_unsent_image_by_messenger_kid_parent": False,
        },
    ],
    "title": _mojibake("Zoë"),
    "is_still_participant": True,
    "thread_path": "inbox/alexlee_1234567890",
    "magic_words": [],
}


def _instagram_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{INBOX}/photos/4567.jpg", b"\xff\xd8 benign placeholder")
        zf.writestr(f"{INBOX}/message_1.json", json.dumps(INSTAGRAM))
        zf.writestr("personal_information/personal_information/personal_information.json", "{}")
    return buf.getvalue()


def test_instagram_2024_zip() -> None:
    data = _instagram_zip()
    choice = detect(data[: 64 * 1024], "instagram-sam.kay-2024-03-05.zip", vigil_parsers())
    assert choice.parser.name == "meta_json", choice.bids
    (conv,) = parse(data, "instagram-sam.kay-2024-03-05.zip")
    ms = msgs(conv)
    assert conv.platform == "instagram"
    assert (conv.title, conv.source_id) == ("Zoë", "inbox/alexlee_1234567890")
    assert [p.platform_id for p in conv.participants] == ["Zoë", "sam.kay"]
    assert [m.sent_at for m in ms] == [at(T0), at(T0 + 60_000), at(T0 + 120_000)]
    assert ms[0].text == "Practice at 5? ❤" and ms[0].reactions == [("sam.kay", "❤")]
    (photo,) = ms[1].attachments
    assert (photo.status, photo.source_path) == (
        AttachmentStatus.PRESENT,
        f"{INBOX}/photos/4567.jpg",
    )
    assert ms[2].text == "[shared from footballclub: Match day ⚽]"
    (link,) = ms[2].attachments
    assert link.source_path == "https://www.instagram.com/p/AbC123/"
    assert any(n.startswith("repaired latin-1 mojibake") for n in conv.notes)
    assert ms[0].source_location == f"{INBOX}/message_1.json: $.messages[2]"


def test_instagram_2024_loose_file() -> None:
    (conv,) = parse(json.dumps(INSTAGRAM).encode(), f"{INBOX}/message_1.json")
    assert conv.platform == "instagram"
    assert len(msgs(conv)) == 3
