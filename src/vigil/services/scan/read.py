"""Reading ``vigil scan`` input: CSV, JSON lines or Parquet, in the segment or the row layout.

Two layouts (columns are matched case-insensitively; other columns are ignored):

* segment: ``id,segment``. One conversation per record; its messages are the segment's lines
  (blank lines skipped, a trailing CR dropped), senders and times unknown. This is what the
  learned model is trained on (``vigil.analysis.learn.data``) and what the evaluation harness
  writes.
* rows: ``conversation,text`` and optionally ``sender`` and ``time``. One message per record,
  grouped into conversations in order of first appearance; ISO 8601 times, a time without an
  offset read as UTC.

Readers stream: a record is read, turned into a message or a conversation and handed on. A bad
record (missing id or text, bad time, invalid JSON, bytes that are not UTF-8) becomes a
:class:`Bad` naming its line (CSV, JSON lines) or row (Parquet) and the batch goes on. Only a
file that cannot be read at all (absent, empty, without the required columns) raises.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vigil.analysis.assess import MsgView
from vigil.analysis.score import ConversationInput
from vigil.errors import ParseError, UserError

FORMATS = ("csv", "jsonl", "parquet")
EXTENSIONS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
SEGMENT, ROWS = "segment", "rows"
COLUMNS = {SEGMENT: ("id", "segment"), ROWS: ("conversation", "sender", "time", "text")}
EXPECTED = "columns id,segment (one conversation a record) or conversation,sender,time,text"
PARQUET_BATCH_ROWS = 8192
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
"""Lone surrogates: where ``surrogateescape`` put bytes that are not UTF-8."""


@dataclass(frozen=True, slots=True)
class Bad:
    """A record that was skipped: where it is, its id when known, and why."""

    location: str
    id: str | None
    reason: str


Record = tuple[int, dict[str, Any]]
"""(line or row number, the layout's columns that the record has; lowercase names)"""


@dataclass(frozen=True, slots=True)
class Source:
    """An opened input: its layout, what its record numbers count, and its records."""

    layout: str
    unit: str
    """``line`` (CSV, JSON lines) or ``row`` (Parquet)."""
    records: Generator[Record | Bad, None, None]


class _BadValue(ValueError):
    """A value that makes its record bad: ``args`` are the reason and the record's id, if known."""

    def __init__(self, reason: str, ident: str | None = None) -> None:
        super().__init__(reason, ident)

    def __str__(self) -> str:
        return str(self.args[0])


def format_of(path: Path, given: str | None, option: str) -> str:
    """The file format: ``given``, else from the extension."""
    if given:
        fmt = given.strip().lower()
        if fmt == "json":
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise UserError(f"unknown format {given!r}", hint=f"use one of: {', '.join(FORMATS)}")
        return fmt
    fmt = EXTENSIONS.get(path.suffix.lower(), "")
    if not fmt:
        raise UserError(
            f"{path}: cannot tell the format from the extension {path.suffix or '(none)'!r}",
            hint=f"name it .csv, .jsonl or .parquet, or give {option} csv|jsonl|parquet",
        )
    return fmt


def layout_of(columns: Iterable[str], name: str, location: str) -> str:
    """Which layout the columns give; a :class:`ParseError` when neither fits."""
    cols = set(columns)
    if "segment" in cols:
        if "id" not in cols:
            raise ParseError(
                "a segment column but no id column", file=name, location=location, expected=EXPECTED
            )
        return SEGMENT
    if {"conversation", "text"} <= cols:
        return ROWS
    shown = ", ".join(sorted(cols)) or "none"
    raise ParseError(
        f"the required columns are missing (columns found: {shown})",
        file=name,
        location=location,
        expected=EXPECTED,
    )


def open_input(path: Path, fmt: str) -> Source:
    """The layout and a stream of records of ``path`` (the file closes when the stream ends)."""
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise UserError(f"{path}: {what}", hint="give an input file with --in")
    if fmt == "csv":
        return _csv(path)
    if fmt == "jsonl":
        return _jsonl(path)
    return _parquet(path)


# --- CSV ---------------------------------------------------------------------------------


def _csv(path: Path) -> Source:
    csv.field_size_limit(sys.maxsize)  # segments can be long; the default stops at 128 KiB
    name = str(path)
    f = path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(f)
    try:
        header = next(reader, None)
        if header is None:
            raise ParseError("the file is empty", file=name, location="line 1", expected=EXPECTED)
        names = [h.strip().lower() for h in header]
        if _NOT_UTF8.search("".join(names)):
            raise ParseError(
                "the header has bytes that are not UTF-8", file=name, location="line 1"
            )
        layout = layout_of(names, name, "line 1")
    except (csv.Error, ParseError) as exc:
        f.close()
        if isinstance(exc, ParseError):
            raise
        raise ParseError(f"unreadable CSV header: {exc}", file=name, location="line 1") from exc
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in COLUMNS[layout]:
            index.setdefault(n, i)
    id_col = "id" if layout == SEGMENT else "conversation"
    return Source(layout, "line", _csv_records(f, reader, index, len(names), id_col))


def _csv_records(
    f: Any, reader: Any, index: dict[str, int], width: int, id_col: str
) -> Generator[Record | Bad, None, None]:
    names, cols = tuple(index), tuple(index.values())
    with f:
        end = reader.line_num
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader.line_num
                yield Bad(f"line {start}", None, f"unreadable CSV row: {exc}")
                continue
            end = reader.line_num
            if len(row) != width:
                if row:  # else a blank line
                    reason = f"row has {len(row)} fields, the header has {width}"
                    yield Bad(f"line {start}", None, reason)
                continue
            values = [row[i] for i in cols]
            joined = "".join(values)
            if not joined.isascii() and _NOT_UTF8.search(joined):
                ident = values[names.index(id_col)] if id_col in names else None
                clean = ident if ident and not _NOT_UTF8.search(ident) else None
                yield Bad(f"line {start}", clean, "bytes that are not UTF-8")
                continue
            yield start, dict(zip(names, values, strict=True))


# --- JSON lines ----------------------------------------------------------------------------


def _json_line(number: int, raw: bytes) -> Record | Bad | None:
    if not raw.strip():
        return None
    where = f"line {number}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Bad(where, None, f"bytes that are not UTF-8 (at byte {exc.start} of the line)")
    if number == 1:
        text = text.removeprefix("\ufeff")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Bad(where, None, f"invalid JSON at column {exc.colno}: {exc.msg}")
    if not isinstance(obj, dict):
        return Bad(where, None, f"a JSON {type(obj).__name__}, not an object")
    return number, {str(k).strip().lower(): v for k, v in obj.items()}


def json_record(number: int, raw: bytes) -> Record | Bad | None:
    """One JSON line as ``vigil scan`` reads it (None for a blank line); the Spark engine
    (:mod:`vigil.scale.partition`) reads JSON lines through this, so both judge a line alike."""
    return _json_line(number, raw)


def _jsonl(path: Path) -> Source:
    name = str(path)
    f = path.open("rb")
    lines = enumerate(f, 1)
    early: list[Bad] = []
    first: Record | None = None
    for number, raw in lines:
        item = _json_line(number, raw)
        if isinstance(item, Bad):
            early.append(item)
        elif item is not None:
            first = item
            break
    if first is None:
        f.close()
        where = early[0].location if early else None
        what = f"no JSON object in the file ({len(early)} unreadable line(s))"
        raise ParseError(what, file=name, location=where, expected=EXPECTED + " as JSON lines")
    try:
        layout = layout_of(first[1], name, f"line {first[0]}")
    except ParseError:
        f.close()
        raise
    cols = COLUMNS[layout]
    head: Record = first

    def records() -> Generator[Record | Bad, None, None]:
        with f:
            yield from early
            yield head[0], {k: head[1][k] for k in cols if k in head[1]}
            for number, raw in lines:
                item = _json_line(number, raw)
                if item is None or isinstance(item, Bad):
                    if item is not None:
                        yield item
                    continue
                yield item[0], {k: item[1][k] for k in cols if k in item[1]}

    return Source(layout, "line", records())


# --- Parquet -------------------------------------------------------------------------------


def _parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pf: Any = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for anything unreadable
        raise ParseError(f"not a readable Parquet file ({exc})", file=name) from exc
    real: dict[str, str] = {}
    for n in pf.schema_arrow.names:
        real.setdefault(str(n).strip().lower(), n)
    layout = layout_of(real, name, "schema")
    cols = {k: real[k] for k in COLUMNS[layout] if k in real}

    def records() -> Generator[Record | Bad, None, None]:
        row = 0
        batches = pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=list(cols.values()))
        try:
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    return
                except Exception as exc:  # a damaged page: the rest cannot be read
                    yield Bad(
                        f"row {row + 1}", None, f"unreadable Parquet data from here on: {exc}"
                    )
                    return
                data = batch.to_pydict()
                columns = [(k, data[v]) for k, v in cols.items()]
                for i in range(batch.num_rows):
                    row += 1
                    yield row, {k: values[i] for k, values in columns}
        finally:
            pf.close()

    return Source(layout, "row", records())


