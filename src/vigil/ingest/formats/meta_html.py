"""Facebook Messenger and Instagram "Download your information" in HTML (``message_N.html``).

A thread folder (``messages/inbox/<thread>/``; Instagram's 2024 download under
``your_instagram_activity/messages/inbox/``) holds ``message_1.html``, ``message_2.html``, ...
(1 the newest), each listing messages newest first. Each message is a ``div`` box (class
``uiBoxWhite``; ``_2lej`` in the 2019-2021 markup, ``_a6-g`` since 2022) with three children:
the sender's name, the body (text, and links or ``img``/``video``/``audio`` elements pointing at
the media files by their path from the download's root), and the time as the download wrote it
(``Mar 25, 2023, 11:30 PM`` or ``Mar 25, 2023 11:30:00 pm``): a local time without an offset,
read in ``options.tz`` and noted. The class names are Meta's generated ones; the parser relies
on the box's class and its three children, not on the other class names.

Input: one page, or a zip of a thread folder or of the whole download (every thread's pages
merged, media files found by their trailing path and registered as derived exhibits). The HTML
has no account ids: participants are identified by display name. The page's ``<title>`` is the
thread title. Reactions and the "unsent" marker are not read from HTML (the JSON download has
them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._html import (
    ZIP_MAGIC,
    Element,
    classes,
    members_of,
    open_archive,
    page_limit,
    parse_page,
    read_page,
    text_of,
)
from vigil.ingest.formats._jsonsupport import Roster, basename, localize
from vigil.ingest.formats._meta_zip import Resolver, make_resolver
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

EXPECTED = "a Facebook Messenger or Instagram message_N.html (Download your information, HTML)"
MESSENGER, INSTAGRAM, META = "facebook_messenger", "instagram", "meta"
BOX = frozenset({"uiBoxWhite", "_2lej", "_a6-g"})
_PAGE = re.compile(r"^(?P<dir>(?:.*/)?)message_(?P<n>\d+)\.html$")
_PAGE_BYTES = re.compile(rb"message_\d+\.html")
FORMATS = (
    "%b %d, %Y, %I:%M %p",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y, %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M:%S",
)
BY_NAME = "participants are identified by display name (the HTML download has no account ids)"
NEWEST_FIRST = "the download lists messages newest first; they are given oldest first"


def read_time(text: str, options: ParseOptions) -> tuple[datetime | None, str | None, str | None]:
    """(utc, tz_assumed, note) for the time text of a message box."""
    cleaned = " ".join(text.split())
    for fmt in FORMATS:
        try:
            naive = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        utc, note = localize(naive, options.tz)
        return utc, options.tz.key, note
    return None, None, f"unreadable time {text!r}"


@dataclass(slots=True)
class _Thread:
    options: ParseOptions
    resolve: Resolver | None
    roster: Roster = field(default_factory=Roster)
    messages: list[Message] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    title: str | None = None
    local: int = 0


def _attachments(body: Element, th: _Thread) -> list[Attachment]:
    out: list[Attachment] = []
    seen: set[str] = set()
    resolver = th.resolve
    for el in body.iter("a", "img", "video", "audio", "source"):
        ref = str(el.get("href") or el.get("src") or "")
        if not ref or ref in seen or ref.startswith(("#", "data:", "mailto:")):
            continue
        seen.add(ref)
        if ref.startswith(("http:", "https:")):
            out.append(Attachment(None, status=AttachmentStatus.OMITTED, source_path=ref))
            continue
        status, where = resolver(ref) if resolver else (AttachmentStatus.MISSING, ref)
        out.append(Attachment(file_name=basename(ref), status=status, source_path=where))
    return out


def _box(box: Element, loc: str, th: _Thread) -> None:
    parts = [c for c in box if isinstance(c.tag, str)]
    if len(parts) != 3:
        th.skipped.append(
            SkippedRecord(
                loc,
                f"message box has {len(parts)} part(s), not 3 (sender, body, time)",
                text_of(box, blocks=True)[:200],
            )
        )
        return
    who, body, when = parts
    name = text_of(who) or None
    sender = th.roster.add(name, name) if name else None
    stamp = text_of(when)
    sent_at, assumed, note = read_time(stamp, th.options)
    th.local += sent_at is not None
    th.messages.append(
        Message(
            sender=sender,
            text=text_of(body, blocks=True),
            sent_at=sent_at,
            source_location=loc,
            local_time_text=stamp or None,
            tz_assumed=assumed,
            attachments=_attachments(body, th),
            time_note=note,
        )
    )


def read_page_into(raw: bytes, page: str, th: _Thread) -> None:
    """Add one page's message boxes to ``th``; locations start with ``page``."""
    root = parse_page(raw, page, EXPECTED)
    if th.title is None:
        th.title = text_of(next(iter(root.iter("title")), None)) or None
    boxes = [d for d in root.iter("div") if BOX & classes(d)]
    if not boxes:
        raise ParseError("no message boxes (div.uiBoxWhite)", file=page, expected=EXPECTED)
    for box in boxes:
        _box(box, f"{page}: line {box.sourceline}", th)


