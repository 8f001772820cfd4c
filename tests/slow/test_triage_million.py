"""One million messages end to end: a WhatsApp export ingested into a fresh SQLite workspace and
triaged, with grooming cues at known positions.

The export is the shared lorem fixture repeated (``bench/whatsapp_export.py``, the generator of
``bench/triage_e2e.py``). The cues are the taxonomy's own examples: synthetic, non-graphic, the
way safeguarding guidance quotes them. No timing is asserted; ``bench/triage_e2e.py`` times it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.whatsapp_export import messages_per_copy, write_export
from sqlalchemy import func, select

from tests.slow.helpers import held, senders
from vigil.analysis.taxonomy_load import Pattern, load_taxonomy
from vigil.config import Settings
from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.services.cases import create_case
from vigil.services.ingest.run import ingest_file
from vigil.services.triage.run import triage
from vigil.services.workspace import init_workspace

pytestmark = pytest.mark.slow

MESSAGES = 1_000_000
CASE = "OP-MILLION"


def _cue_pattern(category: str) -> Pattern:
    """The first pattern of ``category`` said by the adult side (it has examples)."""
    return next(
        p
        for p in load_taxonomy("en").patterns()
        if p.category == category and p.speaker == "adult" and p.examples
    )


# 0-based positions in the export: the first message, the first of the second row batch, one
# in the middle, and the last; each gets a cue of a different category.
CUES = {
    0: "age_identity_probing",
    5_000: "gifts_inducements",
    654_321: "secrecy_exclusivity",
    MESSAGES - 1: "meeting_travel",
}


def test_million_messages_ingested_exactly_and_triaged_with_cues_found(
    tmp_path: Path, settings: Settings, lorem: bytes
) -> None:
    patterns = {pos: _cue_pattern(cat) for pos, cat in CUES.items()}
    cues = {pos: p.examples[0].encode() for pos, p in patterns.items()}
    copies = MESSAGES // messages_per_copy(lorem)
    export = tmp_path / "WhatsApp Chat with Lorem.txt"
    assert write_export(export, copies, cues_at=cues) == MESSAGES

    ws, _, _ = init_workspace(settings)
    create_case(ws, CASE, "One million messages", None, "UTC")
    summary = ingest_file(ws, CASE, export)  # format detected, as `vigil ingest` does

    assert summary.parser == "whatsapp_txt"
    assert summary.messages == MESSAGES
    assert [c.messages for c in summary.conversations] == [MESSAGES]
    assert summary.participants == len(senders(lorem))
    counts = held(ws)
    assert (counts.exhibits, counts.conversations, counts.messages) == (1, 1, MESSAGES)
    with ws.sessions() as s:
        conv = s.execute(select(ConversationRow)).scalar_one()
        assert conv.message_count == MESSAGES
        lo, hi = s.execute(select(func.min(MessageRow.seq), func.max(MessageRow.seq))).one()
        assert (lo, hi) == (1, MESSAGES)  # seq is 1-based and has no gaps (count == span)
        for pos, cue in cues.items():  # each cue sits on the message it was written to
            text = s.execute(
                select(MessageRow.text).where(
                    MessageRow.conversation_id == conv.id, MessageRow.seq == pos + 1
                )
            ).scalar_one()
            assert text.endswith(cue.decode())

    rows = triage(ws, CASE)

    assert [(r.conversation_id, r.messages) for r in rows] == [(conv.id, MESSAGES)]
    with ws.sessions() as s:
        found = set(
            s.execute(
                select(FindingRow.message_seq, FindingRow.rule_id).where(
                    FindingRow.conversation_id == conv.id
                )
            ).all()
        )
    for pos, pattern in patterns.items():
        assert (pos + 1, pattern.id) in found, f"cue {pattern.id} at message {pos + 1} missed"
    # the filler raises nothing: every finding, and what triage shows first, is on a cue
    cue_seqs = {pos + 1 for pos in cues}
    assert {seq for seq, _ in found} == cue_seqs
    assert rows[0].top and {t.seq for t in rows[0].top} <= cue_seqs
