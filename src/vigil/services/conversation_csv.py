"""A conversation as CSV for officers: one row per message with its findings, times in the
case's zone beside UTC, category labels and pattern descriptions. The export is logged first."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from vigil.analysis.wording import Wording, default_wording, uncounted_note, unique
from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import MessageRow, ParticipantRow
from vigil.services.access import Principal, record_view, require_case, require_purpose
from vigil.services.conversations import conversation_in_case
from vigil.services.workspace import Workspace

CSV_COLUMNS = (
    "seq", "sent_at_utc", "local_time_text", "sender", "text", "is_system", "is_deleted",
    "is_edited", "has_attachments", "finding_categories", "finding_rules", "finding_reasons",
    "source_time_text",
)  # fmt: skip
"""``sent_at_utc``: ISO 8601 in UTC; ``local_time_text``: the same moment in the case's time
zone, as people read it ("2024-03-18 14:56:01 GMT"); ``source_time_text``: the time exactly as
the source wrote it (it may be a Unix epoch); ``finding_reasons``: label and description."""


def zone_of(name: str | None) -> tzinfo:
    """The named IANA time zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def local_time_text(sent_at: datetime | None, zone: tzinfo) -> str:
    """A moment as local time with the zone's abbreviation: ``2024-03-18 14:56:01 GMT``."""
    if sent_at is None:
        return ""
    aware = sent_at if sent_at.tzinfo is not None else sent_at.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or local.strftime('%z')}"


def export_csv(ws: Workspace, user: Principal, case_ref: str, conv_id: int) -> Iterator[str]:
    """The whole conversation as CSV, with its findings per message; the export is logged first."""
    now = ws.now()
    with ws.transaction() as session:
        case = require_case(session, user, case_ref, "read")
        conv = conversation_in_case(session, case, conv_id)
        purpose = require_purpose(session, user, case, now)
        record_view(
            session, user, case.ref, object_type="conversation", object_id=str(conv.id),
            purpose=purpose, now=now, action="export",
            details={"format": "csv", "messages": conv.message_count},
        )  # fmt: skip
        zone = zone_of(case.default_tz)
    return _csv_rows(ws, conv_id, zone, default_wording())


def _csv_rows(
    ws: Workspace, conv_id: int, zone: tzinfo, words: Wording, batch: int = 2000
) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    yield buf.getvalue()
    after = 0
    with ws.sessions() as session:
        names = {
            p.id: p.display_name or p.platform_id
            for p in session.execute(
                select(ParticipantRow).where(ParticipantRow.conversation_id == conv_id)
            ).scalars()
        }
        while True:
            msgs = list(
                session.execute(
                    select(MessageRow)
                    .where(MessageRow.conversation_id == conv_id, MessageRow.seq > after)
                    .order_by(MessageRow.seq)
                    .limit(batch)
                ).scalars()
            )
            if not msgs:
                return
            lo, hi = msgs[0].seq, msgs[-1].seq
            found: dict[int, list[FindingRow]] = {}
            for f in session.execute(
                select(FindingRow).where(
                    FindingRow.conversation_id == conv_id,
                    FindingRow.message_seq >= lo,
                    FindingRow.message_seq <= hi,
                )
            ).scalars():
                found.setdefault(f.message_seq, []).append(f)
            buf.seek(0)
            buf.truncate()
            for m in msgs:
                fs = found.get(m.seq, [])
                utc = m.sent_at.astimezone(UTC).isoformat() if m.sent_at else ""
                w.writerow([
                    m.seq, utc, local_time_text(m.sent_at, zone),
                    names.get(m.sender_id, "") if m.sender_id else "", _csv_safe(m.text or ""),
                    int(m.is_system), int(m.is_deleted), int(m.is_edited), int(m.has_attachments),
                    "; ".join(unique(words.label(f.category) for f in fs)),
                    "; ".join(f.rule_id for f in fs),
                    " | ".join(_csv_safe(_reason(words, f)) for f in fs),
                    _csv_safe(m.local_time_text or ""),
                ])  # fmt: skip
            yield buf.getvalue()
            after = hi


def _reason(words: Wording, f: FindingRow) -> str:
    """A finding's reason for the export: label and description (stored reason if unknown)."""
    text = f"{words.label(f.category)}: {words.description(f.rule_id, f.reason)}"
    return text if f.counted else f"{text} ({uncounted_note(f.reason)})"


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas in exported text (a cell starting = + - @ is quoted)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
