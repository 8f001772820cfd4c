"""The eSPD early-warning protocol: when warnings fire and what the scorer sees."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.analysis.early_warning import (
    EarlyWarning,
    Step,
    WarningRule,
    WarningSettings,
    scan,
    windows,
)
from vigil.errors import UserError
from vigil.model import Message

HI, LO = 0.9, 0.1


def scripted(scores: Sequence[float]) -> EarlyWarning[int]:
    """Messages are their own 0-based index; the scorer returns the scripted score of the
    newest message in the window."""
    return EarlyWarning(lambda window: scores[window[-1]])


def test_fires_exactly_when_the_fifth_positive_arrives() -> None:
    # positives at messages 0, 2, 4, 6, 8 (0-based): the fifth positive is message 8, and by
    # then only 9 scores exist, all inside the last 10 -> first warning at index 8, latency 9.
    scores = [HI, LO] * 4 + [HI] + [LO] * 5
    steps = scripted(scores).run(range(len(scores)))
    assert [s.warning_fired for s in steps[:8]] == [False] * 8
    assert steps[8].warning_fired and steps[8].is_first_warning
    assert steps[8].positives_in_last == 5
    assert all(s.first_warning_index is None for s in steps[:8])
    assert all(s.first_warning_index == 8 for s in steps[8:])
    # message 10's window of the last 10 scores (1..10) holds positives 2,4,6,8 only: the
    # warning no longer holds, but the first warning is remembered.
    assert not steps[10].warning_fired
    assert steps[10].first_warning_index == 8
    assert not steps[10].is_first_warning


def test_old_positives_drop_out_of_the_last_ten() -> None:
    # four early positives (0..3), six negatives, then positives at 10 and 11: when message 10
    # arrives the last ten scores are 1..10 (positives 1,2,3,10 = 4); at 11 they are 2..11
    # (2,3,10,11 = 4); at 12 they are 3..12 (3,10,11,12 = 4); never 5, so no warning.
    scores = [HI] * 4 + [LO] * 6 + [HI] * 3
    steps = scripted(scores).run(range(len(scores)))
    assert [s.positives_in_last for s in steps[9:]] == [4, 4, 4, 4]
    assert all(not s.warning_fired for s in steps)
    # one more positive at 13: scores 4..13 hold 10,11,12,13 = 4; still no warning.
    more = [*scores, HI, HI]
    steps = scripted(more).run(range(len(more)))
    assert steps[13].positives_in_last == 4 and not steps[13].warning_fired
    # at 14 the last ten are 5..14: 10..14 = 5 positives -> warning.
    assert steps[14].warning_fired and steps[14].first_warning_index == 14


def test_threshold_is_inclusive() -> None:
    rule = WarningRule(WarningSettings(positives=1, last=1, threshold=0.5))
    assert rule.observe(0.5).positive
    assert not rule.observe(0.4999).positive


def test_window_passed_to_the_scorer_is_the_last_50_messages() -> None:
    seen: list[tuple[int, ...]] = []

    def scorer(window: Sequence[int]) -> float:
        seen.append(tuple(window))
        return 0.0

    EarlyWarning(scorer).run(range(120))
    assert len(seen) == 120
    for i, w in enumerate(seen):
        assert w == tuple(range(max(0, i - 49), i + 1))
    assert max(len(w) for w in seen) == 50


def test_window_size_is_configurable_and_windows_helper_agrees() -> None:
    seen: list[tuple[int, ...]] = []

    def scorer(window: Sequence[int]) -> float:
        seen.append(tuple(window))
        return 0.0

    ew = EarlyWarning(scorer, WarningSettings(window=3))
    ew.run(range(6))
    assert seen == [(0,), (0, 1), (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5)]
    assert windows(list(range(6)), 3) == seen


def test_custom_k_of_n() -> None:
    # 2 of the last 3: positives at 0 and 2 -> warning at 2 (scores 0..2 hold two positives).
    ew: EarlyWarning[int] = EarlyWarning(
        lambda w: [HI, LO, HI, LO][w[-1]], WarningSettings(positives=2, last=3, threshold=0.5)
    )
    steps = ew.run(range(4))
    assert [s.warning_fired for s in steps] == [False, False, True, False]
    assert ew.first_warning_index == 2


def test_live_pushes_match_a_full_run_and_the_batch_scan() -> None:
    rng = random.Random(7)
    scores = [rng.random() for _ in range(300)]
    live = scripted(scores)
    pushed = [live.push(i) for i in range(300)]
    assert pushed == scripted(scores).run(range(300))
    batch = scan(list(range(300)), lambda wins: [scores[w[-1]] for w in wins])
    assert batch == pushed
    assert any(s.warning_fired for s in pushed)


def test_scorer_gets_message_objects_when_given_messages() -> None:
    msgs = [
        Message("a", "hello", None, f"line {i}")
        if i % 2
        else Message("b", "how old are you", None, f"line {i}")
        for i in range(12)
    ]

    def scorer(window: Sequence[Message]) -> float:
        return 1.0 if "old" in window[-1].text else 0.0

    steps = EarlyWarning(scorer).run(msgs)
    # cue at even indices 0,2,4,6,8: fifth positive at index 8
    assert steps[8].is_first_warning
    assert "message 9" in steps[8].reason and "warning" in steps[8].reason


def test_bad_batch_scorer_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 scores for 3 windows"):
        scan([1, 2, 3], lambda wins: [0.0, 0.0])


def test_empty_conversation_scans_to_nothing() -> None:
    assert scan([], lambda wins: []) == []


@pytest.mark.parametrize(
    "kwargs",
    [{"window": 0}, {"last": 0}, {"positives": 0}, {"positives": 11}, {"threshold": float("nan")}],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(UserError):
        WarningSettings(**kwargs)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    flags=st.lists(st.booleans(), max_size=60),
    last=st.integers(1, 12),
    data=st.data(),
)
def test_rule_matches_brute_force_count(flags: list[bool], last: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, last))
    rule = WarningRule(WarningSettings(positives=k, last=last))
    first: int | None = None
    for i, f in enumerate(flags):
        step: Step = rule.observe(1.0 if f else 0.0)
        count = sum(flags[max(0, i - last + 1) : i + 1])
        assert step.positives_in_last == count
        assert step.warning_fired == (count >= k)
        if count >= k and first is None:
            first = i
        assert step.first_warning_index == first
