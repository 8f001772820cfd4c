"""The shipped scorer on synthetic corpora: grooming ranks above every hard negative, no hard
negative is flagged, and the two published case patterns raise the right urgency flags.

These conversations were written for the purpose; they show the scorer behaves as designed on
chats with speaker turns and times, not how it performs on real chats (`make eval` does that)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vigil.analysis.assess import MsgView
from vigil.analysis.learn.bundle import build_scorer, resolve_model_dir
from vigil.analysis.score import ConversationInput, Scorer, ScoreResult

CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "conversations"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def load(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(p.stem, json.loads(p.read_text())) for p in sorted((CORPORA / kind).glob("*.json"))]


DEFAULT = build_scorer(resolve_model_dir(None))  # the shipped model, as triage uses it
INDICATORS = build_scorer(None)  # the built-in fitted weights alone


def run(conv: dict[str, Any], scorer: Scorer = DEFAULT) -> ScoreResult:
    msgs = [
        MsgView(i + 1, m["sender"], T0 + timedelta(minutes=m["minutes"]), m["text"])
        for i, m in enumerate(conv["messages"])
    ]
    # only what case data would know: which participant is an undercover persona
    known = {p["id"]: p["role"] for p in conv["participants"] if p["role"] == "officer_persona"}
    [r] = scorer.score([ConversationInput("c", msgs, known)], msgs[-1].sent_at)
    return r


def key(r: ScoreResult) -> tuple[int, bool, float]:
    return (r.urgency, r.flagged, r.score)  # triage's order


def test_the_default_scorer_has_a_model() -> None:
    assert DEFAULT.model is not None and DEFAULT.stacker is not None


@pytest.mark.parametrize("scorer", [DEFAULT, INDICATORS], ids=["default", "indicators"])
def test_every_grooming_conversation_ranks_above_every_hard_negative(scorer: Scorer) -> None:
    grooming = {n: run(c, scorer) for n, c in load("grooming") + load("case_patterns")}
    negatives = {n: run(c, scorer) for n, c in load("hard_negatives")}
    assert len(grooming) >= 10 and len(negatives) >= 12
    worst = min(grooming.items(), key=lambda kv: key(kv[1]))
    best_negative = max(negatives.items(), key=lambda kv: key(kv[1]))
    assert key(worst[1]) > key(best_negative[1]), (worst, best_negative)


@pytest.mark.parametrize(("name", "conv"), load("hard_negatives"))
@pytest.mark.parametrize("scorer", [DEFAULT, INDICATORS], ids=["default", "indicators"])
def test_hard_negative_is_never_flagged(name: str, conv: dict[str, Any], scorer: Scorer) -> None:
    r = run(conv, scorer)
    assert not r.flagged, (name, r.score, r.contributions)
    assert r.urgency < 3, (name, r.assessment.flags)


@pytest.mark.parametrize(("name", "conv"), load("grooming"))
def test_grooming_is_flagged_with_a_stage_timeline(name: str, conv: dict[str, Any]) -> None:
    r = run(conv)
    a = r.assessment
    assert r.flagged, (name, r.score, r.contributions)
    assert len(a.timeline) >= 3
    truth = {p["id"]: p["role"] for p in conv["participants"]}
    for pid, side in a.sides.items():  # inferred sides never contradict the truth
        if side.side == "child":
            assert truth[pid] in ("child", "officer_persona"), (name, pid, side)
        if side.side == "adult":
            assert truth[pid] in ("suspect", "third_party"), (name, pid, side)


@pytest.mark.parametrize(("name", "conv"), load("case_patterns"))
def test_published_case_patterns_raise_their_flags(name: str, conv: dict[str, Any]) -> None:
    r = run(conv)
    assert r.flagged
    a = r.assessment
    raised = {f.id for f in a.flags if f.severity > 0}
    assert set(conv["expect_flags"]) <= raised, (name, raised)
    assert a.urgency == 3
    for f in a.flags:  # every flag names the messages that raised it
        assert f.seqs and all(1 <= s <= len(conv["messages"]) for s in f.seqs)
