"""Seed data for the web tests: a synthetic, non-graphic Telegram chat with grooming cues
worded the way public safeguarding guidance quotes them, ingested through the real service,
and analysed by the real engine when the taxonomy is installed (else findings are seeded
directly, and tests that need the real engine skip)."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.services import users
from vigil.services.ingest.run import ingest_file
from vigil.services.workspace import Workspace

ADULT = ("Alex", "user9001")
PERSONA = ("Jamie", "user9002")

FILLER = [
    "did you watch the match last night",
    "school was so boring today",
    "what music are you into",
    "i have a maths test tomorrow",
    "my cat knocked my drink over lol",
    "that game update is good",
]
CUES = {
    3: (ADULT, "how old are you btw?"),
    4: (PERSONA, "13, year 8"),
    6: (ADULT, "you seem so mature for your age"),
    12: (ADULT, "are your parents home right now?"),
    18: (ADULT, "keep this between us ok, delete our chats"),
    24: (ADULT, "i can get you a new phone if you want"),
    30: (ADULT, "add me on snap, what's your number?"),
    36: (ADULT, "can we meet on saturday? i'll pick you up at the station"),
}
MESSAGES = 40

#: (category, phrase) pairs used when the analysis engine is not installed.
SEEDED = [
    ("age_identity", "how old are you"),
    ("trust_flattery", "mature for your age"),
    ("supervision_check", "are your parents home"),
    ("secrecy", "keep this between us"),
    ("secrecy", "delete our chats"),
    ("gifts_inducements", "new phone"),
    ("platform_migration", "add me on snap"),
    ("meeting", "can we meet"),
    ("meeting", "pick you up"),
]


def analysis_available() -> bool:
    """Whether the real analysis engine (taxonomy from issue 4) loads here."""
    if importlib.util.find_spec("vigil.analysis.taxonomy_load") is None:
        return False
    try:
        from vigil.analysis.engine import default_engine

        with _pattern_cache():
            engine = default_engine()
            engine.scanner.scan(["how old are you"])
    except Exception:  # the taxonomy is absent or incomplete in this tree
        return False
    return len(engine.rules) > 0


@contextmanager
def _pattern_cache() -> Iterator[None]:
    """Compiled taxonomy patterns from the per-user cache folder meanwhile, as ``vigil`` and
    the triage service use it (they set it on first use; the check above often comes first,
    when the tests are collected). Compiling takes seconds; loading, milliseconds. The setting
    is put back afterwards: the compiled scanner stays in memory, nothing else changes."""
    from vigil.analysis.scanner import database_cache_folder, set_database_cache
    from vigil.config import Settings

    before = database_cache_folder()
    cache = Settings(database_url="sqlite://", user="web.tests").cache_dir
    folder = cache.expanduser() / "hyperscan" if cache is not None else None
    if before is None and folder is not None:
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            set_database_cache(folder)
    try:
        yield
    finally:
        set_database_cache(before)


def chat_messages() -> list[tuple[str, str, str]]:
    """(name, id, text) of every message in order."""
    out = []
    for i in range(1, MESSAGES + 1):
        if i in CUES:
            (name, uid), text = CUES[i]
        else:
            name, uid = ADULT if i % 2 else PERSONA
            text = FILLER[i % len(FILLER)]
        out.append((name, uid, text))
    return out


def write_chat(path: Path) -> Path:
    start = datetime(2024, 5, 1, 18, 0, tzinfo=UTC)
    msgs: list[dict[str, Any]] = []
    for i, (name, uid, text) in enumerate(chat_messages(), start=1):
        when = start + timedelta(minutes=7 * i)
        msgs.append(
            {
                "id": i,
                "type": "message",
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(when.timestamp())),
                "from": name,
                "from_id": uid,
                "text": text,
            }
        )
    doc = {
        "about": "Synthetic chat for Vigil's web tests (non-graphic safeguarding cues).",
        "chats": {
            "about": "",
            "list": [{"name": "Alex", "type": "personal_chat", "id": 9001, "messages": msgs}],
        },
    }
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def seed_findings(ws: Workspace, case_id: int) -> None:
    """Findings and an assessment written directly, marked as test data (taxonomy 'test-seed')."""
    with ws.transaction() as s:
        for conv_id in s.execute(
            select(ConversationRow.id).where(ConversationRow.case_id == case_id)
        ).scalars():
            rows = []
            seqs: list[int] = []
            for seq, text in s.execute(
                select(MessageRow.seq, MessageRow.text).where(MessageRow.conversation_id == conv_id)
            ).all():
                for cat, phrase in SEEDED:
                    for m in re.finditer(re.escape(phrase), text):
                        seqs.append(seq)
                        rows.append(
                            {"conversation_id": conv_id, "message_seq": seq, "rule_id": f"test.{cat}",
                             "category": cat, "span_start": m.start(), "span_end": m.end(),
                             "quote": m.group(0), "tags": "", "stage": cat, "weight": 1.0,
                             "side": "adult", "counted": True, "reason": f"test seed: {cat}",
                             "taxonomy_version": "test-seed"}
                        )  # fmt: skip
            if rows:
                s.execute(insert(FindingRow), rows)
            flags = [{"id": "meeting", "label": "meeting planned", "severity": 3,
                      "seqs": seqs[-1:], "reason": "test seed"}] if rows else []  # fmt: skip
            s.add(
                AssessmentRow(
                    conversation_id=conv_id, case_id=case_id, risk=0.9 if rows else 0.0,
                    urgency=3 if rows else 0, flags=json.dumps(flags),
                    timeline=json.dumps([{"stage": "meeting", "seq": seqs[-1]}] if rows else []),
                    components="{}", sides="{}", findings_count=len(rows), model_score=None,
                    taxonomy_version="test-seed", taxonomy_fingerprint="test-seed",
                    reference_time=None, computed_at=ws.now(), tool_version="test",
                )
            )  # fmt: skip


def ingest_and_analyse(ws: Workspace, case_ref: str, case_id: int, tmp: Path) -> None:
    ingest_file(ws, case_ref, write_chat(tmp / f"{case_ref}-chat.json"), fmt="telegram_json")
    if analysis_available():
        from vigil.services.triage.run import analyse

        analyse(ws, case_ref)
    else:
        seed_findings(ws, case_id)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)


def sign_in(
    client: TestClient, username: str, password: str, secret: str, step: int = 0
) -> TestClient:
    """Sign in through the real forms: password, then a TOTP code computed with pyotp.

    A code is accepted once; ``step`` picks the code of a later 30-second window (accepted
    within the allowed drift) for a second sign-in of the same user.
    """
    r = client.get("/login")
    r = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(r.text)}
    )
    assert r.status_code == 200 and r.url.path == "/login/totp", r.text[:500]
    r = client.post(
        "/login/totp", data={"code": totp_code(secret, step), "csrf_token": csrf_of(r.text)}
    )
    assert r.status_code == 200 and r.url.path == "/", r.text[:500]
    return client


def totp_code(secret: str, step: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(int(time.time()) + step * totp.interval)


def make_user(ws: Workspace, name: str, role: str, cases: list[str]) -> tuple[str, str]:
    """An account with a password and an enrolled TOTP key; returns (password, secret)."""
    password = "correct horse battery staple 42"
    users.create_user(ws, name, role, None, password)
    secret, _ = users.reset_totp(ws, name)
    for ref in cases:
        users.set_membership(ws, name, ref, True)
    return password, secret
