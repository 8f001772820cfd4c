"""Facebook Messenger and Instagram "Download your information" JSON (``message_N.json``).

A thread is split over ``message_1.json``, ``message_2.json``, ... (1 holds the newest), each
listing messages newest first. :class:`MetaJsonParser` reads one file, or a ``.zip`` of an
inbox folder (every thread's files merged); :func:`merge_conversations` merges sibling files
that were parsed one at a time. Output is oldest first. Meta writes text as UTF-8 bytes
escaped one per character (``\\u00c3\\u00a9`` for "é"); such strings are repaired.

Two layouts: the classic one (``participants`` as ``{"name"}`` objects, ``title``,
``messages`` with ``sender_name``, ``timestamp_ms``, ``content``, ``is_unsent``, ``photos``...,
as Messenger and Instagram write it, Instagram's 2024 download under
``your_instagram_activity/messages/inbox/``) and Messenger's end-to-end-encrypted chat download
(2024: ``participants`` as names, ``threadName``, ``messages`` with ``senderName``, ``text``,
``timestamp`` in milliseconds, ``type``, ``isUnsent``, ``media``, ``reactions``), which is
mapped to the classic one key by key (:func:`from_e2ee`) and then read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    EPOCH,
    Roster,
    basename,
    check_json_size,
    from_epoch_ms,
    has_key,
    head_text,
    loads_json,
    path,
)
from vigil.ingest.formats._meta_zip import iter_zip_threads
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

EXPECTED = "a Facebook Messenger or Instagram message_N.json (participants, messages)"
MESSENGER, INSTAGRAM, META = "facebook_messenger", "instagram", "meta"
MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs")
SYSTEM_TYPES = frozenset({"Call", "Subscribe", "Unsubscribe"})
LOOSE_PART = (
    "a loose message_N.json: the parts of a thread split over several message_N.json files are "
    "merged only when they come together in a zip (the thread folder or the whole download); "
    "files given one by one are each their own conversation"
)
_LOOSE_NAME = re.compile(r"(?:^|[/\\])message_[0-9]+\.json$")
NEWEST_FIRST = "the export lists messages newest first; they are given oldest first"
_ZIP_MAGIC = b"PK\x03\x04"
_MEMBER = re.compile(rb"message_\d+\.json")

Resolver = Callable[[str], tuple[AttachmentStatus, str]]
"""Maps an export ``uri`` to (status, source_path) — in a zip, the member that holds it."""


def repair(text: str) -> str:
    """Undo Meta's mojibake: UTF-8 bytes written as one ``\\u00XX`` per byte."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


E2EE_NOTE = (
    "layout: Messenger end-to-end-encrypted chat download (2024: senderName, text, timestamp "
    "in milliseconds), read key by key as the classic layout"
)
_E2EE_KEYS = {"senderName": "sender_name", "timestamp": "timestamp_ms", "text": "content"}
_E2EE_KEYS.update({"isUnsent": "is_unsent", "reactions": "reactions", "type": "type"})


def is_e2ee(data: dict[str, Any]) -> bool:
    """True for Messenger's end-to-end-encrypted layout (``senderName`` / ``timestamp``)."""
    first = next((m for m in data["messages"] if isinstance(m, dict)), None)
    if first is None:
        return "threadName" in data
    return "senderName" in first and "sender_name" not in first


def from_e2ee(data: dict[str, Any]) -> dict[str, Any]:
    """The classic layout of an end-to-end-encrypted chat download; other keys are kept."""
    messages: list[Any] = []
    for m in data["messages"]:
        if not isinstance(m, dict):
            messages.append(m)
            continue
        out = {_E2EE_KEYS.get(k, k): v for k, v in m.items() if k != "media"}
        media = [x if isinstance(x, dict) else {"uri": x} for x in m.get("media") or []]
        out["files"] = [x for x in media if isinstance(x.get("uri"), str)]
        messages.append(out)
    people = [{"name": p} if isinstance(p, str) else p for p in data.get("participants") or []]
    return {**data, "title": data.get("threadName"), "participants": people, "messages": messages}


def _not_held(uri: str) -> tuple[AttachmentStatus, str]:
    return AttachmentStatus.MISSING, uri


