"""Snapchat "My Data" ``chat_history.json``, in both shapes Snapchat has shipped.

Newer exports: an object keyed by conversation (friend username, or a group id), each a list
of entries with ``From``, ``Media Type``, ``Created`` (``2023-01-05 18:20:11 UTC``),
``Content``, ``Conversation Title``, ``IsSender`` and ``Created(microseconds)``.

Older exports: lists named ``Received Saved Chat History``, ``Sent Saved Chat History`` (and
``... Unsaved ...``) with ``From`` or ``To``, ``Media Type``, ``Created`` and ``Text``; they
are grouped into one conversation per counterpart. These never name the account holder,
who appears as the participant ``(account holder)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    EPOCH,
    IN_SOURCE,
    Roster,
    as_str,
    from_epoch_ms,
    has_key,
    head_text,
    load_json,
    path,
)
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

PLATFORM = "snapchat"
EXPECTED = "a Snapchat My Data chat_history.json"
HOLDER = "(account holder)"
MEDIA_TYPES = frozenset({"MEDIA", "NOTE", "STICKER", "SNAP", "IMAGE", "VIDEO", "AUDIO", "GIF"})


@dataclass(slots=True)
class _Thread:
    conv: Conversation
    roster: Roster = field(default_factory=Roster)
    rows: list[tuple[int, Message]] = field(default_factory=list)


def _micros_to_utc(value: Any) -> datetime | None:
    """``Created(microseconds)`` — in practice often milliseconds; decided by magnitude."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        n = int(value)
    except ValueError:
        return None
    if n > 10**14:  # microseconds
        return from_epoch_ms(n // 1000)
    return from_epoch_ms(n if n > 10**11 else n * 1000)


def _time(e: dict[str, Any]) -> tuple[datetime | None, str | None, str | None, str | None]:
    """(utc, original text, tz_assumed, note)."""
    created = as_str(e.get("Created"))
    precise = _micros_to_utc(e.get("Created(microseconds)"))
    if created:
        try:
            utc = datetime.strptime(created.strip(), "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
        except ValueError:
            utc = None
        if utc is not None:
            if precise is None:
                return utc, created, IN_SOURCE, None
            if abs((precise - utc).total_seconds()) < 2:
                return precise, created, IN_SOURCE, None
            return (
                utc,
                created,
                IN_SOURCE,
                "Created(microseconds) disagrees with Created; used Created",
            )
    if precise is not None:
        note = f"unreadable Created {created!r}; used Created(microseconds)" if created else None
        return precise, str(e.get("Created(microseconds)")), EPOCH, note
    return None, created, None, f"unreadable Created {created!r}" if created else "no Created time"


def _message(e: dict[str, Any], loc: str, sender: str | None) -> Message:
    kind = (as_str(e.get("Media Type")) or "TEXT").upper()
    text = as_str(e.get("Content")) or as_str(e.get("Text")) or ""
    media_id = as_str(e.get("Media IDs"))
    attachments = []
    if kind in MEDIA_TYPES or media_id:
        status = AttachmentStatus.MISSING if media_id else AttachmentStatus.OMITTED
        attachments.append(Attachment(file_name=media_id, status=status))
    if not text and kind != "TEXT":
        text = f"[{kind}]"
    sent_at, original, assumed, note = _time(e)
    return Message(
        sender=sender,
        text=text,
        sent_at=sent_at,
        source_location=loc,
        local_time_text=original,
        tz_assumed=assumed,
        is_system=kind.startswith("STATUS"),
        attachments=attachments,
        time_note=note,
    )


def _finish(t: _Thread, note_order: bool = True) -> Conversation:
    rows = [m for _, m in t.rows]
    ordered = sorted(rows, key=lambda m: (m.sent_at is None, m.sent_at))
    if note_order and ordered != rows:
        t.conv.notes.append("entries were not oldest first in the export; sorted by time")
    t.conv.messages = ordered
    t.conv.participants = t.roster.participants()
    return t.conv


def _newer(data: dict[str, Any]) -> Iterator[Conversation]:
    for key, entries in data.items():
        t = _Thread(Conversation(platform=PLATFORM, title=None, source_id=key))
        if not isinstance(entries, list):
            t.conv.skipped.append(SkippedRecord(path(key), "conversation is not a list"))
            yield t.conv
            continue
        found = (as_str(e.get("Conversation Title")) for e in entries if isinstance(e, dict))
        titles = sorted({x for x in found if x})
        t.conv.title = titles[0] if titles else key
        if not titles:
            t.roster.add(key, key)  # one-to-one chats are keyed by the friend's username
        holders = set()
        for i, e in enumerate(entries):
            loc = path(key, i)
            if not isinstance(e, dict):
                t.conv.skipped.append(
                    SkippedRecord(loc, "entry is not a JSON object", repr(e)[:200])
                )
                continue
            who = as_str(e.get("From"))
            if who:
                t.roster.add(who, who)
                if e.get("IsSender") is True:
                    holders.add(who)
            t.rows.append((i, _message(e, loc, who)))
        if holders:
            t.conv.notes.append("account holder (IsSender): " + ", ".join(sorted(holders)))
        yield _finish(t)


def _older(data: dict[str, Any]) -> Iterator[Conversation]:
    threads: dict[str, _Thread] = {}
    ignored = []
    for section, entries in data.items():
        sent = section.lower().startswith("sent")
        if not section.endswith("Chat History") or not isinstance(entries, list):
            ignored.append(section)
            continue
        for i, e in enumerate(entries):
            loc = path(section, i)
            other = as_str(e.get("To" if sent else "From")) if isinstance(e, dict) else None
            key = other or "(unknown counterpart)"
            t = threads.get(key)
            if t is None:
                t = threads[key] = _Thread(Conversation(PLATFORM, title=key, source_id=other))
                t.conv.notes.append(
                    "older Snapchat export: the account holder's username is not in the file; "
                    f"their messages are attributed to {HOLDER}"
                )
                if other:
                    t.roster.add(other, other)
            if not isinstance(e, dict):
                t.conv.skipped.append(
                    SkippedRecord(loc, "entry is not a JSON object", repr(e)[:200])
                )
                continue
            sender = (
                t.roster.add(HOLDER, "account holder (username not in export)") if sent else other
            )
            t.rows.append((len(t.rows), _message(e, loc, sender)))
    for t in threads.values():
        if ignored:
            t.conv.notes.append("top-level keys not read as chat lists: " + ", ".join(ignored))
        t.conv.notes.append("sent and received lists merged and sorted by time")
        yield _finish(t, note_order=False)


class SnapchatJsonParser:
    """Parser for Snapchat's chat_history.json (newer keyed-by-conversation and older shapes)."""

    name = "snapchat_json"
    description = "Snapchat My Data chat_history.json"

    def sniff(self, head: bytes, name: str) -> Sniff:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return Sniff(0.0, "not a JSON object")
        bonus = 0.05 if name.lower().endswith("chat_history.json") else 0.0
        if "Saved Chat History" in text:
            return Sniff(
                round(0.9 + bonus, 2), "has Snapchat's older '... Saved Chat History' lists"
            )
        if has_key(text, "Media Type") and has_key(text, "Created"):
            score = 0.9 if has_key(text, "IsSender") else 0.85
            return Sniff(round(score + bonus, 2), "has Snapchat's 'Media Type' and 'Created' keys")
        return Sniff(0.0, "no Snapchat keys ('Media Type' + 'Created', 'Saved Chat History')")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        data = load_json(stream, name, EXPECTED, options.limits.max_json_bytes)
        if not isinstance(data, dict):
            raise ParseError(
                "top level is not a JSON object", file=name, location="$", expected=EXPECTED
            )
        if any(k.endswith("Chat History") for k in data):
            yield from _older(data)
        else:
            yield from _newer(data)


PARSER = SnapchatJsonParser()
