"""Google Takeout "Google Chat": ``Groups/<DM or Space id>/messages.json`` (and the zip).

Each group folder holds ``messages.json`` (``{"messages": [...]}``, oldest first: ``creator``
``{name, email, user_type}``, ``created_date`` as text such as ``Saturday, March 25, 2023 at
11:30:00 PM UTC``, ``text``, ``message_id``, ``topic_id``, ``attached_files``
``[{original_name, export_name}]``), ``group_info.json`` (``name``, ``members``) and the attached
files under their ``export_name``. Participants are identified by e-mail address (by name
when the export has none).

``created_date`` carries its zone as text: ``UTC``/``GMT`` with or without an offset are
exact; an abbreviation such as ``BST`` is read in ``options.tz`` when that zone uses the same
abbreviation at that time (else the message gets no time, with the reason). Day-first dates
(``Saturday, 25 March 2023 at 23:30:00 UTC``) read too.

Input: one ``messages.json``, or a Takeout zip (one conversation per group folder; attached
files the zip holds become derived exhibits).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._html import ZIP_MAGIC, members_of, open_archive
from vigil.ingest.formats._jsonsupport import (
    IN_SOURCE,
    Roster,
    as_str,
    check_json_size,
    has_key,
    head_text,
    loads_json,
    path,
)
from vigil.ingest.safezip import read_member
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

PLATFORM = "google_chat"
EXPECTED = "a Google Takeout Google Chat messages.json"
_MEMBER = re.compile(r"^(?P<dir>(?:.*/)?)messages\.json$")
_WHEN = re.compile(
    r"^(?:\w+, )?(?P<date>.+?) at (?P<time>\d{1,2}:\d{2}:\d{2})\s*(?P<ampm>[AaPp][Mm])?\s+"
    r"(?P<zone>[A-Za-z]+)(?P<off>[+-]\d{1,2}(?::?\d{2})?)?$"
)
_DATES = ("%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y")


def read_time(
    text: str | None, options: ParseOptions
) -> tuple[datetime | None, str | None, str | None]:
    """(utc, tz_assumed, note) for a ``created_date``."""
    if not text:
        return None, None, "no created_date"
    cleaned = " ".join(text.replace("\u202f", " ").split())
    m = _WHEN.match(cleaned)
    day = None
    if m:
        for fmt in _DATES:
            try:
                day = datetime.strptime(m["date"], fmt)
                break
            except ValueError:
                continue
    if m is None or day is None:
        return None, None, f"unreadable created_date {text!r}"
    hh, mi, ss = (int(x) for x in m["time"].split(":"))
    if m["ampm"]:
        hh = hh % 12 + (12 if m["ampm"].lower() == "pm" else 0)
    try:
        naive = day.replace(hour=hh, minute=mi, second=ss)
    except ValueError:
        return None, None, f"impossible time in created_date {text!r}"
    zone = m["zone"].upper()
    if zone in ("UTC", "GMT"):
        off = m["off"] or "+0"
        sign = -1 if off.startswith("-") else 1
        digits = off[1:].replace(":", "")
        h, mins = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        tz = timezone(sign * timedelta(hours=h, minutes=mins))
        return naive.replace(tzinfo=tz).astimezone(UTC), IN_SOURCE, None
    for fold in (0, 1):
        local = naive.replace(tzinfo=options.tz, fold=fold)
        if local.tzname() == zone:
            return local.astimezone(UTC), f"{options.tz.key} ({zone})", None
    return (
        None,
        None,
        (
            f"created_date is in {zone}, which {options.tz.key} (time zone from "
            f"{options.tz_source}) does not use at that time; pass --tz with the zone it means"
        ),
    )


def _attachments(
    m: dict[str, Any], folder: str, members: Collection[str] | None
) -> list[Attachment]:
    out = []
    for f in m.get("attached_files") or []:
        if not isinstance(f, dict):
            continue
        export = as_str(f.get("export_name"))
        original = as_str(f.get("original_name")) or export
        if export is None:
            out.append(Attachment(original, status=AttachmentStatus.OMITTED))
        elif members is not None and folder + export in members:
            out.append(
                Attachment(original, status=AttachmentStatus.PRESENT, source_path=folder + export)
            )
        else:
            out.append(Attachment(original, status=AttachmentStatus.MISSING, source_path=export))
    return out


def parse_group(
    raw: bytes,
    name: str,
    options: ParseOptions,
    folder: str = "",
    members: Collection[str] | None = None,
    info: Any = None,
) -> Conversation:
    """One group's ``messages.json`` (``info``: its parsed ``group_info.json``, if any)."""
    data = loads_json(raw, name, EXPECTED)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ParseError("no top-level 'messages' list", file=name, location="$", expected=EXPECTED)
    ident = folder.rstrip("/").rsplit("/", 1)[-1] or None
    conv = Conversation(platform=PLATFORM, title=None, source_id=ident)
    roster = Roster()
    if isinstance(info, dict):
        conv.title = as_str(info.get("name"))
        for p in info.get("members") or []:
            if isinstance(p, dict) and (as_str(p.get("email")) or as_str(p.get("name"))):
                roster.add(as_str(p.get("email")) or str(p.get("name")), as_str(p.get("name")))
    messages = []
    local = 0
    for i, m in enumerate(data["messages"]):
        loc = path("messages", i)
        if not isinstance(m, dict):
            conv.skipped.append(SkippedRecord(loc, "message is not a JSON object", repr(m)[:200]))
            continue
        raw_creator = m.get("creator")
        creator: dict[str, Any] = raw_creator if isinstance(raw_creator, dict) else {}
        who = as_str(creator.get("email")) or as_str(creator.get("name"))
        sender = roster.add(who, as_str(creator.get("name"))) if who else None
        stamp = as_str(m.get("created_date"))
        sent_at, assumed, note = read_time(stamp, options)
        local += bool(assumed and assumed != IN_SOURCE)
        messages.append(
            Message(
                sender=sender,
                text=as_str(m.get("text")) or "",
                sent_at=sent_at,
                source_location=loc,
                local_time_text=stamp,
                tz_assumed=assumed,
                source_id=as_str(m.get("message_id")),
                attachments=_attachments(m, folder, members),
                time_note=note,
            )
        )
    conv.messages = messages
    conv.participants = roster.participants()
    if conv.title is None and len(conv.participants) > 0:
        conv.title = ", ".join(p.display_name or p.platform_id for p in conv.participants)
    conv.notes.append("participants are identified by e-mail address (by name where none)")
    if local:
        conv.notes.append(
            f"{local} created_date(s) name a zone abbreviation; read in {options.tz.key} "
            f"(time zone from {options.tz_source}), which uses it at those times"
        )
    return conv


