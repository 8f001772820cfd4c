"""Telegram Desktop HTML export: ``messages.html``, ``messages2.html``, ... of one chat.

Each page lists ``div.message`` elements. A ``default`` message has a ``div.body`` holding
``div.from_name`` (the sender's display name), ``div.date`` whose ``title`` is the time
(``28.03.2021 14:05:33``; since 2022 with ``UTC+01:00`` after it), ``div.text``, and optionally
``div.reply_to`` (a link ``#go_to_messageN``), ``div.forwarded`` and ``div.media_wrap`` (links to
``photos/``, ``files/``, ``voice_messages/``..., or a "Not included" placeholder). A message
carrying the class ``joined`` has no ``from_name``: it repeats the previous sender, also across
pages. ``service`` messages are events (``Alice created group``); those with a negative id
(``message-1``) are the day headings between messages and are not messages.

Input: one page, or a zip of the export folder (or of a full export, ``chats/chat_NN/``): each
folder's pages are read in order as one conversation, and linked files the zip holds become
derived exhibits. The HTML has no account ids: participants are identified by display name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._html import (
    ZIP_MAGIC,
    Element,
    child,
    children,
    iter_pages,
    members_of,
    open_archive,
    page_limit,
    parse_page,
    read_page,
    resolve_href,
    text_of,
    with_class,
)
from vigil.ingest.formats._jsonsupport import IN_SOURCE, Roster, basename, localize
from vigil.model import Attachment, AttachmentStatus, Conversation, Message, SkippedRecord

PLATFORM = "telegram"
EXPECTED = "a Telegram Desktop HTML export page (messages.html)"
_PAGE = re.compile(r"^(?P<dir>(?:.*/)?)messages(?P<n>\d*)\.html$")
_PAGE_BYTES = re.compile(rb"messages\d*\.html")
_DATE = re.compile(
    r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):(\d{2}))?"
)
_GOTO = re.compile(r"go_to_message(\d+)")
_NOT_FILES = ("http:", "https:", "tg:", "mailto:")
_DETAILS = frozenset({"details"})
BY_NAME = "participants are identified by display name (the HTML export has no account ids)"


@dataclass(slots=True)
class _State:
    options: ParseOptions
    members: Collection[str] | None
    folder: str = ""
    roster: Roster = field(default_factory=Roster)
    messages: list[Message] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    last_sender: str | None = None
    joined: int = 0
    local: int = 0
    headings: int = 0
    title: str | None = None


def read_time(
    title: str | None, options: ParseOptions
) -> tuple[datetime | None, str | None, str | None]:
    """(utc, tz_assumed, note) for a ``div.date`` title."""
    if not title:
        return None, None, "no time (the message has no date title)"
    m = _DATE.fullmatch(title.strip())
    if m is None:
        return None, None, f"unreadable date title {title!r}"
    d, mo, y, hh, mi, ss, sign, oh, om = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss))
    except ValueError:
        return None, None, f"impossible date in title {title!r}"
    if sign is None:
        utc, note = localize(naive, options.tz)
        return utc, options.tz.key, note
    offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    return naive.replace(tzinfo=timezone(offset)).astimezone(UTC), IN_SOURCE, None


def _media(body: Element, st: _State) -> tuple[list[Attachment], list[str]]:
    """Files a message links to, and web links in its media block (locations, web pages)."""
    out: list[Attachment] = []
    links: list[str] = []
    for wrap in children(body, "media_wrap"):
        found = 0
        for a in wrap.iter("a"):
            href = str(a.get("href") or "")
            if not href or href.startswith("#"):
                continue
            found += 1
            if href.startswith(_NOT_FILES):
                title = text_of(a, _DETAILS) or text_of(next(iter(with_class(a, "title")), None))
                links.append(f"[{title}: {href}]" if title else f"[{href}]")
                continue
            status, where = resolve_href(href, st.folder, st.members)
            out.append(Attachment(file_name=basename(href), status=status, source_path=where))
        if not found:  # "Not included, change data exporting settings to download."
            title = text_of(next(iter(with_class(wrap, "title")), None))
            out.append(Attachment(file_name=title or None, status=AttachmentStatus.OMITTED))
    return out, links


def _sender_name(el: Element | None) -> str | None:
    return text_of(el, _DETAILS) or None


def _default(div: Element, loc: str, st: _State) -> Message | None:
    body = child(div, "body")
    if body is None:
        st.skipped.append(SkippedRecord(loc, "message has no div.body", text_of(div)[:200]))
        return None
    name = _sender_name(child(body, "from_name"))
    if name is None and "joined" in str(div.get("class") or ""):
        name = st.last_sender
        st.joined += 1
    sender = st.roster.add(name, name) if name else None
    st.last_sender = name or st.last_sender
    date = child(body, "date")
    title = str(date.get("title")) if date is not None and date.get("title") else None
    sent_at, assumed, note = read_time(title, st.options)
    st.local += assumed == st.options.tz.key
    text = text_of(child(body, "text"))
    forwarded = child(body, "forwarded")
    fwd_from = None
    atts, links = _media(body, st)
    if forwarded is not None:
        fwd_from = _sender_name(child(forwarded, "from_name"))
        text = text or text_of(child(forwarded, "text"))
        more, more_links = _media(forwarded, st)
        atts, links = atts + more, links + more_links
    if links:
        text = "\n".join([text, *links]) if text else "\n".join(links)
    reply = child(body, "reply_to")
    link = next((a for a in reply.iter("a")), None) if reply is not None else None
    goto = _GOTO.search(str(link.get("href") or "")) if link is not None else None
    ident = str(div.get("id") or "").removeprefix("message") or None
    return Message(
        sender=sender,
        text=text,
        sent_at=sent_at,
        source_location=loc,
        local_time_text=title,
        tz_assumed=assumed,
        source_id=ident,
        reply_to=goto.group(1) if goto else None,
        forwarded_from=fwd_from,
        attachments=atts,
        time_note=note,
    )


def _service(div: Element, loc: str, st: _State) -> Message | None:
    ident = str(div.get("id") or "").removeprefix("message")
    if ident.startswith("-"):
        st.headings += 1
        return None
    body = child(div, "body")
    date = child(body, "date") if body is not None else None
    title = str(date.get("title")) if date is not None and date.get("title") else None
    sent_at, assumed, note = read_time(title, st.options)
    if title is None:
        note = "service message: the HTML export gives it no time"
    return Message(
        sender=None,
        text=text_of(body if body is not None else div),
        sent_at=sent_at,
        source_location=loc,
        local_time_text=title,
        tz_assumed=assumed,
        source_id=ident or None,
        is_system=True,
        time_note=note,
    )


def read_page_into(raw: bytes, page: str, st: _State) -> None:
    """Add one page's messages to ``st``; locations start with ``page``."""
    root = parse_page(raw, page, EXPECTED)
    if st.title is None:
        header = next(iter(with_class(root, "page_header")), None)
        st.title = text_of(header) or None
    history = with_class(root, "history")
    if not history:
        raise ParseError("no div.history", file=page, expected=EXPECTED)
    for div in with_class(history[0], "message"):
        kinds = set(str(div.get("class") or "").split())
        loc = f"{page}: #{div.get('id') or '?'} (line {div.sourceline})"
        if "service" in kinds:
            msg = _service(div, loc, st)
        elif "default" in kinds:
            msg = _default(div, loc, st)
        else:
            st.skipped.append(SkippedRecord(loc, "div.message is neither default nor service"))
            continue
        if msg is not None:
            st.messages.append(msg)


