"""Large synthetic data written with bulk inserts (for the windowing tests and bench/web.py).

Messages are benign filler; every ``every``-th message carries one synthetic finding of a
rotating category, so findings are spread evenly. Nothing here is real or graphic.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from vigil import tool_version
from vigil.db.tables.access import User
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.services.workspace import Workspace

CATEGORIES = ("age_identity_probing", "secrecy_exclusivity", "gifts_inducements", "meeting_travel")
WORDS = [
    "the",
    "match",
    "was",
    "good",
    "and",
    "school",
    "was",
    "long",
    "so",
    "we",
    "talked",
    "about",
    "music",
    "games",
    "and",
    "homework",
]
BATCH = 20_000


def _exhibit(ws: Workspace, case_ref: str, tag: str) -> tuple[int, int]:
    now = ws.now()
    sha = (tag.encode().hex() + "0" * 64)[:64]
    with ws.transaction() as s:
        case = s.execute(select(Case).where(Case.ref == case_ref)).scalar_one()
        user = s.execute(select(User)).scalars().first()
        assert user is not None
        s.add(Blob(sha256=sha, sha1="0" * 40, md5="0" * 32, size=0, stored_at=now))
        ex = Exhibit(case_id=case.id, ref=f"BULK/{tag}", initials="BULK", seq=1, blob_sha256=sha,
                     original_name=f"{tag}.json", mime_type="application/json", size=0,
                     registered_at=now, registered_by_id=user.id, tool_version=tool_version())  # fmt: skip
        s.add(ex)
        s.flush()
        return case.id, ex.id


def _conversation(s: object, case_id: int, ex_id: int, n: int, start: datetime, title: str) -> int:
    row = ConversationRow(case_id=case_id, exhibit_id=ex_id, platform="bulk", title=title,
                          source_id=title, parser="bulk", tool_version="bulk", message_count=n,
                          first_at=start, last_at=start + timedelta(seconds=30 * n),
                          created_at=start)  # fmt: skip
    s.add(row)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    return row.id


def engine_fingerprint() -> str:
    """The default scorer's fingerprint (taxonomy, weights, model), so the triage service
    treats bulk rows as current (and does not re-analyse them); ``bulk`` when none loads."""
    try:
        from vigil.analysis.learn.bundle import build_scorer, resolve_model_dir

        return build_scorer(resolve_model_dir(None)).fingerprint
    except Exception:
        return "bulk"


def long_conversation(ws: Workspace, case_ref: str, n: int, every: int = 50) -> int:
    """One conversation of ``n`` messages between two participants; returns its id."""
    case_id, ex_id = _exhibit(ws, case_ref, f"long{n}")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with ws.transaction() as s:
        cid = _conversation(s, case_id, ex_id, n, start, f"long {n}")
        a = ParticipantRow(
            conversation_id=cid, platform_id="adult-1", display_name="Adult One", role="adult"
        )
        b = ParticipantRow(
            conversation_id=cid, platform_id="persona-1", display_name="Persona One", role="persona"
        )
        s.add_all([a, b])
        s.flush()
        msgs, finds = [], []
        for i in range(1, n + 1):
            text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(8))
            msgs.append({"conversation_id": cid, "seq": i, "sender_id": a.id if i % 2 else b.id,
                         "sent_at": start + timedelta(seconds=30 * i), "text": text,
                         "source_location": f"bulk:{i}"})  # fmt: skip
            if i % every == 0:
                cat = CATEGORIES[(i // every) % len(CATEGORIES)]
                finds.append({"conversation_id": cid, "message_seq": i, "rule_id": f"bulk.{cat}",
                              "category": cat, "span_start": 4, "span_end": 9, "quote": text[4:9],
                              "tags": "", "stage": cat, "weight": 0.5, "side": "adult",
                              "counted": True, "reason": f"synthetic {cat}",
                              "taxonomy_version": "bulk"})  # fmt: skip
            if len(msgs) >= BATCH:
                s.execute(insert(MessageRow), msgs)
                msgs = []
        if msgs:
            s.execute(insert(MessageRow), msgs)
        for k in range(0, len(finds), BATCH):
            s.execute(insert(FindingRow), finds[k : k + BATCH])
        s.add(_assessment(cid, case_id, 0.7, 2, ws.now(), len(finds), engine_fingerprint()))
    return cid


def _assessment(
    cid: int, case_id: int, risk: float, urgency: int, now: datetime, n: int, fingerprint: str
) -> AssessmentRow:
    flags = [{"id": "bulk", "label": "synthetic flag", "severity": urgency, "seqs": [1], "reason": "bulk data"}] if urgency else []  # fmt: skip
    return AssessmentRow(conversation_id=cid, case_id=case_id, risk=risk, urgency=urgency,
                         flags=json.dumps(flags), timeline="[]", components="{}", sides="{}",
                         findings_count=n, model_score=None, taxonomy_version="bulk",
                         taxonomy_fingerprint=fingerprint, reference_time=None, computed_at=now,
                         tool_version="bulk")  # fmt: skip


def many_conversations(
    ws: Workspace, case_ref: str, count: int, fingerprint: str | None = None
) -> None:
    """``count`` short conversations, each with an assessment (3 messages, 1 finding)."""
    case_id, ex_id = _exhibit(ws, case_ref, f"many{count}")
    start = datetime(2024, 2, 1, tzinfo=UTC)
    now = ws.now()
    fp = engine_fingerprint()
    with ws.transaction() as s:
        first = _conversation(s, case_id, ex_id, 3, start, "many 0")
        conv_rows = [{"case_id": case_id, "exhibit_id": ex_id, "platform": "bulk", "title": f"many {i}",
                      "source_id": str(i), "parser": "bulk", "tool_version": "bulk", "message_count": 3,
                      "first_at": start, "last_at": start + timedelta(minutes=i), "created_at": start}
                     for i in range(1, count)]  # fmt: skip
        for k in range(0, len(conv_rows), BATCH):
            s.execute(insert(ConversationRow), conv_rows[k : k + BATCH])
        ids = list(
            s.execute(
                select(ConversationRow.id).where(ConversationRow.exhibit_id == ex_id)
            ).scalars()
        )
        assert ids[0] == first and len(ids) == count
        msgs, finds, assess = [], [], []
        for j, cid in enumerate(ids):
            for i in range(1, 4):
                msgs.append({"conversation_id": cid, "seq": i, "sender_id": None, "text": "hello there",
                             "sent_at": start, "source_location": f"bulk:{cid}:{i}"})  # fmt: skip
            cat = CATEGORIES[j % len(CATEGORIES)]
            finds.append({"conversation_id": cid, "message_seq": 2, "rule_id": f"bulk.{cat}", "category": cat,
                          "span_start": 0, "span_end": 5, "quote": "hello", "tags": "", "stage": cat,
                          "weight": 0.5, "side": "adult", "counted": True, "reason": "synthetic",
                          "taxonomy_version": "bulk"})  # fmt: skip
            a = _assessment(cid, case_id, (j * 7919 % 1000) / 1000, j % 4, now, 1, fp)
            assess.append({c.name: getattr(a, c.name) for c in AssessmentRow.__table__.columns})
        for k in range(0, len(msgs), BATCH):
            s.execute(insert(MessageRow), msgs[k : k + BATCH])
        s.execute(insert(FindingRow), finds)
        for k in range(0, len(assess), BATCH):
            s.execute(insert(AssessmentRow), assess[k : k + BATCH])
