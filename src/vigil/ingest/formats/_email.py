"""E-mail messages (RFC 5322 / MIME) as chat messages, and threads as conversations.

Shared by the ``.eml`` and mbox parsers. Each message is read with the standard library
(``email`` with ``policy.default``: RFC 2047 headers decoded). Its text is the first
``text/plain`` part, else the first ``text/html`` part turned into text with lxml; attachments
(parts with a file name or ``Content-Disposition: attachment``) are listed with name, type and
size, and with ``source_path`` naming the part (``part 2``, in an mbox ``byte 1234, part 2``:
the message's offset) so that the ingest service registers the decoded bytes as a derived
exhibit of the e-mail (:func:`part_bytes`, the parsers' ``attachment_bytes``). Threads: messages are joined through ``Message-ID``, ``In-Reply-To`` and ``References``;
a message with neither header whose subject starts with a reply or forward prefix (``Re:``,
``Fwd:``, ``AW:``, ``SV:``...) joins the thread with the same subject. Participants are the
senders and the ``To``/``Cc`` recipients, identified by address (lower-cased).

Times come from the ``Date`` header, which carries its offset; ``-0000`` (zone unknown, RFC
5322 section 3.3) is read as UTC and noted.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from vigil.errors import ParseError
from vigil.ingest.formats._html import parse_page, text_of
from vigil.ingest.formats._jsonsupport import IN_SOURCE, Roster
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

PLATFORM = "email"
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|tr|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
ATTACHMENTS_NOTE = (
    "attachments are MIME parts of the e-mails: the ingest registers each part's decoded bytes "
    "as a derived exhibit of the e-mail exhibit"
)
_PART = re.compile(r"(?:byte (\d+), )?part (\d+)$")
UNKNOWN_ZONE = "Date has the zone -0000 (unknown, RFC 5322); read as UTC"


@dataclass(slots=True)
class Mail:
    """One e-mail read into the parts a conversation needs."""

    message: Message
    ident: str | None
    refs: list[str]
    subject: str
    people: list[tuple[str, str | None]]


def subject_key(subject: str) -> str:
    """A subject without reply/forward prefixes, whitespace-normalised and case-folded."""
    return " ".join(_PREFIX.sub("", subject).split()).casefold()


def _ids(value: object) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def _addresses(msg: EmailMessage, *names: str) -> list[tuple[str, str | None]]:
    values = [str(v) for n in names for v in msg.get_all(n) or []]
    return [(addr.lower(), name or None) for name, addr in getaddresses(values) if addr]


def _time(msg: EmailMessage) -> tuple[datetime | None, str | None, str | None, str | None]:
    raw = msg.get("Date")
    if raw is None:
        return None, None, None, "no Date header"
    text = str(raw)
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None, text, None, f"unreadable Date {text!r}"
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC), text, "UTC (Date -0000)", UNKNOWN_ZONE
    return dt.astimezone(UTC), text, IN_SOURCE, None


def _body(msg: EmailMessage, where: str) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html" and content.strip():
        return text_of(parse_page(content.encode("utf-8"), where, "HTML body"), blocks=True)
    return content.strip()


def attachment_parts(msg: EmailMessage) -> list[EmailMessage]:
    """The parts of ``msg`` that are attachments (a file name or ``Content-Disposition:
    attachment``), in document order: part N of a ``source_path`` is the Nth of these."""
    out = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_filename() is None and part.get_content_disposition() != "attachment":
            continue
        out.append(part)
    return out


def _attachments(msg: EmailMessage, where: str) -> list[Attachment]:
    out = []
    for n, part in enumerate(attachment_parts(msg), 1):
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else None
        out.append(
            Attachment(
                part.get_filename(),
                part.get_content_type(),
                AttachmentStatus.PRESENT,
                size=size,
                source_path=f"{where}part {n}",
            )
        )
    return out


def part_number(source_path: str, name: str) -> tuple[int | None, int]:
    """(byte offset of the message or None, part number) of an attachment's ``source_path``."""
    found = _PART.match(source_path)
    if found is None:
        raise ParseError(
            f"{source_path!r} does not name a MIME part", file=name, expected="'part N'"
        )
    offset = found.group(1)
    return (int(offset) if offset is not None else None), int(found.group(2))


