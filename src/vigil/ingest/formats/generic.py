"""Generic chat table: CSV (with a header row) or JSON lines, read through a column mapping.

The mapping comes from ``ParseOptions.mapping`` (flags, or a small YAML file read with
:func:`load_mapping_yaml`); see :mod:`vigil.ingest.formats._generic_mapping` for its keys.
Without a mapping, obvious column names (sender/author/from, text/message/body,
time/timestamp/date) are used and each conversation's notes say which columns were assumed.

Rows with a bad time or without a sender, text or time become :class:`SkippedRecord` entries
with their line number and reason. Lines are read with a bounded ``readline``: a line longer than
the message limit (``ParseOptions.limits``) is never held whole; its record is skipped with that
reason and the bytes left out are counted in the notes (the exhibit keeps them). Rows are grouped into one conversation per value of the
``conversation`` column (one conversation when it is not mapped), in order of first appearance.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from vigil.errors import ParseError
from vigil.ingest.base import ParseOptions, Sniff
from vigil.ingest.formats._generic_mapping import (
    COLUMN_KEYS,
    REQUIRED,
    as_text,
    check_mapping,
    guess_mapping,
    load_mapping_yaml,
    lookup,
)
from vigil.ingest.formats._timestamps import OFFSET_IN_SOURCE, TimeResult, localise, parse_iso
from vigil.ingest.lines import SETTING, Cut, bounded_lines
from vigil.model import Conversation, Message, Participant, SkippedRecord

__all__ = ["PARSER", "GenericParser", "load_mapping_yaml"]

_DELIMITERS = (",", ";", "\t", "|")
Row = tuple[int, dict[str, Any] | None, str, str | None]
"""(line, fields, reason and raw text when fields is None)"""


def _first_line(head: bytes) -> str:
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _header_columns(line: str) -> list[str]:
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            return []
        return [str(k) for k in obj] if isinstance(obj, dict) else []
    delim = max(_DELIMITERS, key=line.count)
    return next(csv.reader([line], delimiter=delim), [])


def _parse_time(raw: str, fmt: str | None, options: ParseOptions) -> TimeResult:
    if fmt in (None, "", "iso"):
        return parse_iso(raw, options)
    if fmt in ("epoch", "epoch_ms"):
        try:
            value = float(raw)
            dt = datetime.fromtimestamp(value / (1000 if fmt == "epoch_ms" else 1), UTC)
        except (ValueError, OverflowError, OSError):
            return (
                None,
                None,
                f"not an epoch {'millisecond' if fmt == 'epoch_ms' else 'second'} count",
            )
        return dt, "UTC (epoch)", None
    try:
        dt = datetime.strptime(raw.strip(), fmt)
    except ValueError:
        return None, None, f"does not match the time format {fmt!r}"
    if dt.tzinfo is None:
        return localise(dt, options)
    return dt.astimezone(UTC), OFFSET_IN_SOURCE, None


class _Lines:
    """Decode a binary stream line by line, noting undecodable bytes with their offset.

    A line longer than ``limit`` bytes is read no further than that: it goes on as an empty
    line (so a CSV reader sees no half record) and becomes a skipped record."""

    def __init__(self, stream: BinaryIO, name: str, limit: int) -> None:
        self.stream = stream
        self.name = name
        self.limit = limit
        self.number = 0
        self.notes: list[str] = []
        self.cuts: list[Cut] = []
        self.skipped: list[SkippedRecord] = []

    def __iter__(self) -> Iterator[str]:
        for number, start, raw, cut in bounded_lines(self.stream, self.limit, self.cuts):
            self.number = number
            if cut:
                size = self.limit + self.cuts[-1].dropped
                self.skipped.append(
                    SkippedRecord(
                        f"line {number}",
                        f"line of {size:,} bytes (from byte offset {start:,}) is longer than the "
                        f"{self.limit:,}-byte limit ({SETTING}): not read (the full bytes stay "
                        "in the exhibit)",
                        raw=raw[:200].decode("utf-8", "replace"),
                    )
                )
                yield "\n"
                continue
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            nul = raw.find(b"\x00")
            if nul != -1:
                raise ParseError(
                    "binary data (NUL byte)",
                    file=self.name,
                    location=f"line {self.number}, offset {start + nul}",
                    expected="CSV or JSON-lines text",
                )
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.notes.append(
                    f"line {self.number}: undecodable byte at offset {start + exc.start} "
                    "replaced by U+FFFD"
                )
                yield raw.decode("utf-8", errors="replace")


def _csv_rows(lines: _Lines, it: Iterator[str], header: list[str], delim: str) -> Iterator[Row]:
    reader = csv.reader(it, delimiter=delim)
    while True:
        start = lines.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"unreadable CSV row: {exc}", None
            continue
        if not row:
            continue
        if len(row) != len(header):
            reason = f"row has {len(row)} fields, the header has {len(header)}"
            yield start, None, reason, delim.join(row)
            continue
        yield start, dict(zip(header, row, strict=True)), "", None


def _json_rows(lines: _Lines, it: Iterator[str]) -> Iterator[Row]:
    for line in it:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lines.number, None, f"invalid JSON at column {exc.colno}: {exc.msg}", line
            continue
        if not isinstance(obj, dict):
            yield lines.number, None, f"a JSON {type(obj).__name__}, not an object", line
            continue
        yield lines.number, obj, "", None


class GenericParser:
    """Parser for CSV or JSON-lines chat tables with a column mapping."""

    name = "generic"
    description = "Generic CSV or JSON lines with a column mapping (sender, text, time, ...)"

    def sniff(self, head: bytes, name: str) -> Sniff:
        if b"\x00" in head:
            return Sniff(0.0, "binary data (NUL bytes), not a CSV or JSON-lines table")
        line = _first_line(head)
        kind = "JSON lines" if line.startswith("{") else "CSV"
        guess = guess_mapping(_header_columns(line))
        if all(k in guess for k in REQUIRED):
            cols = ", ".join(f"{k}={guess[k]}" for k in REQUIRED)
            return Sniff(
                0.2,
                f"{kind} whose first row names sender, text and time columns ({cols}); "
                "a low score because any table could match: give a mapping to be sure",
            )
        return Sniff(
            0.0,
            "no header naming sender, text and time columns; use --format generic with a "
            "column mapping",
        )

    def parse(self, stream: BinaryIO, name: str, options: ParseOptions) -> Iterator[Conversation]:
        lines = _Lines(stream, name, options.limits.max_message_bytes)
        it = iter(lines)
        first = next((ln for ln in it if ln.strip()), None)
        if first is None:
            raise ParseError("file is empty", file=name, expected="a CSV header or JSON lines")
        notes: list[str] = []
        rows: Iterator[Row]
        if first.lstrip().startswith("{"):
            columns = _header_columns(first.strip())
            mapping = _mapping(options, columns, name, notes)
            rows = _json_rows(lines, itertools.chain([first], it))
        else:
            delim = max(_DELIMITERS, key=first.count)
            columns = next(csv.reader([first], delimiter=delim))
            mapping = _mapping(options, columns, name, notes)
            absent = [v for k, v in mapping.items() if k in COLUMN_KEYS and v not in columns]
            if absent:
                raise ParseError(
                    f"mapped column(s) {', '.join(map(repr, absent))} not in the header",
                    file=name,
                    location=f"line {lines.number}",
                    expected=f"columns from the header: {', '.join(columns)}",
                )
            rows = _csv_rows(lines, it, columns, delim)
        convs, orphans = _group(rows, mapping, options)
        notes.extend(lines.notes)
        if not convs:
            convs = [Conversation(mapping.get("platform", "generic"), None)]
        convs[0].skipped.extend(orphans)
        convs[0].skipped.extend(lines.skipped)
        convs[0].skipped.sort(key=lambda r: int(r.source_location.removeprefix("line ")))
        for conv in convs:
            conv.notes[:0] = notes
            yield conv


def _mapping(
    options: ParseOptions, columns: list[str], name: str, notes: list[str]
) -> dict[str, str]:
    if options.mapping:
        return check_mapping(options.mapping)
    mapping = guess_mapping(columns)
    if not all(k in mapping for k in REQUIRED):
        raise ParseError(
            "no column mapping given and the first row names no obvious "
            "sender, text and time columns",
            file=name,
            location="line 1",
            expected="a mapping of sender, text and time to columns",
            hint="give a mapping with --map or a mapping YAML file",
        )
    notes.append(
        "no column mapping given; assumed " + ", ".join(f"{k}={v!r}" for k, v in mapping.items())
    )
    return mapping


def _group(
    rows: Iterator[Row], mapping: dict[str, str], options: ParseOptions
) -> tuple[list[Conversation], list[SkippedRecord]]:
    convs: dict[str, Conversation] = {}
    msgs: dict[str, list[Message]] = {}
    orphans: list[SkippedRecord] = []
    platform = mapping.get("platform", "generic")
    for line, fields, reason, raw_row in rows:
        where = f"line {line}"
        if fields is None:
            orphans.append(SkippedRecord(where, reason, raw=raw_row))
            continue
        get = {k: as_text(lookup(fields, v)) for k, v in mapping.items() if k in COLUMN_KEYS}
        key = get.get("conversation") or ""
        conv = convs.get(key)
        if conv is None:
            conv = convs[key] = Conversation(platform, None, source_id=key or None)
            msgs[key] = []
        if not conv.title and get.get("title"):
            conv.title = get["title"]
        missing = [k for k in REQUIRED if get.get(k) is None or (k != "text" and not get[k])]
        if missing:
            raw = json.dumps(fields, ensure_ascii=False, default=str)
            conv.skipped.append(SkippedRecord(where, f"missing {', '.join(missing)}", raw=raw))
            continue
        sender, raw_time = str(get["sender"]), str(get["time"])
        sent_at, tz_assumed, note = _parse_time(raw_time, mapping.get("time_format"), options)
        if sent_at is None:
            conv.skipped.append(
                SkippedRecord(where, f"bad time {raw_time!r}: {note}", raw=raw_time)
            )
            continue
        for pid in (sender, get.get("recipient")):
            if pid and conv.participant(pid) is None:
                conv.participants.append(Participant(pid))
        msgs[key].append(
            Message(
                sender,
                get["text"] or "",
                sent_at,
                where,
                local_time_text=raw_time,
                tz_assumed=tz_assumed,
                source_id=get.get("message_id") or None,
                reply_to=get.get("reply_to") or None,
                time_note=note,
            )
        )
    for key, conv in convs.items():
        conv.messages = msgs[key]
    return list(convs.values()), orphans


PARSER = GenericParser()
