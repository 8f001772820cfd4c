"""Stored message rows: the lean insert (common messages) and the full one give the same model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from vigil.config import Settings
from vigil.db.tables.conversations import MessageRow
from vigil.services.cases import create_case
from vigil.services.ingest.rows import utc_text
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace, init_workspace


@given(st.datetimes(min_value=datetime(1, 1, 2), timezones=st.just(UTC)))
def test_utc_text_is_the_stored_iso_form(sent: datetime) -> None:
    assert utc_text(sent) == sent.replace(tzinfo=None).isoformat(" ", "microseconds")


def _round_trip(ws: Workspace, tmp_path: Path) -> None:
    export = tmp_path / "WhatsApp Chat with Sam.txt"
    export.write_text(
        "12/03/2024, 09:15 - Sam: morning\n"
        "12/03/2024, 09:16 - Alex: This message was deleted\n"
        "12/03/2024, 09:17 - Alex: see you at the match <This message was edited>\n"
        "12/03/2024, 09:18 - Sam: <Media omitted>\n"
        "12/03/2024, 09:19 - Sam changed the group description\n"
        "12/03/2024, 09:20 - Alex: two\nlines\n",
        encoding="utf-8",
    )
    summary = ingest_file(ws, "OP-TEST", export, tz="Europe/London")
    assert summary.messages == 6
    with ws.sessions() as s:
        rows = s.execute(select(MessageRow).order_by(MessageRow.seq)).scalars().all()
        got = [
            (r.seq, r.text, r.is_deleted, r.is_edited, r.is_system, r.has_attachments) for r in rows
        ]
        assert got == [
            (1, "morning", False, False, False, False),
            (2, "", True, False, False, False),  # the marker is not content
            (3, "see you at the match", False, True, False, False),
            (4, "", False, False, False, True),
            (5, "Sam changed the group description", False, False, True, False),
            (6, "two\nlines", False, False, False, False),
        ]
        first = rows[0]
        assert first.sent_at == datetime(2024, 3, 12, 9, 15, tzinfo=UTC)  # GMT in March
        assert first.tz_assumed == "Europe/London" and first.source_location == "line 1"
        assert first.local_time_text is not None and "09:15" in first.local_time_text
        assert rows[5].source_location == "line 6" and rows[1].sender_id is not None
        assert {r.conversation_id for r in rows} == {rows[0].conversation_id}


def test_plain_and_flagged_messages_round_trip(ws: Workspace, tmp_path: Path) -> None:
    # plain lines take the lean insert; the deleted, edited, media and system lines the full one
    _round_trip(ws, tmp_path)


@pytest.mark.postgres
def test_round_trip_on_postgres(pg_url: str, tmp_path: Path) -> None:
    pg, _, _ = init_workspace(Settings(home=tmp_path / "pgws", database_url=pg_url, user="pg.t"))
    create_case(pg, "OP-TEST", "Postgres ingest", None, "UTC")
    _round_trip(pg, tmp_path)


def test_utc_text_needs_utc() -> None:
    # the writer only takes the fast path for UTC; other offsets are converted first
    plus_two = datetime(2024, 3, 12, 11, 15, tzinfo=timezone(timedelta(hours=2)))
    assert plus_two.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds") == (
        utc_text(plus_two.astimezone(UTC))
    )
