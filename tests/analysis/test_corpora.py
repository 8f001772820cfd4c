"""The real taxonomy on synthetic corpora: grooming ranks above every hard negative, and the
two published case patterns raise the right urgency flags."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vigil.analysis.assess import Assessment, MsgView, assess
from vigil.analysis.engine import default_engine

CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "conversations"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def load(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(p.stem, json.loads(p.read_text())) for p in sorted((CORPORA / kind).glob("*.json"))]


def run(conv: dict[str, Any]) -> Assessment:
    e = default_engine()
    msgs = [
        MsgView(i + 1, m["sender"], T0 + timedelta(minutes=m["minutes"]), m["text"])
        for i, m in enumerate(conv["messages"])
    ]
    # only what case data would know: which participant is an undercover persona
    known = {p["id"]: p["role"] for p in conv["participants"] if p["role"] == "officer_persona"}
    return assess(msgs, e.scanner.scan([m.text for m in msgs]), e.rules, known, msgs[-1].sent_at)


def key(a: Assessment) -> tuple[int, float]:
    return (a.urgency, a.risk)


def test_every_grooming_conversation_ranks_above_every_hard_negative() -> None:
    grooming = {n: run(c) for n, c in load("grooming") + load("case_patterns")}
    negatives = {n: run(c) for n, c in load("hard_negatives")}
    assert len(grooming) >= 10 and len(negatives) >= 12
    worst = min(grooming.items(), key=lambda kv: key(kv[1]))
    best_negative = max(negatives.items(), key=lambda kv: key(kv[1]))
    assert key(worst[1]) > key(best_negative[1]), (worst, best_negative)


@pytest.mark.parametrize(("name", "conv"), load("hard_negatives"))
def test_hard_negative_never_ranks_high(name: str, conv: dict[str, Any]) -> None:
    a = run(conv)
    assert a.risk < 0.5, (name, a.risk, a.components)
    assert a.urgency < 3, (name, a.flags)


@pytest.mark.parametrize(("name", "conv"), load("grooming"))
def test_grooming_is_high_risk_with_a_stage_timeline(name: str, conv: dict[str, Any]) -> None:
    a = run(conv)
    assert a.risk > 0.8, (name, a.components)
    assert len(a.timeline) >= 3
    truth = {p["id"]: p["role"] for p in conv["participants"]}
    for pid, side in a.sides.items():  # inferred sides never contradict the truth
        if side.side == "child":
            assert truth[pid] in ("child", "officer_persona"), (name, pid, side)
        if side.side == "adult":
            assert truth[pid] in ("suspect", "third_party"), (name, pid, side)


@pytest.mark.parametrize(("name", "conv"), load("case_patterns"))
def test_published_case_patterns_raise_their_flags(name: str, conv: dict[str, Any]) -> None:
    a = run(conv)
    raised = {f.id for f in a.flags if f.severity > 0}
    assert set(conv["expect_flags"]) <= raised, (name, raised)
    assert a.urgency == 3
    for f in a.flags:  # every flag names the messages that raised it
        assert f.seqs and all(1 <= s <= len(conv["messages"]) for s in f.seqs)
