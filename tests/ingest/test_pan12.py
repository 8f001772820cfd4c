"""PAN12 corpus XML and its predator-id list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions
from vigil.ingest.formats import pan12_xml
from vigil.ingest.formats.pan12_xml import apply_predator_ids, load_predator_ids
from vigil.model import Conversation, Message, ParticipantRole

PARSER = pan12_xml.PARSER
OWN = Path(__file__).resolve().parents[1] / "fixtures" / "chats" / "pan12"
A, B, C, D = (x * 4 for x in ("aaaa1111", "bbbb2222", "cccc3333", "dddd4444"))


def msgs(conv: Conversation) -> list[Message]:
    assert isinstance(conv.messages, list)
    return conv.messages


def parse(data: bytes) -> list[Conversation]:
    return list(PARSER.parse(io.BytesIO(data), "pan12.xml", ParseOptions()))


@pytest.fixture(scope="module")
def corpus() -> list[Conversation]:
    return parse((OWN / "corpus.xml").read_bytes())


def test_sniff() -> None:
    assert PARSER.sniff((OWN / "corpus.xml").read_bytes(), "corpus.xml").score >= 0.9
    assert PARSER.sniff(b"<smses count='1'><sms/></smses>", "x.xml").score == 0.0


def test_conversations_participants_and_messages(corpus: list[Conversation]) -> None:
    first, second = corpus
    assert (first.platform, first.source_id) == ("pan12", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    assert [p.platform_id for p in first.participants] == [A, B]
    assert [m.sender for m in msgs(first)] == [A, B, A]
    assert msgs(first)[1].text == "yes what a goal in the 90th minute & the crowd went wild"
    assert [m.source_id for m in msgs(second)] == ["1", "2", "4"]
    assert msgs(second)[1].text == ""  # <text/>
    assert msgs(second)[2].text == "question 4 is about\nfractions"
    assert [m.source_location for m in msgs(first)] == ["line 4", "line 9", "line 14"]


def test_clock_times_are_kept_but_not_converted(corpus: list[Conversation]) -> None:
    m = msgs(corpus[1])[1]
    assert m.sent_at is None and m.tz_assumed is None
    assert m.local_time_text == "00:01"
    assert m.time_note is not None and "no date" in m.time_note


def test_message_without_author_is_skipped_with_line(corpus: list[Conversation]) -> None:
    [skip] = corpus[1].skipped
    assert skip.source_location == "line 31"
    assert "no <author>" in skip.reason and skip.raw == "a message without an author"


def test_predator_ids_mark_suspects_without_changing_input(corpus: list[Conversation]) -> None:
    with (OWN / "predators.txt").open("rb") as fh:
        ids = load_predator_ids(fh)
    assert ids == {C}
    marked = list(apply_predator_ids(corpus, ids))
    roles = {p.platform_id: p.role for c in marked for p in c.participants}
    assert roles[C] is ParticipantRole.SUSPECT
    assert roles[A] is roles[B] is roles[D] is ParticipantRole.UNKNOWN
    original = corpus[1].participant(C)
    assert original is not None and original.role is ParticipantRole.UNKNOWN
    assert marked[1].messages is corpus[1].messages


def test_predator_list_bom_crlf_and_bad_bytes() -> None:
    assert load_predator_ids(io.BytesIO(b"\xef\xbb\xbfabc\r\n\r\ndef\n")) == {"abc", "def"}
    with pytest.raises(ParseError, match=r"predators\.txt, line 2"):
        load_predator_ids(io.BytesIO(b"abc\n\xff\xfe\n"), "predators.txt")


def test_control_characters_repaired_and_noted() -> None:
    data = (
        b"<conversations><conversation id='c1'><message line='1'><author>x</author>"
        b"<time>10:00</time><text>bell\x07 and &#27;escape</text></message>"
        b"</conversation></conversations>"
    )
    [conv] = parse(data)
    assert msgs(conv)[0].text == "bell? and \ufffdescape"
    assert any("raw control byte" in n for n in conv.notes)
    assert any("characters XML forbids" in n for n in conv.notes)


def test_stray_elements_are_recorded() -> None:
    data = b"<conversations><note>hi</note><conversation id='c1'/><extra/></conversations>"
    convs = parse(data)
    assert [s.source_location for s in convs[0].skipped] == ["line 1"]
    assert "unexpected element <note>" in convs[0].skipped[0].reason
    assert convs[-1].title == "(records outside any conversation)"
    assert "unexpected element <extra>" in convs[-1].skipped[0].reason


def test_wrong_root_is_refused() -> None:
    with pytest.raises(ParseError, match=r"pan12\.xml, line 1: root element is <project>"):
        parse(b"<project/>")