def _finish(st: _State, source_id: str | None) -> Conversation:
    conv = Conversation(platform=PLATFORM, title=st.title, source_id=source_id)
    conv.messages, conv.skipped = st.messages, st.skipped
    conv.participants = st.roster.participants()
    conv.notes.append(BY_NAME)
    if st.joined:
        conv.notes.append(
            f"{st.joined} joined message(s) (no sender shown) attributed to the sender before them"
        )
    if st.local:
        conv.notes.append(
            f"{st.local} message time(s) have no UTC offset (exports before 2022); read as local "
            f"time in {st.options.tz.key} (time zone from {st.options.tz_source})"
        )
    if st.headings:
        conv.notes.append(f"{st.headings} day heading(s) are not messages and were not counted")
    if st.members is None and any(m.attachments for m in st.messages):
        conv.notes.append(
            "linked media files are held only when the export folder is ingested as a zip"
        )
    return conv


def _from_zip(stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
    zf = open_archive(stream, name, options.limits)
    members = members_of(zf)
    groups: dict[str, list[tuple[int, str]]] = {}
    for member in members:
        m = _PAGE.match(member.replace("\\", "/"))
        if m:
            groups.setdefault(m["dir"], []).append((int(m["n"] or 1), member))
    if not groups:
        raise ParseError("the zip holds no messages.html", file=name, expected=EXPECTED)
    held = frozenset(members)
    with zf:
        for folder, pages in iter_pages(groups):
            st = _State(options, held, folder)
            for member in pages:
                try:
                    read_page_into(read_page(zf, member, name, options.limits), member, st)
                except ParseError as exc:
                    st.skipped.append(SkippedRecord(member, f"unreadable page: {exc.message}"))
            yield _finish(st, folder.rstrip("/") or None)


class TelegramHtmlParser:
    """Parser for Telegram Desktop's HTML export (a page or the zipped export folder)."""

    name = "telegram_html"
    description = "Telegram Desktop HTML export (messages.html pages, or their folder as a zip)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if head.startswith(ZIP_MAGIC):
            if _PAGE_BYTES.search(head):
                return Sniff(0.8, "zip whose first members include messages.html")
            return Sniff(0.0, "zip without messages.html in its first members")
        low = head[:8192].lower()
        if b"<html" not in low and b"<!doctype html" not in low:
            return Sniff(0.0, "not HTML")
        marks = [
            m for m in (b"page_header", b"history", b"message default", b"from_name") if m in head
        ]
        if len(marks) >= 3:
            named = bool(_PAGE.match(name.replace("\\", "/").rsplit("/", 1)[-1]))
            return Sniff(
                0.95 if named else 0.9,
                "HTML with Telegram's page_header, history and "
                "message classes" + ("; named messages.html" if named else ""),
            )
        return Sniff(0.0, "HTML without Telegram's history/message classes")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        head = stream.read(4)
        stream.seek(0)
        if head == ZIP_MAGIC:
            yield from _from_zip(stream, name, options)
            return
        raw = stream.read(options.limits.max_json_bytes + 1)
        page_limit(len(raw), name, options.limits, exact=False)
        st = _State(options, None)
        read_page_into(raw, name, st)
        yield _finish(st, None)


PARSER = TelegramHtmlParser()
