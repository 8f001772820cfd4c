"""DiscordChatExporter CSV: ``AuthorID,Author,Date,Content,Attachments,Reactions``.

The CSV has no message ids, types or channel block; the channel name and id are taken from
DiscordChatExporter's file name pattern ``Guild - channel [123].csv`` when it is used.
Dates are ISO 8601 in recent versions; older ones wrote local times such as
``04-Jan-19 05:52 PM``, which are read in ``options.tz`` and reported in the notes.

The file is read line by line with a bounded ``readline``: a line longer than the message limit
(``ParseOptions.limits``) is never held whole; its record is skipped with that reason (the exhibit
keeps every byte).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._jsonsupport import (
    BOM,
    Roster,
    basename,
    localize,
    parse_iso,
    unnamed,
)
from vigil.ingest.formats.discord_json import PLATFORM, attachment
from vigil.ingest.lines import SETTING, Cut, bounded_lines
from vigil.model import Conversation, Message, SkippedRecord

EXPECTED = "a DiscordChatExporter CSV export (AuthorID,Author,Date,Content,Attachments,Reactions)"
_REQUIRED = ("author", "date", "content")
_LOCAL_FORMATS = (
    ("%d-%b-%y %I:%M %p", None),
    ("%d-%b-%y %H:%M", None),
    ("%m/%d/%Y %I:%M %p", "read as month/day/year (DiscordChatExporter's default en-US locale)"),
    ("%m/%d/%Y %I:%M:%S %p", "read as month/day/year (DiscordChatExporter's default en-US locale)"),
)
_REACTION = re.compile(r"\s*(.+?) \((\d+)\)\s*(?:,|$)")
_FILE_NAME = re.compile(
    r"^(?P<guild>.+?) - (?P<channel>.+?) \[(?P<id>\d+)\](?: \(part \d+\))?\.csv$"
)


def _columns(header: list[str]) -> dict[str, int]:
    return {h.strip().lower(): i for i, h in enumerate(header)}


def _time(text: str, options: ParseOptions) -> tuple[datetime | None, str | None, str | None, bool]:
    """(utc, tz_assumed, note, was_local) or (None, None, reason, False)."""
    try:
        utc, assumed, note = parse_iso(text, options.tz)
        return utc, assumed, note, assumed == options.tz.key
    except ValueError:
        pass
    for fmt, order_note in _LOCAL_FORMATS:
        try:
            naive = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        utc, dst = localize(naive, options.tz)
        note = "; ".join(n for n in (order_note, dst) if n) or None
        return utc, options.tz.key, note, True
    return None, None, f"unreadable date {text!r}", False


def _text_lines(
    stream: BinaryIO, name: str, limit: int, skipped: list[SkippedRecord]
) -> Iterator[str]:
    """The file's lines as text (BOM dropped); undecodable bytes raise ParseError with their
    offset and line; a line over ``limit`` bytes goes on empty and into ``skipped``."""
    cuts: list[Cut] = []
    for number, start, raw, cut in bounded_lines(stream, limit, cuts):
        if cut:
            size = limit + cuts[-1].dropped
            skipped.append(
                SkippedRecord(
                    f"line {number}",
                    f"line of {size:,} bytes (from byte offset {start:,}) is longer than the "
                    f"{limit:,}-byte limit ({SETTING}): not read (the full bytes stay in the "
                    "exhibit)",
                    raw[:200].decode("utf-8", "replace"),
                )
            )
            yield "\n"
            continue
        if number == 1 and raw.startswith(BOM):
            raw, start = raw[len(BOM) :], start + len(BOM)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"undecodable byte 0x{raw[exc.start]:02x} (not UTF-8)",
                file=name,
                location=f"offset {start + exc.start}, line {number}",
                expected=EXPECTED,
            ) from exc


def _reactions(cell: str) -> list[tuple[str, str]]:
    return [(unnamed(int(count)), emoji) for emoji, count in _REACTION.findall(cell)]


def _conversation_for(name: str) -> Conversation:
    match = _FILE_NAME.match(basename(name) or "")
    if match is None:
        return Conversation(platform=PLATFORM, title=None)
    return Conversation(
        platform=PLATFORM,
        title=f"{match['guild']} / {match['channel']}",
        source_id=match["id"],
        notes=["channel name and id taken from the file name"],
    )


class DiscordCsvParser:
    """Parser for DiscordChatExporter's CSV output."""

    name = "discord_csv"
    description = (
        "DiscordChatExporter CSV (AuthorID, Author, Date, Content, Attachments, Reactions)"
    )

    def sniff(self, head: bytes, name: str) -> Sniff:
        first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
        try:
            cols = _columns(next(csv.reader([first])))
        except (csv.Error, StopIteration):
            return Sniff(0.0, "first line is not CSV")
        if not all(c in cols for c in _REQUIRED):
            return Sniff(0.0, "header lacks Author, Date and Content columns")
        if "authorid" in cols and "attachments" in cols:
            return Sniff(0.95, "header is DiscordChatExporter's AuthorID,Author,Date,Content,...")
        if "attachments" in cols and "reactions" in cols:
            return Sniff(
                0.8, "header is DiscordChatExporter's older Author,Date,Content,... layout"
            )
        return Sniff(0.0, "header has Author/Date/Content but not DiscordChatExporter's columns")

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        cut: list[SkippedRecord] = []
        reader = csv.reader(_text_lines(stream, name, options.limits.max_message_bytes, cut))
        try:
            header = next(reader)
        except StopIteration:
            raise ParseError(
                "file is empty", file=name, location="line 1", expected=EXPECTED
            ) from None
        except csv.Error as exc:
            raise ParseError(f"unreadable CSV header: {exc}", file=name, location="line 1") from exc
        cols = _columns(header)
        missing = [c for c in _REQUIRED if c not in cols]
        if missing:
            raise ParseError(
                f"header lacks column(s) {', '.join(missing)}",
                file=name,
                location="line 1",
                expected=EXPECTED,
            )
        conv = _conversation_for(name)
        roster, messages, local = Roster(), [], 0
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ParseError(
                    f"malformed CSV: {exc}", file=name, location=f"line {start}"
                ) from exc
            loc, start = f"line {start}", reader.line_num + 1
            if not row:
                continue
            if len(row) < len(header):
                conv.skipped.append(
                    SkippedRecord(loc, f"{len(row)} fields, expected {len(header)}", ",".join(row))
                )
                continue

            def cell(key: str, row: list[str] = row) -> str:
                return row[cols[key]] if key in cols else ""

            author = cell("author")
            pid = cell("authorid") or author
            sender = roster.add(pid, author or None) if pid else None
            stamp = cell("date")
            sent_at, assumed, note, was_local = _time(stamp, options)
            local += was_local
            urls = [u.strip() for u in cell("attachments").split(",") if u.strip()]
            messages.append(
                Message(
                    sender=sender,
                    text=cell("content"),
                    sent_at=sent_at,
                    source_location=loc,
                    local_time_text=stamp,
                    tz_assumed=assumed,
                    attachments=[attachment(u, None) for u in urls],
                    reactions=_reactions(cell("reactions")),
                    time_note=note,
                )
            )
        conv.messages = messages
        conv.skipped.extend(cut)
        conv.skipped.sort(key=lambda r: int(r.source_location.removeprefix("line ")))
        conv.participants = roster.participants()
        if local:
            conv.notes.append(
                f"{local} date(s) have no UTC offset; read as local time in {options.tz.key} "
                f"(time zone from {options.tz_source})"
            )
        if "authorid" not in cols:
            conv.notes.append("no AuthorID column; senders are identified by their name")
        yield conv


PARSER = DiscordCsvParser()
