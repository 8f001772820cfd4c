"""Discord's own data package (issue 19, item 4): zip and loose channel files, CSV and JSON.

The packages are synthetic (benign content), built in the layout Discord writes: account/,
messages/index.json, messages/c<ID>/channel.json + messages.csv (or the 2024 messages.json).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import Limits, ParseOptions, Parser
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.discord_package import OWNER, PARSER
from vigil.model import AttachmentStatus, Conversation, Message

DM, GUILD = "111111111111111111", "222222222222222222"
ME = "999999999999999999"
CSV_DM = (
    "ID,Timestamp,Contents,Attachments\n"
    "1003,2024-03-02 18:30:00.123000+00:00,see you at practice,\n"
    '1002,2024-03-02 18:00:00+00:00,"is training on, or cancelled?",'
    "https://cdn.discordapp.com/attachments/1/2/pitch.png\n"
    '1001,2024-03-01 09:00:00+00:00,"two\nlines",\n'
)
JSON_GUILD = [
    {
        "ID": 2002,
        "Timestamp": "2024-04-01 10:05:00",
        "Contents": "homework done?",
        "Attachments": "",
    },
    {"ID": 2001, "Timestamp": "2024-04-01 10:00:00", "Contents": "hi all", "Attachments": ""},
]


def package(**over: bytes | None) -> bytes:
    files: dict[str, bytes | None] = {
        "account/user.json": json.dumps(
            {"id": ME, "username": "sam_k", "global_name": "Sam"}
        ).encode(),
        "messages/index.json": json.dumps(
            {DM: "Direct Message with alex#0001", GUILD: "general in Football Club"}
        ).encode(),
        f"messages/c{DM}/channel.json": json.dumps(
            {"id": DM, "type": 1, "recipients": [ME, "333333333333333333"]}
        ).encode(),
        f"messages/c{DM}/messages.csv": CSV_DM.encode(),
        f"messages/c{GUILD}/channel.json": json.dumps(
            {
                "id": GUILD,
                "type": 0,
                "name": "general",
                "guild": {"id": "5", "name": "Football Club"},
            }
        ).encode(),
        f"messages/c{GUILD}/messages.json": json.dumps(JSON_GUILD).encode(),
    }
    files.update(over)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, data in files.items():
            if data is not None:
                zf.writestr(member, data)
    return buf.getvalue()


def parse(data: bytes, name: str = "package.zip") -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), name, ParseOptions()))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def test_protocol_and_registry() -> None:
    assert isinstance(PARSER, Parser)
    assert "discord_package" in [p.name for p in vigil_parsers()]


def test_zip_one_conversation_per_channel() -> None:
    dm, guild = parse(package())
    assert (dm.platform, dm.source_id, dm.title) == ("discord", DM, "Direct Message with alex#0001")
    assert (guild.source_id, guild.title) == (GUILD, "general in Football Club")
    d = msgs(dm)
    assert [m.source_id for m in d] == ["1001", "1002", "1003"]  # oldest first
    assert [m.text for m in d] == [
        "two\nlines",
        "is training on, or cancelled?",
        "see you at practice",
    ]
    assert d[0].sent_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert d[2].sent_at == datetime(2024, 3, 2, 18, 30, 0, 123000, tzinfo=UTC)
    assert d[2].local_time_text == "2024-03-02 18:30:00.123000+00:00"
    assert d[0].source_location == f"messages/c{DM}/messages.csv: line 4"
    (att,) = d[1].attachments
    assert (att.file_name, att.status) == ("pitch.png", AttachmentStatus.OMITTED)
    assert all(m.sender == ME for m in d)
    assert [(p.platform_id, p.display_name) for p in dm.participants] == [
        (ME, "Sam"),
        ("333333333333333333", None),
    ]
    assert any("only the package owner's own messages" in n and "Sam" in n for n in dm.notes)
    assert any("newest first" in n for n in dm.notes)


def test_2024_json_layout_and_naive_times_read_as_utc() -> None:
    _, guild = parse(package())
    g = msgs(guild)
    assert [m.text for m in g] == ["hi all", "homework done?"]
    assert g[0].sent_at == datetime(2024, 4, 1, 10, 0, tzinfo=UTC)
    assert g[0].source_location == f"messages/c{GUILD}/messages.json: $[1]"
    assert g[0].source_id == "2001" and g[0].tz_assumed == "UTC"
    assert any("2 Timestamp(s) have no UTC offset: read as UTC" in n for n in guild.notes)


def test_without_index_and_user_titles_from_channel_json() -> None:
    dm, guild = parse(package(**{"messages/index.json": None, "account/user.json": None}))
    assert dm.title is None and guild.title == "general in Football Club"
    assert all(m.sender == OWNER for m in msgs(dm))
    assert any("account/user.json is absent" in n for n in dm.notes)


def test_older_folders_without_c_and_bad_rows() -> None:
    csv_text = (
        "ID,Timestamp,Contents,Attachments\n5,not a time,hello,\n6,2024-01-01 00:00:00+00:00\n"
    )
    data = package(
        **{f"messages/c{DM}/messages.csv": None, f"messages/{DM}/messages.csv": csv_text.encode()}
    )
    dm = next(c for c in parse(data) if c.source_id == DM)
    (m,) = msgs(dm)
    assert m.sent_at is None and "unreadable Timestamp 'not a time'" in (m.time_note or "")
    (bad,) = dm.skipped
    assert bad.source_location == f"messages/{DM}/messages.csv: line 3"
    assert "2 fields, expected 4" in bad.reason


def test_unreadable_channel_file_is_a_skipped_record() -> None:
    data = package(**{f"messages/c{GUILD}/messages.json": b'[{"ID": 1,'})
    _, guild = parse(data)
    assert msgs(guild) == []
    (rec,) = guild.skipped
    assert rec.source_location == f"messages/c{GUILD}/messages.json"
    assert "unreadable channel file" in rec.reason


def test_unreadable_index_is_noted() -> None:
    dm, _ = parse(package(**{"messages/index.json": b"{oops"}))
    assert any(n.startswith("messages/index.json not read") for n in dm.notes)


def test_json_over_the_limit_is_skipped() -> None:
    options = ParseOptions(limits=Limits(max_json_bytes=50))
    data = package(**{f"messages/c{GUILD}/messages.json": json.dumps(JSON_GUILD * 5).encode()})
    _, guild = PARSER.parse(io.BytesIO(data), "package.zip", options)
    assert "VIGIL_MAX_JSON_BYTES" in guild.skipped[0].reason


def test_zip_without_channels_raises() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("account/user.json", "{}")
    with pytest.raises(ParseError, match="no messages/c<ID>/ folder"):
        parse(buf.getvalue())


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (CSV_DM.encode(), f"messages/c{DM}/messages.csv"),
        (json.dumps(JSON_GUILD).encode(), f"c{DM}/messages.json"),
    ],
)
def test_loose_channel_file(data: bytes, name: str) -> None:
    (conv,) = parse(data, name)
    assert conv.source_id == DM and conv.title is None
    assert len(msgs(conv)) in (2, 3)
    assert [p.platform_id for p in conv.participants] == [OWNER]
    assert any("a channel file on its own" in n for n in conv.notes)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (package(), "package.zip"),
        (CSV_DM.encode(), "messages.csv"),
        (json.dumps(JSON_GUILD).encode(), "messages.json"),
    ],
)
def test_detection_picks_the_package_parser(data: bytes, name: str) -> None:
    choice = detect(data[: 64 * 1024], name, vigil_parsers())
    assert choice.parser.name == "discord_package", choice.bids


def test_sniff_declines_other_files() -> None:
    assert PARSER.sniff(b"AuthorID,Author,Date,Content,Attachments,Reactions\n", "x.csv").score == 0
    assert PARSER.sniff(b'{"messages": []}', "result.json").score == 0
    assert PARSER.sniff(b"PK\x03\x04 nothing", "x.zip").score == 0


def test_sniff_empty_channel_and_other_arrays() -> None:
    assert PARSER.sniff(b"[]\n", "messages/c1/messages.json").score == 0.5
    assert PARSER.sniff(b"[]", "data.json").score == 0
    assert PARSER.sniff(b'[{"ID": 1, "name": "x"}]', "data.json").score == 0
    (conv,) = parse(b"[]", "messages/c1/messages.json")
    assert msgs(conv) == [] and conv.participants == []
