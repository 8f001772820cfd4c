"""What the slow suites check a workspace for: row counts, and the senders of an export.

The exports themselves come from :mod:`bench.whatsapp_export` (the generator of
``bench/triage_e2e.py``): the shared lorem fixture repeated, so every count is known exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import ConversationRow, Ingest, MessageRow, ParticipantRow
from vigil.db.tables.evidence import Blob, CustodyEntry, Exhibit
from vigil.services.workspace import Workspace

_SENDER = re.compile(rb"^\[[^\]]*\] ([^:]+):", re.MULTILINE)


def senders(text: bytes) -> set[bytes]:
    """The distinct sender names in WhatsApp export ``text``."""
    return set(_SENDER.findall(text))


@dataclass(frozen=True, slots=True)
class Held:
    """Row counts of what a workspace holds after an ingest."""

    exhibits: int
    blobs: int
    ingests: int
    conversations: int
    participants: int
    messages: int
    findings: int
    custody: int


def held(ws: Workspace) -> Held:
    """How many rows of each kind ``ws`` holds."""
    with ws.sessions() as s:

        def count(table: type) -> int:
            return int(s.execute(select(func.count()).select_from(table)).scalar_one())

        return Held(
            exhibits=count(Exhibit),
            blobs=count(Blob),
            ingests=count(Ingest),
            conversations=count(ConversationRow),
            participants=count(ParticipantRow),
            messages=count(MessageRow),
            findings=count(FindingRow),
            custody=count(CustodyEntry),
        )
