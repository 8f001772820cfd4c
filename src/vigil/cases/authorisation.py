"""Authorisation rules (RIPA): durations, when an authorisation is live, renewals, warnings.

Pure functions over :class:`AuthState`; the durations, ranks and review intervals come from
``data/authorisation_rules.yaml``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vigil.cases._data import load_yaml, need
from vigil.errors import ParseError, UserError


@dataclass(frozen=True, slots=True)
class LongTermRule:
    """A renewal taking total deployment past ``after_total_months`` needs more."""

    after_total_months: int
    renewal_rank: str
    prior_judicial_approval: bool


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    label: str
    duration_months: int
    urgent_oral_hours: int
    review_every_days: int
    grant_rank: str
    urgent_rank: str
    long_term: LongTermRule | None


@dataclass(frozen=True, slots=True)
class AuthRules:
    version: str
    sources: tuple[str, ...]
    warn_days: int
    ranks: tuple[str, ...]
    kinds: dict[str, KindRule]

    def kind(self, name: str) -> KindRule:
        if name not in self.kinds:
            raise UserError(
                f"unknown authorisation type {name!r}", hint="one of: " + ", ".join(self.kinds)
            )
        return self.kinds[name]

    def check_rank(self, rank: str) -> str:
        if rank not in self.ranks:
            raise UserError(f"unknown rank {rank!r}", hint="one of: " + ", ".join(self.ranks))
        return rank

    def rank_ok(self, rank: str, required: str) -> bool:
        return self.ranks.index(self.check_rank(rank)) >= self.ranks.index(required)


def _kind_rule(name: str, raw: Any) -> KindRule:
    where = f"kinds.{name}"
    if not isinstance(raw, dict):
        raise ParseError("should be a mapping", location=where)
    lt_raw = raw.get("long_term")
    long_term = None
    if lt_raw is not None:
        if not isinstance(lt_raw, dict):
            raise ParseError("should be a mapping", location=where + ".long_term")
        long_term = LongTermRule(
            need(lt_raw, "after_total_months", int, where + ".long_term"),
            need(lt_raw, "renewal_rank", str, where + ".long_term"),
            bool(lt_raw.get("prior_judicial_approval", False)),
        )
    return KindRule(
        kind=name,
        label=need(raw, "label", str, where),
        duration_months=need(raw, "duration_months", int, where),
        urgent_oral_hours=need(raw, "urgent_oral_hours", int, where),
        review_every_days=need(raw, "review_every_days", int, where),
        grant_rank=need(raw, "grant_rank", str, where),
        urgent_rank=need(raw, "urgent_rank", str, where),
        long_term=long_term,
    )


def load_rules(path: Path | None = None) -> AuthRules:
    """The authorisation rules from ``path`` or the packaged defaults."""
    data = load_yaml("authorisation_rules.yaml", path)
    kinds_raw = need(data, "kinds", dict, "top level")
    ranks = tuple(str(r) for r in need(data, "ranks", list, "top level"))
    rules = AuthRules(
        version=str(data.get("version", "")),
        sources=tuple(str(s) for s in data.get("sources", [])),
        warn_days=need(data, "warn_days", int, "top level"),
        ranks=ranks,
        kinds={name: _kind_rule(name, raw) for name, raw in kinds_raw.items()},
    )
    for k in rules.kinds.values():
        named = [k.grant_rank, k.urgent_rank] + ([k.long_term.renewal_rank] if k.long_term else [])
        for rank in named:
            if rank not in ranks:
                raise ParseError(f"rank {rank!r} is not in ranks", location=f"kinds.{k.kind}")
    return rules


def add_months(t: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months later (day clamped to month end)."""
    y, m = divmod(t.month - 1 + months, 12)
    year, month = t.year + y, m + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def initial_expiry(rule: KindRule, granted_at: datetime, urgent_oral: bool) -> datetime:
    """When a new authorisation ends: 72 hours if urgent oral, else the kind's duration."""
    if urgent_oral:
        return granted_at + timedelta(hours=rule.urgent_oral_hours)
    return add_months(granted_at, rule.duration_months)