@dataclass(slots=True)
class _Ctx:
    roster: Roster = field(default_factory=Roster)
    repaired: int = 0
    ips: dict[str, list[str]] = field(default_factory=dict)

    def fix(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        fixed = repair(value)
        self.repaired += fixed != value
        return fixed


def _attachments(m: dict[str, Any], ctx: _Ctx, resolve: Resolver) -> list[Attachment]:
    refs: list[dict[str, Any]] = [
        item for key in MEDIA_KEYS for item in m.get(key) or [] if isinstance(item, dict)
    ]
    if isinstance(m.get("sticker"), dict):
        refs.append(m["sticker"])
    out: list[Attachment] = []
    for ref in refs:
        uri = ctx.fix(ref.get("uri"))
        if not uri:
            continue
        status, where = resolve(uri)
        out.append(Attachment(file_name=basename(uri), status=status, source_path=where))
    share = m.get("share")
    if isinstance(share, dict) and isinstance(share.get("link"), str):
        link = ctx.fix(share["link"])
        out.append(Attachment(file_name=None, status=AttachmentStatus.OMITTED, source_path=link))
    return out


def _share_text(m: dict[str, Any], ctx: _Ctx) -> str:
    """What a shared post says and whose it is (Instagram), as ``[shared: ...]``."""
    share = m.get("share")
    if not isinstance(share, dict):
        return ""
    said = ctx.fix(share.get("share_text")) or ""
    owner = ctx.fix(share.get("original_content_owner"))
    if not said and not owner:
        return ""
    return f"[shared{f' from {owner}' if owner else ''}{f': {said}' if said else ''}]"


def _text(m: dict[str, Any], ctx: _Ctx) -> str:
    text = ctx.fix(m.get("content")) or ""
    shared = _share_text(m, ctx)
    if text or shared:
        return f"{text}\n{shared}" if text and shared else text or shared
    if isinstance(m.get("call_duration"), int):
        return f"[call, {m['call_duration']} s{', missed' if m.get('missed') else ''}]"
    users = [ctx.fix(u.get("name")) for u in m.get("users") or [] if isinstance(u, dict)]
    if users:
        return f"[{m.get('type', 'users')}: {', '.join(u for u in users if u)}]"
    return ""


def _message(m: dict[str, Any], loc: str, ctx: _Ctx, resolve: Resolver) -> Message:
    sender = ctx.fix(m.get("sender_name")) or None
    stamp = m.get("timestamp_ms")
    sent_at, note = None, None
    if isinstance(stamp, int) and not isinstance(stamp, bool):
        sent_at = from_epoch_ms(stamp)
    else:
        note = "no timestamp_ms" if stamp is None else f"unreadable timestamp_ms {stamp!r}"
    ip = m.get("ip")
    if isinstance(ip, str) and ip:
        ctx.ips.setdefault(ip, []).append(loc)
    reactions = []
    for r in m.get("reactions") or []:
        if isinstance(r, dict):
            reactions.append((ctx.fix(r.get("actor")) or "?", ctx.fix(r.get("reaction")) or "?"))
    return Message(
        sender=sender,
        text=_text(m, ctx),
        sent_at=sent_at,
        source_location=loc,
        local_time_text=str(stamp) if stamp is not None else None,
        tz_assumed=EPOCH if sent_at else None,
        is_deleted=bool(m.get("is_unsent")),
        is_system=m.get("type") in SYSTEM_TYPES,
        attachments=_attachments(m, ctx, resolve),
        reactions=reactions,
        time_note=note,
    )


def _platform(data: dict[str, Any], name: str, raw: bytes) -> str:
    lower = name.lower()
    if "instagram" in lower:
        return INSTAGRAM
    if "facebook" in lower or "messenger" in lower:
        return MESSENGER
    # strongest first: export folder names, Messenger's thread_type, then shared links
    if b"your_instagram_activity/" in raw:
        return INSTAGRAM
    if b"your_facebook_activity/" in raw or "thread_type" in data:
        return MESSENGER
    if b"instagram.com" in raw:
        return INSTAGRAM
    if b"facebook.com" in raw:
        return MESSENGER
    return META


def _order(messages: list[Message]) -> tuple[list[Message], str | None]:
    times = [m.sent_at for m in messages if m.sent_at is not None]
    if all(a >= b for a, b in pairwise(times)):
        return messages[::-1], NEWEST_FIRST if len(times) > 1 and times[0] != times[-1] else None
    if all(a <= b for a, b in pairwise(times)):
        return messages, None
    ordered = sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at))
    return ordered, "messages were not in time order in the export; sorted by timestamp_ms"


def parse_thread(
    raw: bytes, name: str, prefix: str = "", resolve: Resolver = _not_held
) -> Conversation:
    """Parse the bytes of one ``message_N.json``; locations start with ``prefix``."""
    data = loads_json(raw, name, EXPECTED)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ParseError("no top-level 'messages' list", file=name, location="$", expected=EXPECTED)
    e2ee = is_e2ee(data)
    if e2ee:
        data = from_e2ee(data)
    ctx = _Ctx()
    platform = _platform(data, name, raw)
    if e2ee and platform == META:
        platform = MESSENGER
    conv = Conversation(platform=platform, title=ctx.fix(data.get("title")))
    if e2ee:
        conv.notes.append(E2EE_NOTE)
    conv.source_id = ctx.fix(data.get("thread_path"))
    for p in data.get("participants") or []:
        who = ctx.fix(p.get("name")) if isinstance(p, dict) else ctx.fix(p)
        if who:
            ctx.roster.add(who, who)
    messages = []
    for i, m in enumerate(data["messages"]):
        loc = prefix + path("messages", i)
        if isinstance(m, dict):
            messages.append(_message(m, loc, ctx, resolve))
        else:
            conv.skipped.append(SkippedRecord(loc, "message is not a JSON object", repr(m)[:200]))
    conv.messages, order_note = _order(messages)
    for msg in conv.messages:
        if msg.sender:
            ctx.roster.add(msg.sender, msg.sender)
    conv.participants = ctx.roster.participants()
    conv.notes.append("participants are identified by display name (the export has no ids)")
    if order_note:
        conv.notes.append(order_note)
    if conv.platform == META:
        conv.notes.append("could not tell Messenger from Instagram; platform recorded as 'meta'")
    if ctx.repaired:
        conv.notes.append(f"repaired latin-1 mojibake in {ctx.repaired} string(s)")
    for ip, locs in ctx.ips.items():
        shown = ", ".join(locs[:5]) + (f" and {len(locs) - 5} more" if len(locs) > 5 else "")
        conv.notes.append(f"the export records IP address {ip} on {shown}")
    return conv


