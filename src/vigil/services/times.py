"""Times and dates as users type them: ISO 8601, a time without an offset taken in a
named zone (shared by evidence and case work)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from vigil.errors import UserError
from vigil.services.workspace import Workspace


def parse_time(text: str, tz_name: str) -> tuple[datetime, str | None]:
    """Parse an ISO 8601 time; a time without offset is taken in ``tz_name`` (returned)."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserError(
            f"bad time {text!r}",
            hint="use ISO 8601, e.g. 2026-03-01T14:05 or 2026-03-01T14:05:00+00:00",
        ) from exc
    if dt.tzinfo is None:
        return dt.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC), tz_name
    return dt.astimezone(UTC), None


def parse_day(text: str | None, default: date | None = None) -> date:
    """An ISO date (YYYY-MM-DD)."""
    if text is None:
        if default is None:
            raise UserError("a date is required", hint="use YYYY-MM-DD")
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserError(f"bad date {text!r}", hint="use YYYY-MM-DD, e.g. 2023-04-01") from exc


def parse_moment(ws: Workspace, text: str | None) -> datetime:
    """An ISO time; without an offset the workspace's default time zone is assumed."""
    if text is None:
        return ws.now()
    return parse_time(text, ws.settings.default_timezone)[0]
