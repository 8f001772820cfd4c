"""Authorisations: durations from the rules, the capture check, renewals, review/expiry warnings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from vigil.cases import authorisation as rules_mod
from vigil.errors import AccessDenied, UserError
from vigil.evidence import custody
from vigil.services.casework.authorisations import (
    authorisation_warnings,
    cancel_authorisation,
    check_capture,
    grant_authorisation,
    renew_authorisation,
    review_authorisation,
)
from vigil.services.casework.operations import create_operation
from vigil.services.casework.personas import add_handle, create_persona
from vigil.services.casework.units import create_unit
from vigil.services.workspace import Workspace

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


@pytest.fixture()
def clock(ws: Workspace) -> Callable[[datetime], None]:
    """Set the workspace clock."""

    def set_now(t: datetime) -> None:
        ws.clock = lambda: t

    set_now(at(0))
    return set_now


@pytest.fixture()
def persona(ws: Workspace, clock: Callable[[datetime], None]) -> str:
    create_unit(ws, "R01", "Region one", "region")
    create_persona(
        ws,
        "P-1",
        "Kalomi",
        13,
        "R01",
        handles=[("snapchat", "kalomi_13")],
        officers=[("DS C-1", "controller")],
    )
    return "P-1"


def capture(ws: Workspace, t: datetime, case: str = "OP-TEST", persona: str = "P-1") -> None:
    with ws.sessions() as s:
        check_capture(s, case, persona, t)


def test_durations_come_from_the_rules() -> None:
    rules = rules_mod.load_rules()
    chis = rules.kind("chis")
    assert rules_mod.initial_expiry(chis, T0, urgent_oral=False) == T0.replace(year=2025)
    assert rules_mod.initial_expiry(chis, T0, urgent_oral=True) == T0 + timedelta(hours=72)
    ds = rules.kind("directed_surveillance")
    assert rules_mod.initial_expiry(ds, T0, urgent_oral=False) == T0.replace(month=4)
    assert rules_mod.add_months(datetime(2024, 11, 30, tzinfo=UTC), 3) == datetime(
        2025, 2, 28, tzinfo=UTC
    )


def test_capture_refused_without_any_authorisation(ws: Workspace, persona: str) -> None:
    with pytest.raises(AccessDenied, match=r"P-1.*no live authorisation.*none recorded"):
        capture(ws, at(1))


def test_capture_allowed_within_and_refused_outside_the_authorisation(
    ws: Workspace, persona: str
) -> None:
    grant_authorisation(
        ws, "A-1", "P-1", "directed_surveillance", "Supt X", "superintendent", at(0)
    )
    capture(ws, at(0))  # the moment of grant
    capture(ws, at(89))  # within three months
    with pytest.raises(AccessDenied, match="A-1 expired at 2024-04-10"):
        capture(ws, at(92))
    with pytest.raises(AccessDenied, match=r"granted at .* after"):
        capture(ws, at(-1))


def test_urgent_oral_lasts_72_hours(ws: Workspace, persona: str) -> None:
    grant_authorisation(ws, "A-U", "P-1", "chis", "Insp Y", "inspector", at(0), urgent_oral=True)
    capture(ws, at(hours=71))
    with pytest.raises(AccessDenied, match="expired"):
        capture(ws, at(hours=73))


def test_rank_is_checked(ws: Workspace, persona: str) -> None:
    with pytest.raises(UserError, match="needs the rank superintendent"):
        grant_authorisation(ws, "A-2", "P-1", "chis", "Insp Y", "inspector", at(0))


def test_cancellation_ends_cover(
    ws: Workspace, persona: str, clock: Callable[[datetime], None]
) -> None:
    grant_authorisation(ws, "A-1", "P-1", "chis", "Supt X", "superintendent", at(0))
    clock(at(30))
    cancel_authorisation(ws, "A-1", "Supt X", at(20), "deployment ended")
    capture(ws, at(19))
    with pytest.raises(AccessDenied, match="cancelled"):
        capture(ws, at(21))


def test_operation_authorisation_covers_only_its_case(ws: Workspace, persona: str) -> None:
    from vigil.services.cases import create_case

    create_case(ws, "OP-OTHER", "Other case", None, "UTC")
    create_operation(ws, "OP-ALDER", "Operation Alder", "R01", "OP-TEST")
    grant_authorisation(
        ws,
        "A-DS",
        "P-1",
        "directed_surveillance",
        "Supt X",
        "superintendent",
        at(0),
        operation_ref="OP-ALDER",
    )
    capture(ws, at(5), case="OP-TEST")
    with pytest.raises(AccessDenied, match="covers case OP-TEST, not OP-OTHER"):
        capture(ws, at(5), case="OP-OTHER")


def test_relevant_source_past_12_months_needs_chief_constable_and_prior_judicial_approval(
    ws: Workspace, persona: str, clock: Callable[[datetime], None]
) -> None:
    grant_authorisation(ws, "A-RS", "P-1", "relevant_source", "Supt X", "superintendent", at(0))
    clock(at(350))
    with pytest.raises(UserError, match="Judicial Commissioner"):
        renew_authorisation(ws, "A-RS", "ACC Z", "assistant_chief_constable", at(350))
    with pytest.raises(UserError, match="Judicial Commissioner"):  # approval after the renewal
        renew_authorisation(
            ws, "A-RS", "CC Q", "chief_constable", at(350), judicial_approved_at=at(351)
        )
    with pytest.raises(UserError, match="chief_constable"):
        renew_authorisation(
            ws, "A-RS", "ACC Z", "assistant_chief_constable", at(350), judicial_approved_at=at(340)
        )
    a = renew_authorisation(
        ws, "A-RS", "CC Q", "chief_constable", at(350), judicial_approved_at=at(340)
    )
    assert a.expires_at == T0.replace(year=2026) and a.renewals == 1
    capture(ws, at(400))


def test_expired_authorisation_cannot_renew(
    ws: Workspace, persona: str, clock: Callable[[datetime], None]
) -> None:
    grant_authorisation(
        ws, "A-1", "P-1", "directed_surveillance", "Supt X", "superintendent", at(0)
    )
    with pytest.raises(UserError, match="expired"):
        renew_authorisation(ws, "A-1", "Supt X", "superintendent", at(100))
    a = renew_authorisation(ws, "A-1", "Supt X", "superintendent", at(80))
    assert a.expires_at == T0.replace(month=7)


def test_review_and_expiry_warnings(
    ws: Workspace, persona: str, clock: Callable[[datetime], None]
) -> None:
    grant_authorisation(
        ws, "A-1", "P-1", "directed_surveillance", "Supt X", "superintendent", at(0)
    )
    clock(at(10))
    assert authorisation_warnings(ws, within_days=14) == []
    clock(at(20))  # review due at day 28: 8 days ahead
    [w] = authorisation_warnings(ws, within_days=14)
    assert w.what == "review_due" and w.days_left == 8 and w.ref == "A-1"
    assert authorisation_warnings(ws, within_days=5) == []
    clock(at(30))
    [w] = authorisation_warnings(ws, within_days=14)
    assert w.what == "review_overdue"
    review_authorisation(ws, "A-1", "Supt X", at(30))
    assert authorisation_warnings(ws, within_days=14) == []
    clock(at(80))  # expiry at day 91; review due at day 58 is overdue
    kinds = {w.what for w in authorisation_warnings(ws, within_days=14)}
    assert kinds == {"review_overdue", "expiry"}
    clock(at(95))  # expired: nothing live to warn about
    assert authorisation_warnings(ws, within_days=14) == []


def test_relevant_source_expiry_warning_names_the_higher_renewal() -> None:
    rules = rules_mod.load_rules()
    state = rules_mod.AuthState(
        "A", "relevant_source", "P", T0, T0.replace(year=2025), False, 28, (at(340),)
    )
    [w] = rules_mod.warnings(rules, state, at(360), 14)
    assert (
        w.what == "expiry"
        and "chief_constable" in w.message
        and "Judicial Commissioner" in w.message
    )


def test_every_change_is_audited(ws: Workspace, persona: str) -> None:
    grant_authorisation(ws, "A-1", "P-1", "chis", "Supt X", "superintendent", at(0))
    review_authorisation(ws, "A-1", "Supt X", at(5))
    add_handle(ws, "P-1", "discord", "kalomi#1")
    with ws.sessions() as s:
        log = [(e["action"], e["object_type"], e["object_id"]) for e in custody.all_entries(s)]
    assert ("create", "persona", "P-1") in log
    assert ("create", "authorisation", "A-1") in log
    assert log.count(("update", "authorisation", "A-1")) == 1
    assert ("update", "persona", "P-1") in log
