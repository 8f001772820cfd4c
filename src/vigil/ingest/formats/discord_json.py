"""DiscordChatExporter JSON: one channel per file (``guild``, ``channel``, ``messages``).

The entries are trusted over the declared ``messageCount``; a disagreement is reported in
the conversation notes. A message id seen again is kept once and the repeat recorded as a
skipped record whose reason starts with "duplicate id".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    Roster,
    as_str,
    has_key,
    head_text,
    load_json,
    parse_iso,
    path,
    unnamed,
)
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

PLATFORM = "discord"
EXPECTED = "a DiscordChatExporter JSON export"
USER_TYPES = frozenset(
    {"Default", "Reply", "ApplicationCommand", "ChatInputCommand", "ContextMenuCommand"}
)
"""Message types written by a user; every other type (Call, ChannelNameChange, ...) is system."""


def display_name(author: dict[str, Any]) -> str | None:
    """``nickname (name#1234)``; the discriminator is left out when it is 0/0000 (new names)."""
    name = as_str(author.get("name"))
    disc = as_str(author.get("discriminator"))
    base = f"{name}#{disc}" if name and disc and disc.strip("0") else name
    nick = as_str(author.get("nickname"))
    if nick and nick != name:
        return f"{nick} ({base})" if base else nick
    return base


def attachment(url: str | None, file_name: str | None, size: Any = None) -> Attachment:
    """A DiscordChatExporter attachment: remote (CDN url, not in the export) or a local path."""
    remote = url is None or url.startswith(("http://", "https://"))
    return Attachment(
        file_name=file_name or (url.rsplit("/", 1)[-1].split("?", 1)[0] if url else None),
        status=AttachmentStatus.OMITTED if remote else AttachmentStatus.MISSING,
        size=size if isinstance(size, int) else None,
        source_path=url,
    )


def _reactions(m: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for r in m.get("reactions") or []:
        if not isinstance(r, dict):
            continue
        emoji_obj = r.get("emoji")
        emoji = as_str(emoji_obj.get("name")) if isinstance(emoji_obj, dict) else None
        emoji = emoji or "?"
        named = 0
        for user in r.get("users") or []:
            if isinstance(user, dict):
                out.append((as_str(user.get("id")) or as_str(user.get("name")) or "?", emoji))
                named += 1
        count = r.get("count")
        if isinstance(count, int) and count > named:
            out.append((unnamed(count - named), emoji))
    return out


def _message(m: dict[str, Any], loc: str, options: ParseOptions, roster: Roster) -> Message:
    kind = as_str(m.get("type")) or "Default"
    author = m.get("author")
    sender = None
    if isinstance(author, dict) and as_str(author.get("id")):
        sender = roster.add(str(author["id"]), display_name(author))
    stamp = as_str(m.get("timestamp"))
    sent_at, assumed, note = None, None, None
    if stamp is None:
        note = "no timestamp"
    else:
        try:
            sent_at, assumed, note = parse_iso(stamp, options.tz)
        except ValueError:
            note = f"unreadable timestamp {stamp!r}"
    text = m.get("content")
    text = text if isinstance(text, str) else ""
    system = kind not in USER_TYPES
    if system and not text:
        text = f"[{kind}]"
    attachments = [
        attachment(as_str(a.get("url")), as_str(a.get("fileName")), a.get("fileSizeBytes"))
        for a in m.get("attachments") or []
        if isinstance(a, dict)
    ]
    attachments += [
        attachment(as_str(s.get("sourceUrl")), as_str(s.get("name")))
        for s in m.get("stickers") or []
        if isinstance(s, dict)
    ]
    ref = m.get("reference")
    return Message(
        sender=sender,
        text=text,
        sent_at=sent_at,
        source_location=loc,
        local_time_text=stamp,
        tz_assumed=assumed,
        source_id=as_str(m.get("id")),
        reply_to=as_str(ref.get("messageId")) if isinstance(ref, dict) else None,
        is_edited=m.get("timestampEdited") is not None,
        is_system=system,
        attachments=attachments,
        reactions=_reactions(m),
        time_note=note,
    )


def _title(data: dict[str, Any]) -> str | None:
    guild, channel = data.get("guild"), data.get("channel")
    gname = as_str(guild.get("name")) if isinstance(guild, dict) else None
    cname = as_str(channel.get("name")) if isinstance(channel, dict) else None
    if gname and cname:
        return f"{gname} / {cname}"
    return cname or gname


def _conversation(data: dict[str, Any], options: ParseOptions) -> Conversation:
    channel = data.get("channel")
    conv = Conversation(
        platform=PLATFORM,
        title=_title(data),
        source_id=as_str(channel.get("id")) if isinstance(channel, dict) else None,
    )
    roster, messages = Roster(), []
    first_seen: dict[str, tuple[str, dict[str, Any]]] = {}
    entries = data["messages"]
    for i, m in enumerate(entries):
        loc = path("messages", i)
        if not isinstance(m, dict):
            conv.skipped.append(SkippedRecord(loc, "message is not a JSON object", repr(m)[:200]))
            continue
        mid = as_str(m.get("id"))
        if mid is not None and mid in first_seen:
            where, earlier = first_seen[mid]
            same = "identical to" if earlier == m else "differs from"
            conv.skipped.append(
                SkippedRecord(loc, f"duplicate id {mid}: {same} {where}, which is kept")
            )
            continue
        if mid is not None:
            first_seen[mid] = (loc, m)
        messages.append(_message(m, loc, options, roster))
    conv.messages = messages
    conv.participants = roster.participants()
    declared = data.get("messageCount")
    if isinstance(declared, int) and not declared == len(entries) == len(messages):
        conv.notes.append(
            f"declared messageCount {declared}, but {len(entries)} entries found and "
            f"{len(messages)} messages kept; the entries are trusted over the declared count"
        )
    return conv


class DiscordJsonParser:
    """Parser for DiscordChatExporter's JSON output."""

    name = "discord_json"
    description = "DiscordChatExporter JSON (one channel per file)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return Sniff(0.0, "not a JSON object")
        keys = [k for k in ("guild", "channel", "messages") if has_key(text, k)]
        if keys == ["guild", "channel", "messages"]:
            return Sniff(0.95, "has DiscordChatExporter's guild, channel and messages keys")
        if keys[:2] == ["guild", "channel"]:
            return Sniff(0.8, "has guild and channel keys (messages beyond the first bytes)")
        return Sniff(0.0, "no guild + channel + messages keys (DiscordChatExporter layout)")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        data = load_json(stream, name, EXPECTED, options.limits.max_json_bytes)
        if not isinstance(data, dict):
            raise ParseError(
                "top level is not a JSON object", file=name, location="$", expected=EXPECTED
            )
        if not isinstance(data.get("messages"), list):
            raise ParseError("no 'messages' list", file=name, location="$", expected=EXPECTED)
        yield _conversation(data, options)


PARSER = DiscordJsonParser()
