"""Timestamp helpers shared by the UFDR and generic parsers (not a format module).

Each function returns ``(sent_at, tz_assumed, time_note)``: ``sent_at`` is UTC or None,
``tz_assumed`` says which zone turned the text into UTC, ``time_note`` explains a failure or
a guess. Nothing here reads the clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from vigil.ingest.base import ParseOptions

TimeResult = tuple[datetime | None, str | None, str | None]
OFFSET_IN_SOURCE = "offset in source"

# Cellebrite's older, locale-formatted timestamps: "14/05/2024 17:02:00(UTC+1)"
_CELLEBRITE = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"\s*\(UTC(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\)"
)


def localise(naive: datetime, options: ParseOptions) -> TimeResult:
    """Read a naive local time in ``options.tz``."""
    aware = naive.replace(tzinfo=options.tz)
    return aware.astimezone(UTC), f"{options.tz.key} ({options.tz_source})", None


def parse_iso(raw: str, options: ParseOptions) -> TimeResult:
    """ISO 8601; an offset in the text wins, else ``options.tz`` is assumed."""
    try:
        dt = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None, None, f"not an ISO 8601 time: {raw!r}"
    if dt.tzinfo is None:
        return localise(dt, options)
    return dt.astimezone(UTC), OFFSET_IN_SOURCE, None


def parse_cellebrite(raw: str, options: ParseOptions) -> TimeResult:
    """ISO 8601 or Cellebrite's ``dd/mm/yyyy hh:mm:ss(UTC+h)`` form."""
    iso = parse_iso(raw, options)
    if iso[0] is not None:
        return iso
    m = _CELLEBRITE.fullmatch(raw.strip())
    if m is None:
        return None, None, f"unrecognised timestamp {raw!r}"
    a, b, year, hh, mi, ss, sign, oh, om = m.groups()
    first, second = int(a), int(b)
    note = None
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first
    else:
        day, month = first, second
        if first != second:
            note = "day/month order cannot be told from this timestamp; read as day first"
    offset = timedelta(hours=int(oh or 0), minutes=int(om or 0)) * (-1 if sign == "-" else 1)
    try:
        dt = datetime(
            int(year), month, day, int(hh), int(mi), int(ss or 0), tzinfo=timezone(offset)
        )
    except ValueError as exc:
        return None, None, f"impossible date in {raw!r}: {exc}"
    return dt.astimezone(UTC), OFFSET_IN_SOURCE, note