def merge_conversations(
    conversations: Sequence[Conversation], names: Sequence[str] | None = None
) -> Conversation:
    """Merge the parts of one thread (``message_1.json``, ``message_2.json``, ...).

    ``names`` (one per part) prefix the message and skipped-record locations so that each
    still says which file it came from. Raises ParseError if the parts name different threads.
    """
    if not conversations:
        raise ValueError("nothing to merge")
    if names is not None and len(names) != len(conversations):
        raise ValueError("names must match conversations one to one")
    threads = {c.source_id for c in conversations if c.source_id}
    if len(threads) > 1:
        raise ParseError(
            "the files belong to different threads: " + ", ".join(sorted(threads)),
            file=", ".join(names) if names else None,
        )
    platforms = [c.platform for c in conversations if c.platform != META]
    merged = Conversation(
        platform=platforms[0] if platforms else META,
        title=next((c.title for c in conversations if c.title), None),
        source_id=next(iter(threads), None),
    )
    roster, messages = Roster(), []
    for i, conv in enumerate(conversations):
        prefix = f"{names[i]}: " if names else ""
        messages += [replace(m, source_location=prefix + m.source_location) for m in conv.messages]
        for s in conv.skipped:
            merged.skipped.append(SkippedRecord(prefix + s.source_location, s.reason, s.raw))
        for p in conv.participants:
            roster.add(p.platform_id, p.display_name)
        merged.notes += [n for n in conv.notes if n not in merged.notes and n != NEWEST_FIRST]
    for m in messages:
        if m.sender:
            roster.add(m.sender, m.sender)
    merged.messages = sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at))
    merged.participants = roster.participants()
    if platforms and len(set(platforms)) > 1:
        merged.notes.append("the parts disagree on the platform: " + ", ".join(set(platforms)))
    merged.notes.append(f"merged from {len(conversations)} file(s); given oldest first")
    return merged


class MetaJsonParser:
    """Parser for Messenger / Instagram ``message_N.json`` files and zipped inbox folders."""

    name = "meta_json"
    description = "Facebook Messenger / Instagram 'Download your information' JSON (or its zip)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if head.startswith(_ZIP_MAGIC):
            if _MEMBER.search(head):
                return Sniff(0.8, "zip whose first members include message_N.json")
            if b"messages/inbox/" in head or b"your_instagram_activity/" in head:
                return Sniff(0.6, "zip with Meta's messages/inbox folders in its first members")
            if re.search(r"facebook|instagram|messenger", name, re.IGNORECASE):
                return Sniff(0.3, "zip named like a Meta download; no message_N.json seen yet")
            return Sniff(0.0, "zip without message_N.json or inbox folders in its first members")
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return Sniff(0.0, "not a JSON object")
        hits = [
            k
            for k in ("participants", "messages", "sender_name", "timestamp_ms")
            if has_key(text, k)
        ]
        named = bool(re.search(r"message_\d+\.json$", name))
        if has_key(text, "senderName") and has_key(text, "timestamp") and "messages" in hits:
            return Sniff(0.9, "has Messenger's end-to-end-encrypted keys (senderName, timestamp)")
        if {"sender_name", "timestamp_ms"} <= set(hits) and "messages" in hits:
            score = round(min(0.9 + 0.05 * ("participants" in hits) + 0.05 * named, 1.0), 2)
            why = (
                "has Meta's "
                + ", ".join(hits)
                + (" keys; named message_N.json" if named else " keys")
            )
            return Sniff(score, why)
        if named and "messages" in hits:
            return Sniff(0.5, "named message_N.json with a messages key")
        return Sniff(0.0, "no messages + sender_name + timestamp_ms keys (Meta layout)")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        head = stream.read(4)
        if head == _ZIP_MAGIC:
            stream.seek(0)
            yield from iter_zip_threads(
                stream, name, parse_thread, merge_conversations, options.limits
            )
            return
        cap = options.limits.max_json_bytes
        raw = head + stream.read(cap + 1 - len(head))
        check_json_size(len(raw), name, cap, exact=False)
        conv = parse_thread(raw, name)
        if _LOOSE_NAME.search(name):
            conv.notes.append(LOOSE_PART)
        yield conv


PARSER = MetaJsonParser()
