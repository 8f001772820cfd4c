"""SMS Backup & Restore XML (Android): ``<smses>`` holding ``<sms>`` and ``<mms>`` records.

One conversation per thread: the record's ``thread_id`` when the backup has one, else its
address (a group MMS lists several addresses joined by ``~``). The phone's owner is a
participant of every conversation with platform id ``owner``; the backup never says the
owner's own number. ``date`` is epoch milliseconds (UTC); ``readable_date`` (the phone's local
rendering) is kept as the original time text.

SMS ``type``: 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued. MMS ``msg_box``: 1
received, 2 sent, 3 draft, 4 outbox; the sender of a received MMS is its ``<addr type="137">``.
MMS text parts become the message text; SMIL layout parts are skipped (counted in a note);
other parts are attachments, PRESENT only when their bytes are embedded as base64 ``data``.

Emoji that the app writes as surrogate-pair references (``&#55357;&#56832;``) are repaired by
:class:`~vigil.ingest.xmlsafe.RefRepair` before parsing. A message text longer than the message
limit (``ParseOptions.limits``, counted in characters) is cut there with a mark and a note; the
exhibit keeps every byte. The XML is streamed; only the messages
(without embedded attachment bytes) are held until the end, since a thread's records are spread
over the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.xmlsafe import TEXT_CUT, Node, RefRepair, XmlReader, read_chunks
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, Participant

OWNER = "owner"
_SMS_TYPES = {1: "received", 2: "sent", 3: "draft", 4: "outbox", 5: "failed", 6: "queued"}
_MMS_BOX = {1: "received", 2: "sent", 3: "draft", 4: "outbox"}
_FROM, _TO, _CC = "137", "151", "130"
_NUMBER_NOISE = re.compile(r"[\s\-().]")


def _attr(node: Node, key: str) -> str | None:
    """An attribute, with the app's ``null`` placeholder read as absent."""
    v = node.get(key)
    return None if v is None or v == "null" or v == "" else v


def _norm_address(addr: str) -> str:
    return _NUMBER_NOISE.sub("", addr) or addr


@dataclass(slots=True)
class _Thread:
    conv: Conversation
    messages: list[Message] = field(default_factory=list)


class _State:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.threads: dict[str, _Thread] = {}
        self.records = 0
        self.smil_parts = 0
        self.notes: list[str] = []

    def thread(self, node: Node, addresses: list[str]) -> _Thread:
        tid = _attr(node, "thread_id")
        key = f"thread {tid}" if tid else "~".join(sorted(addresses)) or "(no address)"
        th = self.threads.get(key)
        if th is None:
            contact = _attr(node, "contact_name")
            if contact == "(Unknown)":
                contact = None
            conv = Conversation(
                platform="sms",
                title=contact or ", ".join(addresses) or "(no address)",
                participants=[Participant(OWNER, "device owner")],
                source_id=key,
            )
            if not addresses:
                conv.notes.append("records without an address are grouped here")
            th = self.threads[key] = _Thread(conv)
            for a in addresses:
                name = contact if len(addresses) == 1 else None
                conv.participants.append(Participant(a, name))
        else:
            for a in addresses:
                if th.conv.participant(a) is None:
                    th.conv.participants.append(Participant(a))
        return th


def _clip(text: str, node: Node, st: _State) -> str:
    """``text``, cut to the message limit with a mark and a note when it is longer."""
    if len(text) <= st.limit:
        return text
    st.notes.append(
        f"line {node.line}: <{node.tag}> text of {len(text):,} characters is longer than the "
        f"{st.limit:,}-character limit (VIGIL_MAX_MESSAGE_BYTES): cut there, the full text stays "
        "in the exhibit"
    )
    return text[: st.limit] + TEXT_CUT


def _time(node: Node, msg: Message) -> None:
    raw = _attr(node, "date")
    msg.local_time_text = _attr(node, "readable_date") or raw
    if raw is None or not raw.lstrip("-").isdigit():
        msg.time_note = f"no usable date attribute ({raw!r})"
        return
    value = int(raw)
    unit = 1000
    if abs(value) < 10**11:  # seconds, as Android's own MMS table stores them
        unit = 1
        msg.time_note = "date read as epoch seconds (too small for milliseconds)"
    try:
        msg.sent_at = datetime.fromtimestamp(value / unit, UTC)
    except (OverflowError, OSError, ValueError):
        msg.time_note = f"date {raw} is outside the representable range"
        return
    msg.tz_assumed = "UTC (epoch)"


def _sms(node: Node, st: _State) -> None:
    addr = _attr(node, "address")
    addresses = [_norm_address(addr)] if addr else []
    th = st.thread(node, addresses)
    kind = int(t) if (t := _attr(node, "type")) and t.isdigit() else 0
    sender = addresses[0] if kind == 1 and addresses else OWNER
    msg = Message(sender, _clip(node.get("body") or "", node, st), None, f"line {node.line}")
    _time(node, msg)
    if kind != 1 and kind != 2:
        label = _SMS_TYPES.get(kind, "unknown type")
        th.conv.notes.append(f"line {node.line}: SMS type {t} ({label}), owner's side")
    th.messages.append(msg)


