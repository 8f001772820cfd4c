"""Live early warning over a growing chat with the real taxonomy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vigil.analysis.assess import MsgView
from vigil.analysis.early_warning import WarningSettings
from vigil.analysis.learn.bundle import build_scorer, resolve_model_dir
from vigil.analysis.live import LiveMonitor

SCORER = build_scorer(resolve_model_dir(None))
CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "conversations"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def msgs(name: str) -> list[MsgView]:
    conv = json.loads((CORPORA / f"{name}.json").read_text())
    return [
        MsgView(i + 1, m["sender"], T0 + timedelta(minutes=m["minutes"]), m["text"])
        for i, m in enumerate(conv["messages"])
    ]


def test_warning_fires_on_grooming_after_cues_accumulate() -> None:
    steps = LiveMonitor(SCORER).run(msgs("grooming/fast_gaming_contact"))
    first = next(s for s in steps if s.warning_fired)
    assert 5 <= first.index + 1 < len(steps)  # not at the first message, but before the end
    assert not any(s.warning_fired for s in steps[: first.index])
    # the score grows as the chat escalates
    assert steps[-1].score > steps[2].score


def test_no_warning_on_hard_negatives() -> None:
    for name in (
        "hard_negatives/courier_parents_home",
        "hard_negatives/teen_cinema_plan",
        "hard_negatives/adult_dating",
        "hard_negatives/gaming_banter",
    ):
        steps = LiveMonitor(SCORER).run(msgs(name))
        assert not any(s.warning_fired for s in steps), name


def test_settings_are_honoured() -> None:
    # a window of 3 messages is too short to hold the cues that get a window flagged
    strict = WarningSettings(window=3, positives=5, last=10)
    steps = LiveMonitor(SCORER, settings=strict).run(msgs("grooming/fast_gaming_contact"))
    assert not any(s.warning_fired for s in steps)
    never = WarningSettings(threshold=1.5)  # a step's score is 1 at most: nothing is positive
    steps = LiveMonitor(SCORER, settings=never).run(msgs("grooming/fast_gaming_contact"))
    assert not any(s.positive for s in steps)