def part_bytes(raw: bytes, number: int, name: str) -> bytes:
    """The decoded bytes of attachment part ``number`` (from 1) of the e-mail ``raw``."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = attachment_parts(msg)
        if not 0 < number <= len(parts):
            raise ParseError(
                f"the e-mail has {len(parts)} attachment part(s), not part {number}", file=name
            )
        payload = parts[number - 1].get_payload(decode=True)
    except (email.errors.MessageError, LookupError, ValueError, TypeError) as exc:
        raise ParseError(f"attachment part {number} is unreadable: {exc}", file=name) from exc
    if not isinstance(payload, bytes):
        raise ParseError(f"attachment part {number} holds no bytes", file=name)
    return payload


def read_mail(raw: bytes, loc: str, max_text: int, where: str = "") -> Mail | SkippedRecord:
    """One e-mail's bytes as a :class:`Mail`, or the reason it cannot be used. ``where``
    prefixes its attachments' ``source_path`` (an mbox gives the message's byte offset)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        if not any(h in msg for h in ("From", "Date", "Message-ID")):
            return SkippedRecord(
                loc, "no From, Date or Message-ID header", raw[:200].decode("utf-8", "replace")
            )
        sender = _addresses(msg, "From")
        people = sender + _addresses(msg, "To", "Cc")
        sent_at, original, assumed, note = _time(msg)
        text = _body(msg, loc)
        if len(text.encode("utf-8")) > max_text:
            text = text.encode("utf-8")[:max_text].decode("utf-8", "ignore")
            text += f"\n[… cut by Vigil at byte {max_text:,}: the rest is in the exhibit]"
        ident = next(iter(_ids(msg.get("Message-ID"))), None)
        refs = _ids(msg.get("References")) + _ids(msg.get("In-Reply-To"))
        message = Message(
            sender=sender[0][0] if sender else None,
            text=text,
            sent_at=sent_at,
            source_location=loc,
            local_time_text=original,
            tz_assumed=assumed,
            source_id=ident,
            reply_to=next(iter(_ids(msg.get("In-Reply-To")) or refs[-1:]), None),
            attachments=_attachments(msg, where),
            time_note=note,
        )
        return Mail(message, ident, refs, str(msg.get("Subject") or ""), people)
    except ParseError as exc:
        return SkippedRecord(loc, f"unreadable e-mail: {exc.message}")
    except (email.errors.MessageError, LookupError, ValueError, TypeError) as exc:
        return SkippedRecord(loc, f"unreadable e-mail: {type(exc).__name__}: {exc}")


@dataclass(slots=True)
class _Sets:
    parent: dict[str, str] = field(default_factory=dict)

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def threads(mails: Iterable[Mail], skipped: list[SkippedRecord]) -> list[Conversation]:
    """Group e-mails into threads, each a conversation, oldest message first."""
    items = list(mails)
    sets = _Sets()
    keys = [m.ident or f"#{i}" for i, m in enumerate(items)]
    by_subject: dict[str, str] = {}
    for key, m in zip(keys, items, strict=True):
        sets.find(key)
        for r in m.refs:
            sets.union(key, r)
    for key, m in zip(keys, items, strict=True):
        subj = subject_key(m.subject)
        if not m.refs and _PREFIX.match(m.subject) and subj in by_subject:
            sets.union(key, by_subject[subj])
        by_subject.setdefault(subj, key)
    groups: dict[str, list[Mail]] = {}
    for key, m in zip(keys, items, strict=True):
        groups.setdefault(sets.find(key), []).append(m)
    out = []
    for members in groups.values():
        members.sort(key=lambda m: (m.message.sent_at is None, m.message.sent_at))
        first = members[0]
        title = " ".join(_PREFIX.sub("", first.subject).split()) or None
        conv = Conversation(platform=PLATFORM, title=title, source_id=first.ident)
        roster = Roster()
        for m in members:
            for addr, name in m.people:
                roster.add(addr, name)
        for m in members[1:]:
            if subject_key(m.subject) != subject_key(first.subject):
                m.message.text = f"[subject: {m.subject}]\n{m.message.text}".rstrip()
        conv.messages = [m.message for m in members]
        conv.participants = roster.participants()
        conv.notes.append(
            "participants are the senders and To/Cc recipients, identified by address; "
            "threads joined by Message-ID / In-Reply-To / References (and a reply prefix with "
            "the same subject where those are missing)"
        )
        if any(m.message.attachments for m in members):
            conv.notes.append(ATTACHMENTS_NOTE)
        if any(m.message.time_note == UNKNOWN_ZONE for m in members):
            conv.notes.append(UNKNOWN_ZONE)
        out.append(conv)
    out.sort(
        key=lambda c: min(
            (m.sent_at for m in c.messages if m.sent_at), default=datetime.max.replace(tzinfo=UTC)
        )
    )
    if skipped:
        if not out:
            out.append(Conversation(platform=PLATFORM, title=None))
        out[0].skipped.extend(skipped)
    return out
