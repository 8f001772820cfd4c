"""Snapchat My Data HTML (chat_history.html, 2019-2022 downloads): tables read as the JSON.

Fixtures are built here in the structure of the HTML download Snapchat's "My Data" page gave
before JSON became the default, as described by people reading their downloads: ``index.html``
and ``html/chat_history.html``, whose lists (``Received Saved Chat History``, ``Sent Saved Chat
History``...) are each a heading and a ``<table>`` with a header row naming the fields of
``chat_history.json`` (``From``/``To``, ``Media Type``, ``Created``, ``Text``). Content is
synthetic and benign.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from tests.ingest.html_telegram_fixture import zipped

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.detect import detect
from vigil.ingest.formats import vigil_parsers
from vigil.ingest.formats.snapchat_html import PARSER
from vigil.model import AttachmentStatus, Conversation, Message


def table(heading: str, who: str, rows: list[tuple[str, ...]]) -> str:
    head = f"<tr><th><b>{who}</b></th><th><b>Media Type</b></th><th><b>Created</b></th><th><b>Text</b></th></tr>"
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n" for r in rows)
    return f"<h3>{heading}</h3>\n<table>\n{head}\n{body}</table>\n"


PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Chat History</title></head><body>'
    '<div class="leftpanel"><a href="../index.html">Home</a></div><div class="rightpanel">'
    "<h1>Chat History</h1>\n"
    + table(
        "Received Saved Chat History",
        "From",
        [
            ("jo_example", "TEXT", "2023-03-25 23:30:00 UTC", "how old are you?"),
            ("jo_example", "TEXT", "2023-03-26 01:10:00 UTC"),  # damaged: a cell missing
            ("pat_example", "TEXT", "2023-03-26 08:00:00 UTC", "football at 5?"),
        ],
    )
    + table(
        "Sent Saved Chat History",
        "To",
        [("jo_example", "TEXT", "2023-03-26 00:30:00 UTC", "14 why")],
    )
    + table(
        "Received Unsaved Chat History",
        "From",
        [("jo_example", "MEDIA", "2023-03-26 09:00:00 UTC", "")],
    )
    + "</div></body></html>"
).encode("utf-8")


def parse(data: bytes, name: str) -> list[Conversation]:
    options = ParseOptions(tz=ZoneInfo("Europe/London"), tz_source="--tz")
    return list(PARSER.parse(io.BytesIO(data), name, options))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "name"),
    [(PAGE, "chat_history.html"), (zipped({"mydata/html/chat_history.html": PAGE}), "mydata.zip")],
)
def test_tables_counts_times_and_locations(data: bytes, name: str) -> None:
    jo, pat = parse(data, name)
    ms = msgs(jo)
    assert (jo.platform, jo.title, pat.title) == ("snapchat", "jo_example", "pat_example")
    assert len(ms) == 3 and len(msgs(pat)) == 1
    assert [p.platform_id for p in jo.participants] == ["jo_example", "(account holder)"]
    # UTC in the file; a London --tz does not move them across the change to BST
    assert [m.sent_at for m in ms] == [
        utc(2023, 3, 25, 23, 30),
        utc(2023, 3, 26, 0, 30),
        utc(2023, 3, 26, 9, 0),
    ]
    assert ms[1].sender == "(account holder)" and ms[1].text == "14 why"
    assert [a.status for a in ms[2].attachments] == [AttachmentStatus.OMITTED]
    page = "mydata/html/chat_history.html" if name.endswith(".zip") else "chat_history.html"
    assert ms[0].source_location.startswith(
        f"{page}: table 'Received Saved Chat History', row 2 (line "
    )
    (bad,) = jo.skipped
    assert "row 3" in bad.source_location and "3 cell(s), the header 4" in bad.reason


@pytest.mark.parametrize(
    ("data", "name"),
    [(PAGE, "chat_history.html"), (zipped({"mydata/html/chat_history.html": PAGE}), "mydata.zip")],
)
def test_detection_picks_snapchat_html(data: bytes, name: str) -> None:
    assert detect(data[:65536], name, vigil_parsers()).parser.name == "snapchat_html"


def test_no_tables() -> None:
    with pytest.raises(ParseError, match="no table"):
        parse(b"<html><body><table><tr><td>x</td></tr></table></body></html>", "c.html")
    with pytest.raises(ParseError, match="no chat_history"):
        parse(zipped({"a.txt": b"x"}), "mydata.zip")