@dataclass(frozen=True, slots=True)
class AuthState:
    """What the rules need to know about one authorisation."""

    ref: str
    kind: str
    persona_ref: str
    granted_at: datetime
    expires_at: datetime
    urgent_oral: bool
    review_every_days: int
    reviews: tuple[datetime, ...] = ()
    cancelled_at: datetime | None = None
    case_ref: str | None = None


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def status_at(state: AuthState, t: datetime) -> tuple[bool, str]:
    """Whether ``state`` was live at ``t``, and why (or why not)."""
    if t < state.granted_at:
        return False, f"{state.ref} was granted at {_ts(state.granted_at)}, after {_ts(t)}"
    if state.cancelled_at is not None and t >= state.cancelled_at:
        return False, f"{state.ref} was cancelled at {_ts(state.cancelled_at)}"
    if t >= state.expires_at:
        return False, f"{state.ref} expired at {_ts(state.expires_at)}"
    return True, (
        f"{state.ref} ({state.kind}) live from {_ts(state.granted_at)} "
        f"until {_ts(state.expires_at)}"
    )


def next_review_due(state: AuthState) -> datetime:
    """The last review (or the grant) plus the review interval."""
    last = max([state.granted_at, *state.reviews])
    return last + timedelta(days=state.review_every_days)


def renewal_expiry(
    rules: AuthRules,
    state: AuthState,
    renewed_at: datetime,
    rank: str,
    judicial_approved_at: datetime | None,
) -> datetime:
    """The expiry after a renewal at ``renewed_at``, or a UserError saying which rule fails."""
    rule = rules.kind(state.kind)
    if state.cancelled_at is not None:
        raise UserError(f"{state.ref} was cancelled at {_ts(state.cancelled_at)}; it cannot renew")
    if renewed_at < state.granted_at:
        raise UserError(f"renewal at {_ts(renewed_at)} is before the grant of {state.ref}")
    if renewed_at >= state.expires_at:
        raise UserError(
            f"{state.ref} expired at {_ts(state.expires_at)}; an expired authorisation cannot renew",
            hint="grant a new authorisation",
        )
    new_expiry = add_months(state.expires_at, rule.duration_months)
    required = rule.grant_rank
    lt = rule.long_term
    if lt is not None and new_expiry > add_months(state.granted_at, lt.after_total_months):
        required = lt.renewal_rank
        if lt.prior_judicial_approval and (
            judicial_approved_at is None or judicial_approved_at > renewed_at
        ):
            raise UserError(
                f"renewing {state.ref} takes the {rule.label} past {lt.after_total_months} "
                "months in total: a Judicial Commissioner's approval before the renewal is required",
                hint="record the approval with --judicial-approved-at (before the renewal time)",
            )
    if not rules.rank_ok(rank, required):
        raise UserError(
            f"renewing {state.ref} needs the rank {required} or above, not {rank}",
        )
    return new_expiry


@dataclass(frozen=True, slots=True)
class AuthWarning:
    ref: str
    persona_ref: str
    what: str
    """``review_overdue``, ``review_due`` or ``expiry``."""
    due_at: datetime
    days_left: int
    message: str


def warnings(
    rules: AuthRules, state: AuthState, now: datetime, within_days: int
) -> list[AuthWarning]:
    """Warnings for a live authorisation whose review or expiry falls within ``within_days``."""
    live, _ = status_at(state, now)
    if not live:
        return []
    out: list[AuthWarning] = []
    window = timedelta(days=within_days)
    due = next_review_due(state)
    if due < state.expires_at:
        days = (due - now).days
        if due <= now:
            out.append(
                AuthWarning(
                    state.ref,
                    state.persona_ref,
                    "review_overdue",
                    due,
                    days,
                    f"{state.ref}: review was due {_ts(due)} ({-days} days ago)",
                )
            )
        elif due - now <= window:
            out.append(
                AuthWarning(
                    state.ref,
                    state.persona_ref,
                    "review_due",
                    due,
                    days,
                    f"{state.ref}: review due {_ts(due)} (in {days} days)",
                )
            )
    if state.expires_at - now <= window:
        days = (state.expires_at - now).days
        text = f"{state.ref}: expires {_ts(state.expires_at)} (in {days} days)"
        lt = rules.kind(state.kind).long_term
        if lt is not None:
            after = add_months(state.expires_at, rules.kind(state.kind).duration_months)
            if after > add_months(state.granted_at, lt.after_total_months):
                text += (
                    f"; renewal past {lt.after_total_months} months needs the rank "
                    f"{lt.renewal_rank}"
                    + (
                        " and prior Judicial Commissioner approval"
                        if lt.prior_judicial_approval
                        else ""
                    )
                )
        out.append(
            AuthWarning(state.ref, state.persona_ref, "expiry", state.expires_at, days, text)
        )
    return out