def _order(messages: list[Message]) -> tuple[list[Message], str | None]:
    times = [m.sent_at for m in messages if m.sent_at is not None]
    if len(times) > 1 and all(a >= b for a, b in pairwise(times)) and times[0] != times[-1]:
        return messages[::-1], NEWEST_FIRST
    if all(a <= b for a, b in pairwise(times)):
        return messages, None
    ordered = sorted(messages, key=lambda m: (m.sent_at is None, m.sent_at))
    return ordered, "messages were not in time order in the download; sorted by time"


def _platform(text: str) -> str:
    low = text.lower()
    if "instagram" in low:
        return INSTAGRAM
    if "facebook" in low or "messenger" in low:
        return MESSENGER
    return META


def _finish(th: _Thread, platform: str, source_id: str | None, pages: int) -> Conversation:
    conv = Conversation(platform=platform, title=th.title, source_id=source_id)
    conv.messages, order_note = _order(th.messages)
    conv.skipped = th.skipped
    conv.participants = th.roster.participants()
    conv.notes.append(BY_NAME)
    if order_note:
        conv.notes.append(order_note)
    if pages > 1:
        conv.notes.append(f"merged from {pages} page(s) (message_N.html)")
    if th.local:
        conv.notes.append(
            f"{th.local} message time(s) are local times without an offset, as the download "
            f"wrote them; read in {th.options.tz.key} (time zone from {th.options.tz_source})"
        )
    if platform == META:
        conv.notes.append("could not tell Messenger from Instagram; platform recorded as 'meta'")
    if th.resolve is None and any(
        a.status == AttachmentStatus.MISSING for m in th.messages for a in m.attachments
    ):
        conv.notes.append("media files are held only when the download is ingested as a zip")
    return conv


def _from_zip(stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
    zf = open_archive(stream, name, options.limits)
    members = members_of(zf)
    groups: dict[str, list[tuple[int, str]]] = {}
    for member in members:
        m = _PAGE.match(member.replace("\\", "/"))
        if m:
            groups.setdefault(m["dir"], []).append((int(m["n"]), member))
    if not groups:
        raise ParseError("the zip holds no message_N.html", file=name, expected=EXPECTED)
    resolver = make_resolver(members)
    with zf:
        for folder in sorted(groups):
            th = _Thread(options, resolver)
            pages = [m for _, m in sorted(groups[folder])]
            for member in pages:
                try:
                    read_page_into(read_page(zf, member, name, options.limits), member, th)
                except ParseError as exc:
                    th.skipped.append(SkippedRecord(member, f"unreadable page: {exc.message}"))
            platform = _platform(name + " " + " ".join(members[:50]))
            yield _finish(th, platform, folder.rstrip("/") or None, len(pages))


class MetaHtmlParser:
    """Parser for Messenger / Instagram ``message_N.html`` pages and zipped downloads."""

    name = "meta_html"
    description = "Facebook Messenger / Instagram 'Download your information' HTML (or its zip)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if head.startswith(ZIP_MAGIC):
            if _PAGE_BYTES.search(head):
                return Sniff(0.85, "zip whose first members include message_N.html")
            return Sniff(0.0, "zip without message_N.html in its first members")
        low = head[:8192].lower()
        if b"<html" not in low and b"<!doctype html" not in low:
            return Sniff(0.0, "not HTML")
        if b"uiBoxWhite" in head and (b"_2lej" in head or b"_a6-g" in head):
            named = bool(_PAGE.match(name.replace("\\", "/").rsplit("/", 1)[-1]))
            why = "HTML with Meta's message boxes (uiBoxWhite)"
            return Sniff(0.9 if named else 0.85, why + ("; named message_N.html" if named else ""))
        return Sniff(0.0, "HTML without Meta's message boxes (uiBoxWhite with _2lej or _a6-g)")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        head = stream.read(4)
        stream.seek(0)
        if head == ZIP_MAGIC:
            yield from _from_zip(stream, name, options)
            return
        raw = stream.read(options.limits.max_json_bytes + 1)
        page_limit(len(raw), name, options.limits, exact=False)
        th = _Thread(options, None)
        read_page_into(raw, name, th)
        yield _finish(th, _platform(name), None, 1)


PARSER = MetaHtmlParser()
