"""Generic CSV / JSON-lines tables with a column mapping."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vigil.errors import ParseError, UserError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import generic
from vigil.ingest.formats.generic import load_mapping_yaml
from vigil.model import Conversation, Message

PARSER = generic.PARSER
OWN = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "generic"
LONDON = ZoneInfo("Europe/London")
JSONL_MAP = {
    "sender": "author.name",
    "text": "content",
    "time": "ts",
    "time_format": "epoch_ms",
    "message_id": "id",
}


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def parse(
    data: bytes, mapping: dict[str, str] | None = None, name: str = "t.csv"
) -> list[Conversation]:
    opts = ParseOptions(tz=LONDON, tz_source="--tz", mapping=mapping or {})
    return list(PARSER.parse(io.BytesIO(data), name, opts))


@pytest.fixture(scope="module")
def csv_convs() -> list[Conversation]:
    mapping = load_mapping_yaml((OWN / "mapping.yaml").read_text(encoding="utf-8"))
    return parse((OWN / "chat.csv").read_bytes(), mapping, "chat.csv")


def test_load_mapping_yaml_fixture() -> None:
    mapping = load_mapping_yaml((OWN / "mapping.yaml").read_text(encoding="utf-8"))
    assert mapping == {
        "sender": "from",
        "text": "body",
        "time": "when",
        "time_format": "%Y-%m-%d %H:%M:%S",
        "conversation": "thread",
        "message_id": "msg_id",
        "reply_to": "reply",
        "recipient": "to",
        "platform": "test-chat",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sender: a\ntext: b\n", "lacks time"),
        ("sender: a\ntext: b\ntime: c\ncolour: red\n", "unknown column-mapping key"),
        ("sender:\n  column: a\n", "line 1: key 'sender' has no value"),
        ("sender: a\n  nested: b\n", "line 2: indented"),
        ("sender: a\nsender: b\n", "line 2: key 'sender' given twice"),
        ("- sender\n", "line 1: expected 'key: value'"),
        ('sender: "a\\qb"\n', "line 1: unsupported escape"),
        ("sender: [a, b]\n", r"line 1: value '\[a, b\]' is not a plain"),
    ],
)
def test_load_mapping_yaml_refuses(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        load_mapping_yaml(text)


def test_load_mapping_yaml_quotes_and_comments() -> None:
    text = "---\nsender: 'Sender # name'  # the author\ntext: \"Body\\tText\"\ntime: it's\n"
    assert load_mapping_yaml(text) == {
        "sender": "Sender # name",
        "text": "Body\tText",
        "time": "it's",
    }


def test_csv_grouping_participants_and_messages(csv_convs: list[Conversation]) -> None:
    club, homework = csv_convs
    assert (club.platform, club.source_id, homework.source_id) == ("test-chat", "club", "homework")
    assert [p.platform_id for p in club.participants] == ["sam", "alex"]
    m1, m2 = msgs(club)
    assert (m1.sender, m1.source_id, m1.source_location) == ("sam", "1", "line 2")
    assert m2.text == "Yes! See you at 6\nI'll bring the ball"
    assert (m2.reply_to, m2.source_location) == ("1", "line 3")
    [hw] = msgs(homework)
    assert hw.text == "Page 12, questions 1 to 5"
    assert hw.source_location == "line 5"  # after the two-line quoted field


def test_csv_local_time_uses_tz(csv_convs: list[Conversation]) -> None:
    m = msgs(csv_convs[0])[0]
    assert m.sent_at == datetime(2024, 5, 14, 14, 0, tzinfo=UTC)  # 15:00 BST
    assert m.local_time_text == "2024-05-14 15:00:00"
    assert m.tz_assumed == "Europe/London (--tz)"


def test_csv_bad_rows_skipped_with_line_and_reason(csv_convs: list[Conversation]) -> None:
    club, homework = csv_convs
    assert [(s.source_location, s.reason.split(" ")[0]) for s in club.skipped] == [
        ("line 6", "bad"),
        ("line 7", "missing"),
        ("line 9", "row"),
    ]
    assert "bad time 'not a time'" in club.skipped[0].reason
    assert club.skipped[1].reason == "missing sender"
    assert club.skipped[2].reason == "row has 4 fields, the header has 7"
    assert club.skipped[2].raw == "7,club,2024-05-14 15:04:00,sam"
    [tz_row] = homework.skipped  # "+02:00" does not fit the mapped strptime format
    assert tz_row.source_location == "line 8" and "does not match" in tz_row.reason


def test_jsonl_with_dotted_paths_and_epoch_ms() -> None:
    [conv] = parse((OWN / "chat.jsonl").read_bytes(), JSONL_MAP, "chat.jsonl")
    assert conv.platform == "generic" and conv.source_id is None
    assert [(m.sender, m.source_id, m.source_location) for m in msgs(conv)] == [
        ("kim", "a1", "line 1"),
        ("lee", "a2", "line 2"),
        ("kim", "a4", "line 6"),
    ]
    assert msgs(conv)[0].sent_at == datetime(2024, 5, 14, 14, 0, tzinfo=UTC)
    assert msgs(conv)[0].tz_assumed == "UTC (epoch)"
    assert msgs(conv)[2].text == ""  # present but empty text is kept
    reasons = {s.source_location: s.reason for s in conv.skipped}
    assert reasons["line 3"].startswith("invalid JSON at column 1")
    assert reasons["line 4"] == "a JSON list, not an object"
    assert reasons["line 5"] == "missing time"


def test_guessed_mapping_is_noted_and_iso_offsets_read() -> None:
    data = (
        b"Author;Message;Timestamp\n"
        b"kim;hello;2024-05-14T15:00:00+02:00\n"
        b"lee;hi;2024-05-14T15:00:00Z\n"
    )
    [conv] = parse(data)
    assert any("Author" in n and "no column mapping given" in n for n in conv.notes)
    assert [m.sent_at for m in msgs(conv)] == [
        datetime(2024, 5, 14, 13, 0, tzinfo=UTC),
        datetime(2024, 5, 14, 15, 0, tzinfo=UTC),
    ]
    assert msgs(conv)[0].tz_assumed == "offset in source"


def test_strptime_with_offset() -> None:
    data = b"who,what,at\nkim,hi,14/05/2024 15:00 +0200\n"
    mapping = {"sender": "who", "text": "what", "time": "at", "time_format": "%d/%m/%Y %H:%M %z"}
    [conv] = parse(data, mapping)
    assert msgs(conv)[0].sent_at == datetime(2024, 5, 14, 13, 0, tzinfo=UTC)


def test_title_column_and_recipient() -> None:
    data = b"from,to,text,time,room,name\nkim,lee,hi,2024-01-01T10:00:00,r1,Pizza club\n"
    mapping = {
        "sender": "from",
        "recipient": "to",
        "text": "text",
        "time": "time",
        "conversation": "room",
        "title": "name",
    }
    [conv] = parse(data, mapping)
    assert conv.title == "Pizza club" and conv.source_id == "r1"
    assert [p.platform_id for p in conv.participants] == ["kim", "lee"]
    assert msgs(conv)[0].sent_at == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)  # GMT in January


def test_no_mapping_and_no_obvious_columns_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"t\.csv, line 1: no column mapping given"):
        parse(b"a,b,c\n1,2,3\n")


def test_mapped_column_absent_from_header() -> None:
    with pytest.raises(ParseError, match=r"mapped column\(s\) 'body' not in the header"):
        parse(b"from,text,time\n", {"sender": "from", "text": "body", "time": "time"})


def test_bad_mapping_key_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown column-mapping key"):
        parse(b"a,b,c\n", {"sender": "a", "text": "b", "time": "c", "colour": "x"})


def test_undecodable_bytes_noted_with_offset() -> None:
    data = b"sender,text,time\nkim,caf\xe9,2024-01-01T10:00:00\n"
    [conv] = parse(data)
    assert msgs(conv)[0].text == "caf\ufffd"
    assert any("line 2: undecodable byte at offset 24" in n for n in conv.notes)


def test_binary_and_empty_input() -> None:
    with pytest.raises(ParseError, match=r"t\.csv, line 1, offset 3: binary data"):
        parse(b"abc\x00\x01\x02")
    with pytest.raises(ParseError, match="file is empty"):
        parse(b"\n\n")


def test_all_rows_bad_still_yields_the_skips() -> None:
    [conv] = parse(b"sender,text,time\nkim,hi,yesterday\n")
    assert msgs(conv) == []
    assert conv.skipped[0].source_location == "line 2"


def test_sniff_scores_low_and_explains() -> None:
    yes = PARSER.sniff(b"sender,text,timestamp\nkim,hi,2024-01-01\n", "x.csv")
    assert 0.0 < yes.score <= 0.3 and "sender=sender" in yes.reason
    jsonl = PARSER.sniff(b'{"author": "kim", "message": "hi", "date": "2024"}\n', "x.jsonl")
    assert 0.0 < jsonl.score <= 0.3 and "JSON lines" in jsonl.reason
    no = PARSER.sniff(b"a,b,c\n1,2,3\n", "x.csv")
    assert no.score == 0.0 and "mapping" in no.reason
    assert PARSER.sniff(b"\x00\x01\x02", "x.bin").score == 0.0
