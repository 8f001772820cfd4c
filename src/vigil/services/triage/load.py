"""Loading stored messages for analysis, fast: the driver's cursor, only the needed columns,
UTC times parsed directly, the garbage collector paused while the views are built."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.analysis.assess import MsgView
from vigil.db.tables.conversations import ParticipantRow
from vigil.gc_pause import gc_paused

LOAD_CHUNK_ROWS = 20_000
"""Rows fetched from the driver at a time while loading messages."""


def _utc(stored: Any) -> datetime:
    """A stored ``sent_at`` as an aware UTC datetime, exactly as ``UTCDateTime`` reads it.

    SQLite keeps naive UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``), which SQLAlchemy parses
    with ``datetime.fromisoformat``; parsing the text with ``+00:00`` appended gives the same
    value and the same ``UTC`` tzinfo in a seventh of the time of ``.replace(tzinfo=UTC)``.
    PostgreSQL's driver returns naive datetimes.
    """
    if isinstance(stored, str):
        try:
            return datetime.fromisoformat(stored + "+00:00")
        except ValueError:  # not the plain stored form: read it the way SQLAlchemy does
            return datetime.fromisoformat(stored).replace(tzinfo=UTC)
    assert isinstance(stored, datetime)
    return stored.replace(tzinfo=UTC)


def _id_list(ids: Sequence[int]) -> str:
    """Integer ids written into SQL (no bound parameters, so no limit on how many)."""
    return ",".join(str(int(i)) for i in ids) or "NULL"


def load_messages(session: Session, conv_ids: Sequence[int]) -> dict[int, list[MsgView]]:
    """The messages of these conversations in order, as the assessment sees them.

    Read through the driver's cursor (only the needed columns, no SQLAlchemy row or type
    processing) in chunks; senders come from a small participant map rather than a join.
    Gives exactly what a Core select through ``UTCDateTime`` gives (a test compares the two
    on SQLite and PostgreSQL).
    """
    with gc_paused():
        return _read(session, conv_ids)


def _read(session: Session, conv_ids: Sequence[int]) -> dict[int, list[MsgView]]:
    out: dict[int, list[MsgView]] = {cid: [] for cid in conv_ids}
    ids = _id_list(conv_ids)
    senders: dict[int, str | None] = {
        pid: platform_id
        for pid, platform_id in session.connection().exec_driver_sql(
            f"SELECT id, platform_id FROM participants WHERE conversation_id IN ({ids})"
        )
    }
    cursor = session.connection().connection.cursor()  # DBAPI cursor, same transaction
    try:
        cursor.execute(
            "SELECT conversation_id, seq, sender_id, sent_at, text, is_system FROM messages"
            f" WHERE conversation_id IN ({ids}) ORDER BY conversation_id, seq"
        )
        views: list[MsgView] = []
        cid_now = None
        while rows := cursor.fetchmany(LOAD_CHUNK_ROWS):
            for cid, seq, sender_id, sent_at, text, system in rows:
                if cid != cid_now:
                    cid_now, views = cid, out[cid]
                try:
                    sender = None if sender_id is None else senders[sender_id]
                except KeyError:  # a participant row of another conversation, or none
                    sender = senders[sender_id] = session.execute(
                        select(ParticipantRow.platform_id).where(ParticipantRow.id == sender_id)
                    ).scalar_one_or_none()
                sent = None if sent_at is None else _utc(sent_at)
                views.append(MsgView(seq, sender, sent, text or "", bool(system)))
    finally:
        cursor.close()
    return out
