"""Helpers shared by the JSON-family chat parsers (Telegram, Discord, Meta, Snapchat).

Loading turns every failure into a :class:`~vigil.errors.ParseError` that names the byte
offset and line; time helpers return UTC datetimes together with the zone they assumed. A JSON
export is parsed whole, in memory (about ten times its size as Python objects), so a file over
the JSON size limit (``ParseOptions.limits.max_json_bytes``) is refused before it is read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from vigil.errors import ParseError
from vigil.ingest.base import MAX_JSON_BYTES
from vigil.model import Participant

BOM = b"\xef\xbb\xbf"
EPOCH = "UTC (epoch)"
IN_SOURCE = "offset in source"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FRACTION = re.compile(r"(\.\d{6})\d+")


def decode_bytes(data: bytes, name: str, expected: str) -> str:
    """Decode UTF-8 (BOM allowed); undecodable bytes raise ParseError with their offset."""
    skip = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = data.count(b"\n", 0, offset) + 1
        raise ParseError(
            f"undecodable byte 0x{data[offset]:02x} (not UTF-8)",
            file=name,
            location=f"offset {offset}, line {line}",
            expected=expected,
        ) from exc


def check_json_size(size: int, name: str, max_bytes: int, *, exact: bool = True) -> None:
    """Refuse a JSON document of ``size`` bytes (more than ``size`` when not ``exact``) when it
    is over ``max_bytes``."""
    if size > max_bytes:
        what = f"{size:,} bytes" if exact else f"more than {max_bytes:,} bytes"
        raise ParseError(
            f"JSON export of {what} is over the {max_bytes:,}-byte limit (VIGIL_MAX_JSON_BYTES); "
            "not read (a JSON export is parsed whole, in memory, at about ten times its size)",
            file=name,
            hint="raise VIGIL_MAX_JSON_BYTES to ingest it on a machine with the memory, or "
            "split the export (e.g. one chat per file)",
        )


def load_json(stream: BinaryIO, name: str, expected: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Read and parse the whole stream as JSON, raising ParseError with offset and line; a
    stream longer than ``max_bytes`` is refused after reading one byte more than that."""
    data = stream.read(max_bytes + 1)
    check_json_size(len(data), name, max_bytes, exact=False)
    return loads_json(data, name, expected)


def loads_json(data: bytes, name: str, expected: str) -> Any:
    """Parse ``data`` as JSON; see :func:`load_json`."""
    if not data.strip():
        raise ParseError("file is empty", file=name, location="offset 0", expected=expected)
    text = decode_bytes(data, name, expected)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        skip = len(BOM) if data.startswith(BOM) else 0
        offset = skip + len(text[: exc.pos].encode("utf-8"))
        at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        what = f"truncated JSON (file ends at byte {len(data)})" if at_end else "invalid JSON"
        raise ParseError(
            f"{what}: {exc.msg}",
            file=name,
            location=f"offset {offset}, line {exc.lineno}, column {exc.colno}",
            expected=expected,
        ) from exc
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply to read", file=name, expected=expected) from exc


def head_text(head: bytes) -> str:
    """The sniffable text of a file head (BOM stripped, bad bytes replaced)."""
    return head.removeprefix(BOM).decode("utf-8", errors="replace")


def has_key(text: str, key: str) -> bool:
    """Whether ``"key":`` appears in (possibly partial) JSON text."""
    return re.search(r'"' + re.escape(key) + r'"\s*:', text) is not None


def path(*parts: str | int) -> str:
    """A JSON path: ``path("chats", "list", 0)`` → ``$.chats.list[0]``."""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _IDENT.match(p):
            out += f".{p}"
        else:
            out += "[" + json.dumps(p, ensure_ascii=False) + "]"
    return out


def from_epoch(value: float) -> datetime:
    """UTC datetime from seconds since the epoch."""
    return datetime.fromtimestamp(value, tz=UTC)


def from_epoch_ms(value: int) -> datetime:
    """UTC datetime from integer milliseconds since the epoch (no float rounding)."""
    return from_epoch(value // 1000) + timedelta(milliseconds=value % 1000)


def localize(naive: datetime, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """Attach ``tz`` to a naive local time and convert to UTC; say if DST made it unclear."""
    early = naive.replace(tzinfo=tz, fold=0)
    late = naive.replace(tzinfo=tz, fold=1)
    note = None
    if early.utcoffset() != late.utcoffset():
        back = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != naive:
            note = f"local time does not exist in {tz.key} (DST gap); read with the earlier offset"
        else:
            note = f"local time is ambiguous in {tz.key} (DST change); earlier offset assumed"
    return early.astimezone(UTC), note


def parse_iso(text: str, tz: ZoneInfo) -> tuple[datetime, str, str | None]:
    """Parse ISO 8601; returns (utc, tz_assumed, note). Raises ValueError when unreadable."""
    cleaned = _FRACTION.sub(r"\1", text.strip())
    dt = datetime.fromisoformat(cleaned)
    if dt.tzinfo is not None:
        return dt.astimezone(UTC), IN_SOURCE, None
    utc, note = localize(dt, tz)
    return utc, tz.key, note


def utc_offset_text(delta: timedelta) -> str:
    """``UTC+02:00`` style text for an offset."""
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def unnamed(count: int) -> str:
    """Actor text for reactions the export counts but does not attribute."""
    return f"{count} user(s), names not in export"


def basename(p: str) -> str | None:
    """Last component of a slash or backslash path, or None if empty."""
    tail = p.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return tail or None


def as_str(value: Any) -> str | None:
    """A scalar as text (ints become decimal), None for missing or empty values."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    return text or None


@dataclass(slots=True)
class Roster:
    """Participants in order of first appearance, keyed by platform id."""

    people: dict[str, Participant] = field(default_factory=dict)

    def add(self, platform_id: str, display_name: str | None) -> str:
        known = self.people.get(platform_id)
        if known is None:
            self.people[platform_id] = Participant(platform_id, display_name)
        elif known.display_name is None and display_name:
            known.display_name = display_name
        return platform_id

    def participants(self) -> list[Participant]:
        return list(self.people.values())