# --- records to conversations ---------------------------------------------------------------


def _text(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise _BadValue(f"missing {what}")
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _BadValue(f"{what} has bytes that are not UTF-8") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _BadValue(f"{what} is a {type(value).__name__}, not text")


def _ident(value: Any, what: str) -> str:
    ident = _text(value, what)
    if not ident or not ident.strip():
        raise _BadValue(f"missing {what}")
    return ident


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        dt = value
    else:
        raw = _text(value, "time", required=False)
        if raw is None or not raw.strip():
            return None
        try:
            dt = datetime.fromisoformat(raw.strip())
        except ValueError:
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            raise _BadValue(f"bad time {shown!r}: not an ISO 8601 time") from None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt if dt.tzinfo is UTC else dt.astimezone(UTC)


def split_segment(segment: str) -> list[str]:
    """A segment's messages: its lines, blank ones skipped, a trailing CR dropped (as in training)."""
    return [m.rstrip("\r") for m in segment.split("\n") if m.strip()]


def segment_conversations(
    records: Iterable[Record | Bad], unit: str = "line"
) -> Iterator[ConversationInput | Bad]:
    """Segment layout: one conversation per record."""
    for item in records:
        if isinstance(item, Bad):
            yield item
            continue
        number, fields = item
        ident, segment = fields.get("id"), fields.get("segment")
        if type(ident) is not str or type(segment) is not str or not ident or ident.isspace():
            known = None
            try:
                known = _ident(ident, "id")
                segment = _text(segment, "segment")
            except _BadValue as exc:
                yield Bad(f"{unit} {number}", known, str(exc))
                continue
            ident = known
        assert isinstance(ident, str) and isinstance(segment, str)
        lines = [m.rstrip("\r") for m in segment.split("\n") if m.strip()]  # split_segment
        yield ConversationInput(
            ident, [MsgView(i, None, None, t) for i, t in enumerate(lines, start=1)]
        )


def _row(fields: dict[str, Any]) -> tuple[str, str | None, datetime | None, str]:
    """(conversation, sender, time, text) of a row: a fast path for plain text values."""
    conv, sender, when, text = (fields.get(k) for k in ("conversation", "sender", "time", "text"))
    if (
        type(conv) is str
        and type(text) is str
        and (sender is None or type(sender) is str)
        and (when is None or type(when) is str)
        and conv
        and not conv.isspace()
    ):
        try:
            sent = _time(when) if when else None
        except _BadValue as exc:
            raise _BadValue(str(exc), conv) from None
        return conv, sender or None, sent, text
    ident = None
    try:
        ident = _ident(conv, "conversation")
        body = _text(text, "text")
        who = _text(sender, "sender", required=False) or None
        sent = _time(when)
    except _BadValue as exc:
        raise _BadValue(str(exc), ident) from None
    assert body is not None
    return ident, who, sent, body


def row_conversations(
    records: Iterable[Record | Bad], grouped: bool = False, unit: str = "line"
) -> Iterator[ConversationInput | Bad]:
    """Row layout: messages grouped into conversations in order of first appearance.

    Without ``grouped`` every conversation is held until the input ends (memory grows with the
    input). With ``grouped`` a conversation is complete when the next one starts; a row of a
    conversation already completed is a bad record.
    """
    convs: dict[str, list[MsgView]] = {}
    current: str | None = None
    done: set[str] = set()
    for item in records:
        if isinstance(item, Bad):
            yield item
            continue
        number, fields = item
        try:
            conv, sender, when, text = _row(fields)
        except _BadValue as exc:
            yield Bad(f"{unit} {number}", exc.args[1], str(exc.args[0]))
            continue
        if grouped and conv != current:
            if conv in done:
                yield Bad(
                    f"{unit} {number}",
                    conv,
                    "conversation seen again after others began; with --grouped each "
                    "conversation's rows must be together (leave out --grouped to gather them)",
                )
                continue
            if current is not None:
                done.add(current)
                yield ConversationInput(current, convs.pop(current))
            current = conv
        msgs = convs.get(conv)
        if msgs is None:
            msgs = convs[conv] = []
        msgs.append(MsgView(len(msgs) + 1, sender, when, text))
    for conv, msgs in convs.items():
        yield ConversationInput(conv, msgs)