def _attachment(part: Node, ct: str | None, conv: Conversation) -> Attachment:
    fname = _attr(part, "name") or _attr(part, "cl") or _attr(part, "fn")
    data = _attr(part, "data")
    if data is None:
        return Attachment(fname, ct, AttachmentStatus.OMITTED)
    chars = len(data) - sum(data.count(c) for c in " \t\n\r\f\v")  # no copy of a big attribute
    tail = "".join(data[-16:].split())
    size = chars * 3 // 4 - (len(tail) - len(tail.rstrip("=")))
    conv.notes.append(
        f"line {part.line}: attachment {fname or '(unnamed)'} is embedded in the XML as "
        f"base64 ({size} bytes); decode it from the exhibit to register it"
    )
    return Attachment(fname, ct, AttachmentStatus.PRESENT, size=size)


def _mms(node: Node, st: _State) -> None:
    addr = _attr(node, "address")
    addresses = [_norm_address(a) for a in addr.split("~") if a] if addr else []
    th = st.thread(node, addresses)
    box = int(b) if (b := _attr(node, "msg_box")) and b.isdigit() else 0
    if not box:
        m_type = _attr(node, "m_type")
        box = 2 if m_type == "128" else 1 if m_type == "132" else 0
    sender: str | None = OWNER
    if box == 1:
        froms = [
            a.get("address") or ""
            for addrs in node.children_named("addrs")
            for a in addrs.children_named("addr")
            if a.get("type") == _FROM
        ]
        frm = next((_norm_address(f) for f in froms if f and f != "insert-address-token"), None)
        sender = frm or (addresses[0] if len(addresses) == 1 else None)
        if sender is None:
            th.conv.notes.append(f"line {node.line}: received MMS names no sender")
        elif th.conv.participant(sender) is None:
            th.conv.participants.append(Participant(sender))
    elif box != 2:
        label = _MMS_BOX.get(box, "unknown box")
        th.conv.notes.append(f"line {node.line}: MMS msg_box {b} ({label}), owner's side")
    texts: list[str] = []
    atts: list[Attachment] = []
    for parts in node.children_named("parts"):
        for part in parts.children_named("part"):
            ct = _attr(part, "ct")
            if ct == "application/smil":
                st.smil_parts += 1
            elif ct == "text/plain":
                texts.append(part.get("text") or "")
            else:
                atts.append(_attachment(part, ct, th.conv))
    subject = _attr(node, "sub")
    if subject:
        texts.insert(0, f"Subject: {subject}")
    text = _clip("\n".join(texts), node, st)
    msg = Message(sender, text, None, f"line {node.line}", attachments=atts)
    msg.source_id = _attr(node, "m_id")
    _time(node, msg)
    th.messages.append(msg)


class SmsXmlParser:
    """Parser for SMS Backup & Restore XML backups."""

    name = "sms_xml"
    description = "SMS Backup & Restore XML (SMS and MMS)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if b"<smses" in head:
            return Sniff(0.95, "root element <smses> of an SMS Backup & Restore file")
        if b"SMS Backup & Restore" in head or b"SMS Backup &amp; Restore" in head:
            return Sniff(0.6, "mentions SMS Backup & Restore but no <smses> root seen yet")
        return Sniff(0.0, "no <smses> root element in the first bytes")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        repair = RefRepair()
        reader = XmlReader(name, repair=repair, max_text=options.limits.max_message_bytes)
        st = _State(options.limits.max_message_bytes)
        declared: str | None = None
        for event, node, parent in reader.events(read_chunks(stream)):
            if event == "start":
                if node.depth == 0:
                    if node.tag != "smses":
                        raise ParseError(
                            f"root element is <{node.tag}>",
                            file=name,
                            location=f"line {node.line}",
                            expected="<smses> (SMS Backup & Restore)",
                        )
                    declared = node.get("count")
                continue
            if node.depth != 1:
                continue  # inside a record, or the root itself closing
            if node.tag in ("sms", "mms"):
                st.records += 1
                (_sms if node.tag == "sms" else _mms)(node, st)
            else:
                st.notes.append(f"line {node.line}: element <{node.tag}> is not an SMS or MMS")
            reader.release(node, parent)
        if declared is not None and declared.isdigit() and int(declared) != st.records:
            st.notes.append(f"the file declares count={declared} but holds {st.records} records")
        if st.smil_parts:
            st.notes.append(f"{st.smil_parts} SMIL layout part(s) of MMS messages skipped")
        notes = [f"whole file: {n}" for n in repair.notes()] + st.notes + reader.cut_notes()
        if not st.threads and notes:
            yield Conversation(platform="sms", title=None, notes=notes)
        for th in st.threads.values():
            ordered = sorted(th.messages, key=_time_key)
            if any(a is not b for a, b in zip(ordered, th.messages, strict=True)):
                th.conv.notes.append(
                    "messages ordered by time; the file's order differed (it lists SMS before MMS)"
                )
            th.conv.messages = ordered
            th.conv.notes[:0] = notes
            yield th.conv


def _time_key(m: Message) -> tuple[bool, datetime]:
    return (m.sent_at is None, m.sent_at or datetime.min.replace(tzinfo=UTC))


PARSER = SmsXmlParser()
