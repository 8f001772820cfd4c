"""Appending custody entries together (custody.append_many) gives the very chain that appending
them one by one gives, on a real SQLite workspace."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigil.config import Settings
from vigil.evidence import custody
from vigil.evidence.chain import verify_chain
from vigil.services.workspace import Workspace, init_workspace

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PENDING = [
    custody.Pending("a.officer", "create", "suspect", "S-1", "OP-A", None, {"label": "one"}),
    custody.Pending("a.officer", "update", "suspect", "S-1", "OP-A", "risk review", {"band": 2}),
    custody.Pending("b.officer", "create", "child", "C-1", "OP-B", None, None),
]


def _ws(tmp_path: Path, name: str) -> Workspace:
    ws, _, _ = init_workspace(Settings(home=tmp_path / name, user="t", database_url=None))
    return ws


VARY = {"recorded_at", "prev_hash", "entry_hash"}  # the workspaces were made at other times


def _log(ws: Workspace) -> list[dict[str, object]]:
    with ws.sessions() as s:
        entries = custody.all_entries(s)
    return [{k: v for k, v in e.items() if k not in VARY} for e in entries]


def test_a_batch_is_the_chain_of_single_appends(tmp_path: Path) -> None:
    one, many = _ws(tmp_path, "one"), _ws(tmp_path, "many")
    with one.transaction() as s:
        for p in PENDING:
            custody.append(
                s,
                actor=p.actor,
                action=p.action,
                object_type=p.object_type,
                object_id=p.object_id,
                case_ref=p.case_ref,
                purpose=p.purpose,
                details=p.details,
                now=NOW,
            )
    with many.transaction() as s:
        assert custody.append_many(s, PENDING, NOW) == 3
        assert custody.append_many(s, [], NOW) == 0
    singles, batch = _log(one), _log(many)
    assert len(batch) == len(singles) and batch[-3:] == singles[-3:]
    assert [(b["seq"], b["object_id"], b["details"]) for b in batch[-3:]] == [
        (len(batch) - 2 + i, p.object_id, dict(p.details or {})) for i, p in enumerate(PENDING)
    ]
    with many.sessions() as s:
        entries = custody.all_entries(s)
        assert custody.head(s) == (entries[-1]["seq"], entries[-1]["entry_hash"])
    assert verify_chain(entries).ok
    # an append after the batch chains on from its last entry
    with many.transaction() as s:
        row = custody.append(
            s, actor="t", action="view", object_type="case", object_id="OP-A", now=NOW
        )
    assert row.prev_hash == entries[-1]["entry_hash"] and row.seq == entries[-1]["seq"] + 1


def test_an_unknown_action_appends_nothing(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "bad")
    before = _log(ws)
    bad = [PENDING[0], custody.Pending("t", "delete", "suspect", "S-1")]
    with pytest.raises(ValueError, match="unknown custody action 'delete'"), ws.transaction() as s:
        custody.append_many(s, bad, NOW)
    assert _log(ws) == before