def _from_zip(stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
    zf = open_archive(stream, name, options.limits)
    members = members_of(zf)
    folders = sorted(m["dir"] for x in members if (m := _MEMBER.match(x)) and "Google Chat/" in x)
    if not folders:
        raise ParseError(
            "the zip holds no Google Chat/.../messages.json", file=name, expected=EXPECTED
        )
    cap = options.limits.max_json_bytes
    held = frozenset(members)
    with zf:
        for folder in folders:
            member = folder + "messages.json"
            info = None
            try:
                if folder + "group_info.json" in members:
                    check_json_size(zf.getinfo(folder + "group_info.json").file_size, member, cap)
                    info = loads_json(
                        read_member(zf, folder + "group_info.json", name), member, EXPECTED
                    )
                check_json_size(zf.getinfo(member).file_size, member, cap)
                conv = parse_group(
                    read_member(zf, member, name), member, options, folder, held, info
                )
            except ParseError as exc:
                conv = Conversation(PLATFORM, None, source_id=folder.rstrip("/").rsplit("/", 1)[-1])
                conv.skipped.append(SkippedRecord(member, f"unreadable group file: {exc.message}"))
            yield conv


class GoogleChatParser:
    """Parser for Google Takeout's Google Chat messages.json (or the Takeout zip)."""

    name = "google_chat"
    description = "Google Takeout Google Chat (Groups/*/messages.json, or the Takeout zip)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if head.startswith(ZIP_MAGIC):
            if b"Google Chat/Groups/" in head:
                return Sniff(0.85, "zip with Takeout's Google Chat/Groups/ folders")
            if "takeout" in name.lower():
                return Sniff(
                    0.35, "zip named like a Google Takeout; Google Chat not in its first members"
                )
            return Sniff(0.0, "zip without Google Chat/Groups/ in its first members")
        text = head_text(head)
        if not text.lstrip().startswith("{"):
            return Sniff(0.0, "not a JSON object")
        if has_key(text, "created_date") and has_key(text, "creator") and has_key(text, "messages"):
            return Sniff(0.9, "JSON with Google Chat's messages, creator and created_date keys")
        return Sniff(0.0, "no Google Chat keys (messages, creator, created_date)")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        head = stream.read(4)
        stream.seek(0)
        if head == ZIP_MAGIC:
            yield from _from_zip(stream, name, options)
            return
        cap = options.limits.max_json_bytes
        raw = stream.read(cap + 1)
        check_json_size(len(raw), name, cap, exact=False)
        conv = parse_group(raw, name, options)
        if any(a.status == AttachmentStatus.MISSING for m in conv.messages for a in m.attachments):
            conv.notes.append("attached files are held only when the Takeout zip is ingested")
        yield conv


PARSER = GoogleChatParser()
