"""TikTok "Download your data": direct messages from ``user_data.json`` or the TXT form.

JSON: the chat history sits under ``Direct Messages`` (``Direct Message`` > ``Direct Messages``
in exports since 2023) > ``Chat History`` > ``ChatHistory``: an object keyed ``Chat History with
NAME:`` whose values list ``{"Date": "2023-03-25 23:30:00", "From": "user", "Content": "..."}``.
The parser finds the ``ChatHistory`` object wherever it sits, so both nestings read. The account
holder's username is ``Profile`` > ``Profile Information`` > ``ProfileMap`` > ``userName``.

TXT: the same records written as text, a ``Chat History with NAME:`` line opening each chat
and one ``Date: ...`` / ``From: ...`` / ``Content: ...`` block per message, blocks separated by
blank lines (content lines after ``Content:`` continue the message).

``Date`` has no offset. TikTok's exports write UTC; times are read as UTC and a note says so
(``--tz`` does not move them). Shared videos appear as links in ``Content`` and stay text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    Roster,
    as_str,
    check_json_size,
    decode_bytes,
    has_key,
    head_text,
    loads_json,
    path,
)
from vigil.model import Conversation, Message, SkippedRecord

PLATFORM = "tiktok"
EXPECTED = "a TikTok data export (user_data.json with Direct Messages, or its TXT form)"
UTC_READ = "TikTok export times have no offset; read as UTC, as TikTok writes them"
AS_UTC = "UTC (TikTok export)"
_CHAT = re.compile(r"^Chat History with (?P<who>.*?):+\s*$")
_FIELD = re.compile(r"^(?P<key>Date|From|Content):\s?(?P<value>.*)$")
_MAX_DEPTH = 6


def read_time(text: str | None) -> tuple[datetime | None, str | None]:
    """(utc, note) for a ``Date`` value."""
    if not text:
        return None, "no Date"
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC), None
    except ValueError:
        return None, f"unreadable Date {text!r}"


def _message(sender: str | None, date: str | None, text: str, loc: str) -> Message:
    sent_at, note = read_time(date)
    return Message(
        sender=sender,
        text=text,
        sent_at=sent_at,
        source_location=loc,
        local_time_text=date,
        tz_assumed=AS_UTC if sent_at else None,
        time_note=note,
    )


def _conversation(who: str, owner: str | None) -> tuple[Conversation, Roster]:
    conv = Conversation(platform=PLATFORM, title=who or None, source_id=who or None)
    roster = Roster()
    if who:
        roster.add(who, who)
    if owner:
        conv.notes.append(f"export made by account {owner} (Profile > ProfileMap > userName)")
    conv.notes.append(UTC_READ)
    return conv, roster


def _find(
    data: Any, key: str, trail: tuple[str, ...], depth: int = 0
) -> tuple[Any, tuple[str, ...]]:
    if not isinstance(data, dict) or depth > _MAX_DEPTH:
        return None, trail
    if key in data:
        return data[key], (*trail, key)
    for k, v in data.items():
        found, where = _find(v, key, (*trail, str(k)), depth + 1)
        if found is not None:
            return found, where
    return None, trail


def _owner(data: dict[str, Any]) -> str | None:
    info, _ = _find(data, "ProfileMap", ())
    return as_str(info.get("userName")) if isinstance(info, dict) else None


def _from_json(data: Any, name: str) -> Iterator[Conversation]:
    if not isinstance(data, dict):
        raise ParseError(
            "top level is not a JSON object", file=name, location="$", expected=EXPECTED
        )
    chats, trail = _find(data, "ChatHistory", ())
    if not isinstance(chats, dict):
        raise ParseError(
            "no Direct Messages > Chat History > ChatHistory object", file=name, expected=EXPECTED
        )
    owner = _owner(data)
    for key, rows in chats.items():
        m = _CHAT.match(key)
        conv, roster = _conversation(m["who"] if m else key, owner)
        if not isinstance(rows, list):
            conv.skipped.append(SkippedRecord(path(*trail, key), "chat is not a list"))
            yield conv
            continue
        messages = []
        for i, r in enumerate(rows):
            loc = path(*trail, key, i)
            if not isinstance(r, dict) or not any(k in r for k in ("Date", "From", "Content")):
                conv.skipped.append(SkippedRecord(loc, "not a message record", repr(r)[:200]))
                continue
            sender = as_str(r.get("From"))
            messages.append(
                _message(
                    roster.add(sender, sender) if sender else None,
                    as_str(r.get("Date")),
                    as_str(r.get("Content")) or "",
                    loc,
                )
            )
        conv.messages = _ordered(messages, conv)
        conv.participants = roster.participants()
        yield conv


def _ordered(messages: list[Message], conv: Conversation) -> list[Message]:
    times = [m.sent_at for m in messages if m.sent_at is not None]
    if all(a <= b for a, b in pairwise(times)):
        return messages
    ordered = sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at))
    if all(a >= b for a, b in pairwise(times)):
        conv.notes.append("the export lists messages newest first; they are given oldest first")
    else:
        conv.notes.append("messages were not in time order in the export; sorted by time")
    return ordered


def _from_txt(text: str, name: str) -> Iterator[Conversation]:
    conv: Conversation | None = None
    roster = Roster()
    messages: list[Message] = []
    block: dict[str, str] = {}
    start = 0
    last = ""

    def flush() -> None:
        nonlocal block
        if not block or conv is None:
            block = {}
            return
        loc = f"line {start}"
        if "Date" not in block and "From" not in block:
            conv.skipped.append(SkippedRecord(loc, "block without Date or From", repr(block)[:200]))
        else:
            who = block.get("From") or None
            messages.append(
                _message(
                    roster.add(who, who) if who else None,
                    block.get("Date"),
                    block.get("Content", ""),
                    loc,
                )
            )
        block = {}

    def finish() -> Conversation | None:
        if conv is None:
            return None
        flush()
        conv.messages = _ordered(list(messages), conv)
        conv.participants = roster.participants()
        return conv

    for n, line in enumerate(text.splitlines(), 1):
        head = _CHAT.match(line.strip())
        if head:
            done = finish()
            if done is not None:
                yield done
            conv, roster = _conversation(head["who"].strip(), None)
            messages = []
            continue
        if not line.strip():
            flush()
            continue
        field = _FIELD.match(line)
        if conv is None:
            raise ParseError(
                "text before the first 'Chat History with' line",
                file=name,
                location=f"line {n}",
                expected=EXPECTED,
            )
        if field:
            if not block:
                start = n
            last = field["key"]
            block[last] = field["value"].strip() if last != "Content" else field["value"]
        elif block and last == "Content":
            block["Content"] += "\n" + line
        else:
            if not block:
                start = n
            flush()
            conv.skipped.append(
                SkippedRecord(f"line {n}", "line is not Date:, From: or Content:", line[:200])
            )
    done = finish()
    if done is None:
        raise ParseError("no 'Chat History with' line", file=name, expected=EXPECTED)
    yield done


class TikTokParser:
    """Parser for TikTok's data export direct messages (JSON or TXT)."""

    name = "tiktok"
    description = "TikTok 'Download your data' direct messages (user_data.json or TXT)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        text = head_text(head)
        lower = name.lower()
        if text.lstrip().startswith("{"):
            if has_key(text, "ChatHistory") or re.search(r'"Chat History with [^"]*:+"\s*:', text):
                return Sniff(0.9, "JSON with TikTok's ChatHistory / 'Chat History with' keys")
            if has_key(text, "Video Browsing History") or has_key(text, "ProfileMap"):
                return Sniff(
                    0.75, "JSON with TikTok's data export keys (Video Browsing History, ProfileMap)"
                )
            if "user_data" in lower and (
                has_key(text, "Activity") or has_key(text, "Direct Messages")
            ):
                return Sniff(0.5, "JSON named user_data with Activity / Direct Messages keys")
            return Sniff(0.0, "no TikTok keys (ChatHistory, Video Browsing History, ProfileMap)")
        first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        if _CHAT.match(first) and re.search(r"^(Date|From):", text, re.MULTILINE):
            return Sniff(0.85, "text opening with 'Chat History with NAME:' and Date:/From: lines")
        return Sniff(0.0, "neither TikTok JSON nor a 'Chat History with' text export")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        cap = options.limits.max_json_bytes
        raw = stream.read(cap + 1)
        check_json_size(len(raw), name, cap, exact=False)
        text = decode_bytes(raw, name, EXPECTED)
        if text.lstrip().startswith("{"):
            yield from _from_json(loads_json(raw, name, EXPECTED), name)
        else:
            yield from _from_txt(text, name)


PARSER = TikTokParser()
