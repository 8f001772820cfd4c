"""PAN 2012 Sexual Predator Identification corpus XML, for research and evaluation.

Layout: ``<conversations><conversation id=..><message line=..><author>hash</author>
<time>HH:MM</time><text>..</text></message>...</conversation>...</conversations>``. The corpus
gives only a clock time without a date, so ``sent_at`` stays None, the ``HH:MM`` text is kept in
``local_time_text`` and ``time_note`` says why; messages keep file order.

The predator list that ships with the corpus (one author id per line) is read by
:func:`load_predator_ids` from a stream the caller opened, and :func:`apply_predator_ids` marks
those authors as suspects without changing its input. The corpus holds stray control
characters that XML forbids; they are replaced by ``?`` and counted in a note.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import MAX_MESSAGE_BYTES, ParseOptions, Sniff
from vigil.ingest.lines import Cut, bounded_lines
from vigil.ingest.xmlsafe import Node, RefRepair, XmlReader, read_chunks
from vigil.model import Conversation, Message, Participant, ParticipantRole, SkippedRecord

PLATFORM = "pan12"
TIME_NOTE = "PAN12 gives only the clock time (HH:MM) with no date or zone; no UTC time is stored"


def _conversation(node: Node) -> Conversation:
    cid = node.get("id")
    conv = Conversation(platform=PLATFORM, title=None, source_id=cid)
    if not cid:
        conv.notes.append(f"line {node.line}: conversation has no id attribute")
    messages: list[Message] = []
    for m in node.children:
        if m.tag != "message":
            conv.skipped.append(
                SkippedRecord(f"line {m.line}", f"unexpected element <{m.tag}> in a conversation")
            )
            continue
        author_node = m.child("author")
        author = author_node.text.strip() if author_node is not None else ""
        if not author:
            text_node = m.child("text")
            conv.skipped.append(
                SkippedRecord(
                    f"line {m.line}",
                    "message has no <author>",
                    raw=text_node.text if text_node is not None else None,
                )
            )
            continue
        if conv.participant(author) is None:
            conv.participants.append(Participant(author))
        time_node = m.child("time")
        clock = time_node.text.strip() if time_node is not None else ""
        text_node = m.child("text")
        msg = Message(
            author,
            text_node.text if text_node is not None else "",
            None,
            f"line {m.line}",
            local_time_text=clock or None,
            source_id=m.get("line"),
            time_note=TIME_NOTE if clock else "PAN12 message has no <time>",
        )
        messages.append(msg)
    conv.messages = messages
    return conv


class Pan12Parser:
    """Parser for the PAN 2012 sexual predator identification corpus XML."""

    name = "pan12_xml"
    description = "PAN 2012 Sexual Predator Identification corpus XML (research data)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if b"<conversations" in head and b"<conversation " in head and b"<author>" in head:
            return Sniff(0.9, "<conversations>/<conversation>/<message><author> as in PAN12")
        if b"<conversations" in head and b"<conversation" in head:
            return Sniff(0.5, "<conversations> root with <conversation> elements")
        return Sniff(0.0, "no <conversations> root with <conversation> elements")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        repair = RefRepair(control_bytes=True)
        reader = XmlReader(name, repair=repair, max_text=options.limits.max_message_bytes)
        stray: list[SkippedRecord] = []
        for event, node, parent in reader.events(read_chunks(stream)):
            if event == "start":
                if node.depth == 0 and node.tag != "conversations":
                    raise ParseError(
                        f"root element is <{node.tag}>",
                        file=name,
                        location=f"line {node.line}",
                        expected="<conversations> (PAN12 corpus)",
                    )
                continue
            if node.depth != 1:
                continue
            if node.tag == "conversation":
                conv = _conversation(node)
                conv.skipped[:0] = stray
                stray = []
                conv.notes.extend(_repairs(repair, node.line))
                conv.notes.extend(reader.cut_notes())
                yield conv
            else:
                stray.append(SkippedRecord(f"line {node.line}", f"unexpected element <{node.tag}>"))
            reader.release(node, parent)
        notes = _repairs(repair, None) + reader.cut_notes()
        if stray or notes:
            yield Conversation(
                PLATFORM, "(records outside any conversation)", skipped=stray, notes=notes
            )


def _repairs(repair: RefRepair, line: int | None) -> list[str]:
    """Notes on repairs made since the last call, then zero the counters."""
    where = f"while reading up to the conversation at line {line}" if line else "at the file's end"
    notes = [f"{n} ({where})" for n in repair.notes()]
    repair.surrogate_pairs = repair.lone_surrogates = repair.bad_refs = repair.raw_controls = 0
    return notes


def load_predator_ids(
    stream: BinaryIO, name: str = "predator list", limit: int = MAX_MESSAGE_BYTES
) -> set[str]:
    """Read the corpus's predator list: one author id per line; blanks and ``#`` lines ignored.
    A line longer than ``limit`` bytes (no author id) is refused without being read whole."""
    ids: set[str] = set()
    cuts: list[Cut] = []
    for number, _, raw, cut in bounded_lines(stream, limit, cuts):
        if cut:
            raise ParseError(
                f"line longer than {limit:,} bytes",
                file=name,
                location=f"line {number}",
                expected="UTF-8 text, one author id per line",
            )
        try:
            line = raw.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"undecodable byte at column {exc.start + 1}",
                file=name,
                location=f"line {number}",
                expected="UTF-8 text, one author id per line",
            ) from exc
        if line and not line.startswith("#"):
            ids.add(line)
    return ids


def apply_predator_ids(
    conversations: Iterable[Conversation], ids: set[str]
) -> Iterator[Conversation]:
    """Yield copies of ``conversations`` whose participants in ``ids`` have role SUSPECT.

    The input objects are not changed; messages are shared, not copied.
    """
    for conv in conversations:
        people = [
            dataclasses.replace(p, role=ParticipantRole.SUSPECT) if p.platform_id in ids else p
            for p in conv.participants
        ]
        yield dataclasses.replace(
            conv, participants=people, notes=[*conv.notes], skipped=[*conv.skipped]
        )


PARSER = Pan12Parser()
