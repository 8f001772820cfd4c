"""Authorisation cover by message time (pure).

A persona's chat or capture is covered at a moment ``t`` when one of the persona's
authorisations was live then for the case: granted at or before ``t``, not yet expired
(``expires_at`` is the expiry after every renewal) or cancelled, not covering another case,
and not overdue for review (``t`` is before the last review, or the grant, plus the review
interval). :func:`windows` turns authorisations into the union of moments they cover;
:func:`gaps` finds the runs of messages (in sequence order) outside it, each with the reason a
supervisor needs. Nothing here refuses anything: callers store the evidence and list the gaps.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vigil.cases.authorisation import AuthState, status_at


@dataclass(frozen=True, slots=True)
class Window:
    """``[start, end)``: moments covered by the authorisations named in ``refs``."""

    start: datetime
    end: datetime
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """A run of consecutive messages outside cover: indexes into the checked sequence."""

    first: int
    last: int
    first_at: datetime | None
    last_at: datetime | None
    reason: str

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def _state_windows(state: AuthState) -> list[tuple[datetime, datetime]]:
    end = state.expires_at
    if state.cancelled_at is not None:
        end = min(end, state.cancelled_at)
    if end <= state.granted_at:
        return []
    if state.review_every_days <= 0:
        return [(state.granted_at, end)]
    every = timedelta(days=state.review_every_days)
    starts = [state.granted_at, *sorted(r for r in state.reviews if state.granted_at < r < end)]
    out = []
    for i, start in enumerate(starts):
        following = starts[i + 1] if i + 1 < len(starts) else end
        stop = min(following, start + every, end)
        if stop > start:
            out.append((start, stop))
    return out


def _applies(state: AuthState, case_ref: str) -> bool:
    return state.case_ref in (None, case_ref)


def windows(states: Sequence[AuthState], case_ref: str) -> list[Window]:
    """The moments at which some authorisation covered the persona in ``case_ref``, merged
    into disjoint windows in time order."""
    pieces = sorted(
        (a, b, s.ref) for s in states if _applies(s, case_ref) for a, b in _state_windows(s)
    )
    out: list[Window] = []
    for a, b, ref in pieces:
        if out and a <= out[-1].end:
            last = out[-1]
            refs = last.refs if ref in last.refs else (*last.refs, ref)
            out[-1] = Window(last.start, max(last.end, b), refs)
        else:
            out.append(Window(a, b, (ref,)))
    return out


def covered_by(cover: Sequence[Window], t: datetime) -> Window | None:
    """The window covering ``t``, or None."""
    i = bisect.bisect_right([w.start for w in cover], t) - 1
    return cover[i] if i >= 0 and t < cover[i].end else None


def reason(states: Sequence[AuthState], case_ref: str, t: datetime | None) -> str:
    """Why a message at ``t`` is outside cover, in words for a supervisor."""
    if t is None:
        return "the message has no time, so its cover cannot be checked"
    if not states:
        return "the persona has no authorisation recorded"
    why = []
    for s in states:
        live, text = status_at(s, t)
        if live and not _applies(s, case_ref):
            text = f"{s.ref} covers case {s.case_ref}, not {case_ref}"
        elif live:
            last = max([s.granted_at, *(r for r in s.reviews if r <= t)])
            due = last + timedelta(days=s.review_every_days)
            text = f"{s.ref} was overdue for review (due {due:%Y-%m-%d %H:%M} UTC)"
        why.append(text)
    return "; ".join(why)


def _boundaries(states: Sequence[AuthState]) -> list[datetime]:
    """Every moment at which some authorisation's status can change (reasons are the same
    between two of them)."""
    points: set[datetime] = set()
    for s in states:
        points.update((s.granted_at, s.expires_at, *s.reviews))
        if s.cancelled_at is not None:
            points.add(s.cancelled_at)
        every = timedelta(days=s.review_every_days)
        points.update(r + every for r in (s.granted_at, *s.reviews))
    return sorted(points)


def gaps(states: Sequence[AuthState], case_ref: str, times: Sequence[datetime | None]) -> list[Gap]:
    """Runs of consecutive messages (``times`` in sequence order, UTC) outside cover; a run
    ends where cover resumes or the reason changes."""
    cover = windows(states, case_ref)
    starts = [w.start for w in cover]
    points = _boundaries(states)
    reasons: dict[int | None, str] = {}
    out: list[Gap] = []
    run: list[int] = []
    run_reason = ""

    def close() -> None:
        if run:
            out.append(Gap(run[0], run[-1], times[run[0]], times[run[-1]], run_reason))

    for i, t in enumerate(times):
        inside = False
        if t is not None:
            j = bisect.bisect_right(starts, t) - 1
            inside = j >= 0 and t < cover[j].end
        if inside:
            close()
            run = []
            continue
        key = None if t is None else bisect.bisect_right(points, t)
        why = reasons.get(key)
        if why is None:
            why = reasons[key] = reason(states, case_ref, t)
        if run and why == run_reason and i == run[-1] + 1:
            run.append(i)
        else:
            close()
            run, run_reason = [i], why
    close()
    return out
