"""Google Takeout Hangouts: ``Hangouts/Hangouts.json``.

``conversations`` lists entries with ``conversation`` (``conversation_id.id`` and
``conversation`` holding ``name`` and ``participant_data``: ``id.gaia_id``, ``fallback_name``)
and ``events``: ``sender_id.gaia_id``, ``timestamp`` (microseconds since the epoch, UTC),
``event_id``, ``event_type`` and, for chat, ``chat_message.message_content`` with ``segment``
(``TEXT``, ``LINK``, ``LINE_BREAK``) and ``attachment`` (``embed_item.plus_photo.url``; the
media are links to Google's servers, not files in the export). The older layout
(``conversation_state`` entries with ``conversation_state.conversation`` and ``.event``) is
read the same way. Events other than chat messages (hangout calls, renames, membership) are
system messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    EPOCH,
    Roster,
    as_str,
    from_epoch_ms,
    has_key,
    head_text,
    load_json,
    path,
)
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

PLATFORM = "google_hangouts"
EXPECTED = "a Google Takeout Hangouts.json"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _time(stamp: Any) -> tuple[datetime | None, str | None]:
    try:
        micros = int(str(stamp))
    except ValueError:
        return None, f"unreadable timestamp {stamp!r}" if stamp is not None else "no timestamp"
    return from_epoch_ms(micros // 1000), None


def _text(content: dict[str, Any]) -> str:
    out = []
    for seg in content.get("segment") or []:
        if isinstance(seg, dict):
            out.append("\n" if seg.get("type") == "LINE_BREAK" else str(seg.get("text") or ""))
    return "".join(out)


def _attachments(content: dict[str, Any]) -> list[Attachment]:
    out = []
    for att in content.get("attachment") or []:
        item = _dict(_dict(att).get("embed_item"))
        photo = _dict(item.get("plus_photo"))
        url = as_str(photo.get("url")) or as_str(_dict(photo.get("thumbnail")).get("url"))
        out.append(Attachment(None, status=AttachmentStatus.OMITTED, source_path=url))
    return out


def _event(e: dict[str, Any], loc: str, roster: Roster) -> Message:
    who = as_str(_dict(e.get("sender_id")).get("gaia_id"))
    sender = roster.add(who, None) if who else None
    content = _dict(_dict(e.get("chat_message")).get("message_content"))
    kind = as_str(e.get("event_type")) or "?"
    chat = kind == "REGULAR_CHAT_MESSAGE"
    sent_at, note = _time(e.get("timestamp"))
    return Message(
        sender=sender,
        text=_text(content) if chat else f"[{kind}]",
        sent_at=sent_at,
        source_location=loc,
        local_time_text=as_str(e.get("timestamp")),
        tz_assumed=EPOCH if sent_at else None,
        source_id=as_str(e.get("event_id")),
        is_system=not chat,
        attachments=_attachments(content),
        time_note=note,
    )


def _conversation(entry: Any, loc: tuple[str | int, ...]) -> Conversation:
    conv = Conversation(platform=PLATFORM, title=None)
    outer = _dict(entry)
    if "conversation_state" in outer:  # older layout
        state = _dict(outer.get("conversation_state"))
        meta, events, ev_key = _dict(state.get("conversation")), state.get("event"), "event"
        loc = (*loc, "conversation_state")
    else:
        meta = _dict(_dict(outer.get("conversation")).get("conversation"))
        events, ev_key = outer.get("events"), "events"
    conv.source_id = as_str(_dict(meta.get("id")).get("id"))
    conv.title = as_str(meta.get("name"))
    roster = Roster()
    for p in meta.get("participant_data") or []:
        pid = as_str(_dict(_dict(p).get("id")).get("gaia_id"))
        if pid:
            roster.add(pid, as_str(_dict(p).get("fallback_name")))
    if not isinstance(events, list):
        conv.skipped.append(SkippedRecord(path(*loc), f"conversation has no '{ev_key}' list"))
        events = []
    messages = []
    for i, e in enumerate(events):
        where = path(*loc, ev_key, i)
        if not isinstance(e, dict):
            conv.skipped.append(SkippedRecord(where, "event is not a JSON object", repr(e)[:200]))
            continue
        messages.append(_event(e, where, roster))
    conv.messages = sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at))
    conv.participants = roster.participants()
    if conv.title is None:
        names = [p.display_name or p.platform_id for p in conv.participants]
        conv.title = ", ".join(names) or None
    conv.notes.append("participants are identified by Google account id (gaia_id)")
    return conv


class HangoutsJsonParser:
    """Parser for Google Takeout's Hangouts.json."""

    name = "hangouts_json"
    description = "Google Takeout Hangouts (Hangouts.json)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        text = head_text(head)
        if not text.lstrip().startswith("{"):
            return Sniff(0.0, "not a JSON object")
        if has_key(text, "conversation_state") or (
            has_key(text, "conversations") and has_key(text, "participant_data")
        ):
            return Sniff(0.9, "JSON with Hangouts' conversations / participant_data keys")
        if name.lower().endswith("hangouts.json") and has_key(text, "conversations"):
            return Sniff(0.6, "named Hangouts.json with a conversations key")
        return Sniff(0.0, "no Hangouts keys (conversations + participant_data)")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        data = load_json(stream, name, EXPECTED, options.limits.max_json_bytes)
        key = "conversations" if isinstance(_dict(data).get("conversations"), list) else None
        if key is None and isinstance(_dict(data).get("conversation_state"), list):
            key = "conversation_state"
        if key is None:
            raise ParseError(
                "no 'conversations' or 'conversation_state' list",
                file=name,
                location="$",
                expected=EXPECTED,
            )
        for i, entry in enumerate(data[key]):
            if key == "conversation_state":
                entry = {"conversation_state": _dict(entry).get("conversation_state")}
            yield _conversation(entry, (key, i))


PARSER = HangoutsJsonParser()
