"""Authorisation cover by message time: windows, reviews, cancellation, other cases, runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vigil.cases.authorisation import AuthState
from vigil.cases.cover import covered_by, gaps, windows

T0 = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def auth(ref: str = "A-1", **kw: object) -> AuthState:
    base: dict[str, object] = {
        "ref": ref,
        "kind": "directed_surveillance",
        "persona_ref": "P-1",
        "granted_at": day(0),
        "expires_at": day(90),
        "urgent_oral": False,
        "review_every_days": 0,
    }
    base.update(kw)
    return AuthState(**base)  # type: ignore[arg-type]


def test_inside_cover_is_clean_and_before_the_grant_is_not() -> None:
    states = [auth()]
    assert gaps(states, "OP", [day(0), day(1), day(89.9)]) == []
    found = gaps(states, "OP", [day(-400), day(-399), day(1), day(95)])
    assert [(g.first, g.last) for g in found] == [(0, 1), (3, 3)]
    assert "granted at 2025-01-01 09:00 UTC" in found[0].reason
    assert "expired" in found[1].reason
    assert found[0].count == 2 and found[0].first_at == day(-400)


def test_cancellation_ends_cover() -> None:
    found = gaps([auth(cancelled_at=day(10))], "OP", [day(9), day(10), day(11)])
    assert [(g.first, g.last) for g in found] == [(1, 2)]
    assert "cancelled" in found[0].reason


def test_an_overdue_review_lapses_cover_until_the_review() -> None:
    state = auth(review_every_days=28, reviews=(day(40),))
    cover = windows([state], "OP")
    assert [(w.start, w.end) for w in cover] == [(day(0), day(28)), (day(40), day(68))]
    found = gaps([state], "OP", [day(27), day(30), day(39), day(41), day(70)])
    assert [(g.first, g.last) for g in found] == [(1, 2), (4, 4)]
    assert "overdue for review (due 2025-01-29 09:00 UTC)" in found[0].reason


def test_another_case_and_renewals() -> None:
    other = auth("A-2", case_ref="OP-ELSEWHERE")
    found = gaps([other], "OP", [day(1)])
    assert found and "A-2 covers case OP-ELSEWHERE, not OP" in found[0].reason
    # a later authorisation picks up where the first ended: one merged window
    states = [auth(), auth("A-3", granted_at=day(80), expires_at=day(170))]
    cover = windows(states, "OP")
    assert len(cover) == 1 and cover[0].refs == ("A-1", "A-3")
    assert covered_by(cover, day(150)) is not None and covered_by(cover, day(171)) is None


def test_no_time_and_no_authorisation() -> None:
    found = gaps([auth()], "OP", [day(1), None, day(2)])
    assert [(g.first, g.last) for g in found] == [(1, 1)]
    assert "no time" in found[0].reason
    assert "no authorisation recorded" in gaps([], "OP", [day(1)])[0].reason


def test_a_run_breaks_where_the_reason_changes() -> None:
    found = gaps([auth(cancelled_at=day(10))], "OP", [day(-2), day(-1), day(11), day(12)])
    assert [(g.first, g.last) for g in found] == [(0, 1), (2, 3)]
