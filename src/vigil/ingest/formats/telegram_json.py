"""Telegram Desktop JSON export (``result.json``): a single chat or a full account export.

Single chat: a top-level object with ``messages``. Full export: ``chats.list`` (and
``left_chats.list``), each entry a chat with its own ``messages``. Times come from
``date_unixtime`` (UTC); older exports only have ``date``, the exporting machine's local time,
which is read in ``options.tz`` and reported in the conversation notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    EPOCH,
    Roster,
    as_str,
    from_epoch,
    has_key,
    head_text,
    load_json,
    parse_iso,
    path,
    utc_offset_text,
)
from vigil.ingest.formats._telegram_parts import (
    attachments,
    extras,
    join_text,
    reactions,
    service_text,
)
from vigil.model import Conversation, Message, SkippedRecord

PLATFORM = "telegram"
EXPECTED = "a Telegram Desktop JSON export (result.json)"
_KIND = re.compile(r'"type"\s*:\s*"(message|service)"')


@dataclass(slots=True)
class _Stats:
    local_dates: int = 0
    offsets: set[timedelta] = field(default_factory=set)
    names_as_ids: int = 0


def _time(
    m: dict[str, Any], options: ParseOptions, stats: _Stats
) -> tuple[datetime | None, str | None, str | None, str | None]:
    """(sent_at, original text, tz_assumed, note) for one message."""
    unix, date = m.get("date_unixtime"), m.get("date")
    note = None
    if unix is not None:
        try:
            utc = from_epoch(int(str(unix)))
        except (ValueError, OverflowError, OSError):
            note = f"unreadable date_unixtime {unix!r}"
        else:
            if isinstance(date, str):
                with suppress(ValueError):
                    stats.offsets.add(datetime.fromisoformat(date) - utc.replace(tzinfo=None))
            return utc, str(unix), EPOCH, None
    if isinstance(date, str):
        try:
            utc, assumed, dst = parse_iso(date, options.tz)
        except ValueError:
            return None, date, None, f"unreadable date {date!r}"
        stats.local_dates += 1
        return utc, date, assumed, note or dst
    return None, None, None, note or "no date or date_unixtime"


def _who(
    m: dict[str, Any], id_key: str, name_key: str, roster: Roster, stats: _Stats
) -> str | None:
    pid, name = as_str(m.get(id_key)), as_str(m.get(name_key))
    if pid is None and name is not None:
        pid = name
        stats.names_as_ids += 1
    return roster.add(pid, name) if pid is not None else None


def _message(
    m: dict[str, Any], loc: str, options: ParseOptions, roster: Roster, stats: _Stats
) -> Message:
    service = m.get("type") == "service"
    sender = _who(
        m, "actor_id" if service else "from_id", "actor" if service else "from", roster, stats
    )
    text = join_text(m.get("text", m.get("text_entities")))
    if service:
        text = service_text(m, text)
    found = extras(m)
    if found:
        text = (text + "\n" if text else "") + " ".join(found)
    sent_at, original, assumed, note = _time(m, options, stats)
    return Message(
        sender=sender,
        text=text,
        sent_at=sent_at,
        source_location=loc,
        local_time_text=original,
        tz_assumed=assumed,
        source_id=as_str(m.get("id")),
        reply_to=as_str(m.get("reply_to_message_id")),
        is_edited=m.get("edited") is not None or m.get("edited_unixtime") is not None,
        is_system=service,
        forwarded_from=as_str(m.get("forwarded_from")),
        attachments=attachments(m),
        reactions=reactions(m),
        time_note=note,
    )


def _conversation(
    chat: Any, parts: tuple[str | int, ...], options: ParseOptions, owner: str | None
) -> Conversation:
    conv = Conversation(platform=PLATFORM, title=None)
    if owner:
        conv.notes.append(owner)
    if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
        conv.skipped.append(SkippedRecord(path(*parts), "chat entry has no 'messages' list"))
        return conv
    conv.title = as_str(chat.get("name")) or (
        "Saved Messages" if chat.get("type") == "saved_messages" else None
    )
    conv.source_id = as_str(chat.get("id"))
    roster, stats, messages = Roster(), _Stats(), []
    for i, m in enumerate(chat["messages"]):
        loc = path(*parts, "messages", i)
        if not isinstance(m, dict):
            conv.skipped.append(SkippedRecord(loc, "message is not a JSON object", repr(m)[:200]))
            continue
        messages.append(_message(m, loc, options, roster, stats))
    conv.messages = messages
    conv.participants = roster.participants()
    if stats.local_dates:
        note = (
            f"{stats.local_dates} message(s) have no date_unixtime; their 'date' was read as "
            f"local time in {options.tz.key} (time zone from {options.tz_source})"
        )
        if stats.offsets:
            seen = ", ".join(sorted(utc_offset_text(o) for o in stats.offsets))
            note += f"; messages carrying both fields show the exporting machine at {seen}"
        conv.notes.append(note)
    if stats.names_as_ids:
        conv.notes.append(
            f"{stats.names_as_ids} message(s) have no from_id/actor_id; "
            "their senders are identified by display name"
        )
    return conv


def _owner(data: dict[str, Any]) -> str | None:
    info = data.get("personal_information")
    if not isinstance(info, dict):
        return None
    name = " ".join(x for x in (as_str(info.get("first_name")), as_str(info.get("last_name"))) if x)
    user = as_str(info.get("username"))
    ident = f"user{info['user_id']}" if info.get("user_id") is not None else "unknown id"
    label = ", ".join(x for x in (name, f"@{user.lstrip('@')}" if user else "") if x)
    return f"full export made by account {ident}" + (f" ({label})" if label else "")


class TelegramJsonParser:
    """Parser for Telegram Desktop's machine-readable JSON export."""

    name = "telegram_json"
    description = "Telegram Desktop JSON export (result.json), single chat or full export"

    def sniff(self, head: bytes, name: str) -> Sniff:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return Sniff(0.0, "not a JSON object")
        if has_key(text, "guild") and has_key(text, "channel"):
            return Sniff(0.0, "has guild and channel keys (DiscordChatExporter, not Telegram)")
        score, reason = 0.0, ""
        if has_key(text, "date_unixtime"):
            score, reason = 0.9, "has Telegram's date_unixtime key"
        elif has_key(text, "from_id") and has_key(text, "text_entities"):
            score, reason = 0.85, "has Telegram's from_id and text_entities keys"
        elif has_key(text, "personal_information") and has_key(text, "user_id"):
            score, reason = 0.7, "has a Telegram full-export personal_information block"
        elif has_key(text, "messages") and has_key(text, "date") and _KIND.search(text):
            score, reason = 0.6, "has messages with Telegram's type message/service and date"
        if not score:
            return Sniff(
                0.0,
                "no Telegram keys (date_unixtime, from_id + text_entities, personal_information, "
                "type message/service) in the first bytes",
            )
        if name.lower().endswith("result.json"):
            score, reason = round(min(score + 0.05, 1.0), 2), reason + "; named result.json"
        return Sniff(score, reason)

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        data = load_json(stream, name, EXPECTED, options.limits.max_json_bytes)
        if not isinstance(data, dict):
            raise ParseError(
                "top level is not a JSON object", file=name, location="$", expected=EXPECTED
            )
        if isinstance(data.get("messages"), list):
            yield _conversation(data, (), options, None)
            return
        found = False
        owner = _owner(data)
        for section in ("chats", "left_chats"):
            block = data.get(section)
            if isinstance(block, dict) and isinstance(block.get("list"), list):
                found = True
                for i, chat in enumerate(block["list"]):
                    yield _conversation(chat, (section, "list", i), options, owner)
        if not found:
            raise ParseError(
                "no 'messages' list and no 'chats.list'", file=name, location="$", expected=EXPECTED
            )


PARSER = TelegramJsonParser()
