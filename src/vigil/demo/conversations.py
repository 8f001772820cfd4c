"""Synthetic, non-graphic conversations for the demo network, ingested and triaged for real.

The grooming chats are assembled from the taxonomy's own pattern examples (cues worded the way
public safeguarding guidance quotes them), stage by stage, with short replies from the child
side; the benign chats are everyday logistics. Each chat is written as a Telegram Desktop JSON
export, registered and ingested through :mod:`vigil.services.ingest.run` (so the demo exercises the
real path), the undercover persona is marked as the child side, and triage runs at the end.
"""

from __future__ import annotations

import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from vigil.db.tables.conversations import ConversationRow, ParticipantRow

if TYPE_CHECKING:
    from vigil.demo.build import DemoNetwork
    from vigil.services.workspace import Workspace

STAGES: tuple[tuple[str, ...], ...] = (
    ("age_identity_probing", "trust_flattery"),
    ("platform_migration", "trust_flattery"),
    ("supervision_risk_assessment",),
    ("secrecy_exclusivity", "isolation"),
    ("gifts_inducements",),
    ("meeting_travel",),
)
REPLIES = ("haha", "ok", "idk", "maybe", "lol ok", "why", "yeah", "not sure", "ok then", "cool")
BENIGN = (
    ("Football practice", ["practice moved to 6pm on thursday", "ok will tell the others",
                           "bring your boots, the pitch is muddy", "thanks coach", "see you there"]),
    ("Homework group", ["did anyone finish the maths sheet", "question 4 is hard", "try the formula",
                        "thanks that worked", "see you tomorrow"]),
    ("Family", ["dinner at 7", "can you get milk on the way home", "yes will do", "thanks love",
                "running 10 min late"]),
)  # fmt: skip


def _examples(category: str) -> list[str]:
    from vigil.analysis.taxonomy_load import load_taxonomy

    cat = load_taxonomy("en").category(category)
    return [ex for p in cat.patterns if p.speaker != "child" for ex in p.examples]


def grooming_chat(rng: random.Random, child_age: int) -> list[tuple[str, str]]:
    """(speaker, text) pairs: ``a`` the adult, ``c`` the child side."""
    lines: list[tuple[str, str]] = [
        ("a", "hey"),
        ("c", "hi"),
        ("a", "how old are you?"),
        ("c", str(child_age)),
    ]
    for stage in STAGES:
        for cat in stage:
            for ex in rng.sample(_examples(cat), k=min(2, len(_examples(cat)))):
                lines.append(("a", ex))
                lines.append(("c", rng.choice(REPLIES)))
    return lines


def telegram_export(
    title: str,
    chat_id: int,
    lines: list[tuple[str, str]],
    names: dict[str, tuple[str, str]],
    start: datetime,
    minutes: float,
) -> dict[str, Any]:
    msgs = []
    for i, (who, text) in enumerate(lines):
        when = start + timedelta(minutes=minutes * i)
        name, uid = names[who]
        msgs.append(
            {
                "id": i + 1,
                "type": "message",
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(when.timestamp())),
                "from": name,
                "from_id": uid,
                "text": text,
            }
        )
    return {"name": title, "type": "personal_chat", "id": chat_id, "messages": msgs}  # fmt: skip


def add_demo_conversations(ws: Workspace, network: DemoNetwork, limit: int = 6) -> int:
    """Ingest synthetic chats into persona-covered demo cases and triage them."""
    from vigil.services.ingest.run import ingest_file
    from vigil.services.triage.run import analyse

    rng = random.Random(network.seed)
    covered = network.persona_cases[:limit]
    if not covered:
        return 0
    added = 0
    with tempfile.TemporaryDirectory(prefix="vigil-demo-") as tmp:
        for n, (persona, case_ref, _auth) in enumerate(covered):
            start = datetime(
                network.as_of.year, network.as_of.month, 1, 18, tzinfo=UTC
            ) - timedelta(days=20 + n)
            if n % 2 == 0:
                lines = grooming_chat(rng, rng.choice((12, 13, 14)))
                names = {
                    "a": (f"user{1000 + n}", f"user{5550100 + n}"),
                    "c": (persona, f"user{5559000 + n}"),
                }
                title, minutes = f"Chat with user{1000 + n}", rng.choice((2.0, 45.0, 300.0))
            else:
                btitle, texts = BENIGN[n % len(BENIGN)]
                lines = [("a" if i % 2 == 0 else "c", t) for i, t in enumerate(texts)]
                names = {
                    "a": (f"member{n}", f"user{5560000 + n}"),
                    "c": (f"friend{n}", f"user{5561000 + n}"),
                }
                title, minutes = btitle, 10.0
            path = Path(tmp) / f"demo-chat-{n + 1}.json"
            path.write_text(
                json.dumps(telegram_export(title, 9000 + n, lines, names, start, minutes))
            )
            s = ingest_file(
                ws,
                case_ref,
                path,
                fmt="telegram_json",
                tz="Europe/London",
                source=f"demo capture by persona {persona}",
                acquired_by="Demo Officer",
            )
            if n % 2 == 0:
                _mark_persona(ws, s.exhibit_ref, case_ref, names["c"][1], persona)
            added += len(s.conversations)
        for case_ref in sorted({c for _, c, _ in covered}):
            analyse(ws, case_ref)
    return added


def _mark_persona(
    ws: Workspace, exhibit_ref: str, case_ref: str, platform_id: str, persona: str
) -> None:
    """Case data: the persona's account is the child side of the chat."""
    from vigil.db.tables.evidence import Exhibit
    from vigil.services.cases import get_case

    with ws.transaction() as s:
        case = get_case(s, case_ref)
        ex = s.query(Exhibit).filter_by(case_id=case.id, ref=exhibit_ref).one()
        conv_ids = [c.id for c in s.query(ConversationRow).filter_by(exhibit_id=ex.id)]
        s.execute(
            update(ParticipantRow)
            .where(
                ParticipantRow.conversation_id.in_(conv_ids),
                ParticipantRow.platform_id == platform_id,
            )
            .values(role="officer_persona", role_source=f"case data: undercover persona {persona}")
        )
