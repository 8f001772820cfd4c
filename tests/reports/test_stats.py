"""Statistics: the figures' definitions, computed from facts and from records."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.reports.periods import Period, trend_periods
from vigil.reports.stats import Fact, Figures, figures_of
from vigil.services.cases import create_case
from vigil.services.casework.children import add_safeguarding, create_child
from vigil.services.casework.offences import add_offence
from vigil.services.casework.outcomes import Sentence, record_outcome
from vigil.services.casework.suspects import create_suspect
from vigil.services.casework.units import assign_case, create_unit
from vigil.services.reports import stats_report
from vigil.services.workspace import Workspace


def sg(child: int, on: date) -> Fact:
    return Fact("safeguard", on, "U", "grooming", (), key=child)


def sentence(months: int, on: date, suspended: bool = False) -> Fact:
    return Fact("sentence", on, "U", "grooming", (), months=months, suspended=suspended)


def test_a_child_safeguarded_twice_counts_once() -> None:
    d = date(2023, 1, 1)
    assert figures_of([sg(1, d), sg(1, date(2023, 2, 1)), sg(2, d)]).children_safeguarded == 2


def test_suspended_sentences_are_not_custodial_years() -> None:
    d = date(2023, 1, 1)
    f = figures_of([sentence(24, d), sentence(18, d, suspended=True), sentence(12, d)])
    assert f.custodial_months == 36 and f.custodial_years == 3


@pytest.mark.parametrize(
    ("months", "years"), [(17, 1), (18, 2), (16632, 1386), (13644, 1137), (5, 0)]
)
def test_custodial_years_round_half_up(months: int, years: int) -> None:
    assert Figures(0, 0, months).custodial_years == years


def test_trend_is_five_twelve_month_periods_ending_on_the_end_date() -> None:
    ps = trend_periods(date(2023, 9, 30))
    assert [p.label for p in ps] == [
        "Oct 2018 – Sep 2019",
        "Oct 2019 – Sep 2020",
        "Oct 2020 – Sep 2021",
        "Oct 2021 – Sep 2022",
        "Oct 2022 – Sep 2023",
    ]
    assert trend_periods(date(2024, 2, 29))[-1] == Period(date(2023, 3, 1), date(2024, 2, 29))


@pytest.fixture()
def records(ws: Workspace) -> Workspace:
    """Two regions; arrests, a child safeguarded twice, custodial and suspended sentences."""
    create_unit(ws, "NAT", "National", "national")
    create_unit(ws, "RA", "Region A", "region", "NAT")
    create_unit(ws, "RA-F1", "Force A1", "force", "RA")
    create_unit(ws, "RB", "Region B", "region", "NAT")
    create_case(ws, "C-A", "Case A", None, "UTC")
    create_case(ws, "C-B", "Case B", None, "UTC")
    assign_case(ws, "C-A", "RA-F1")
    assign_case(ws, "C-B", "RB")
    create_suspect(ws, "C-A", "SA", "Subject A")
    create_suspect(ws, "C-B", "SB", "Subject B")
    add_offence(
        ws,
        "C-A",
        "grooming",
        "sexual_communication",
        suspect_ref="SA",
        platforms=["snapchat", "whatsapp"],
    )
    add_offence(
        ws, "C-A", "contact", "sexual_activity_with_child", suspect_ref="SA", principal=True
    )
    add_offence(
        ws,
        "C-B",
        "peer_to_peer",
        "making_images",
        suspect_ref="SB",
        image_category="C",
        platforms=["telegram"],
    )
    for s, d in [
        ("SA", date(2023, 1, 10)),
        ("SB", date(2023, 2, 1)),
        ("SB", date(2023, 5, 1)),
        ("SB", date(2022, 5, 1)),
    ]:
        record_outcome(ws, s, "arrest", d)
    record_outcome(ws, "SA", "sentence", date(2023, 8, 1), sentence=Sentence(custodial_months=30))
    record_outcome(
        ws,
        "SB",
        "sentence",
        date(2023, 8, 2),
        sentence=Sentence(custodial_months=12, suspended=True),
    )
    record_outcome(ws, "SB", "sentence", date(2023, 8, 3), sentence=Sentence(custodial_months=7))
    create_child(ws, "C-A", "CH-1", 13, "SA")
    add_safeguarding(ws, "CH-1", "social_care_referral", date(2023, 3, 1), "DC")
    add_safeguarding(ws, "CH-1", "strategy_meeting", date(2023, 3, 8), "DC")
    create_child(ws, "C-B", "CH-2", 10)
    add_safeguarding(ws, "CH-2", "ceop_referral", date(2023, 4, 1), "DC")
    return ws


def test_stats_from_records(records: Workspace) -> None:
    r = stats_report(records, date(2022, 10, 1), date(2023, 9, 30))
    assert r.figures == Figures(arrests=3, children_safeguarded=2, custodial_months=37)
    units = {row.key: row.figures for row in r.breakdown("unit").rows}
    assert units == {"RA": Figures(1, 1, 30), "RB": Figures(2, 1, 7)}
    types = {row.key: row.figures.arrests for row in r.breakdown("offence_type").rows}
    assert types == {"contact": 1, "peer_to_peer": 2}  # SA's principal offence is contact
    plats = {row.key: row.figures.arrests for row in r.breakdown("platform").rows}
    assert plats == {"snapchat": 1, "whatsapp": 1, "telegram": 2}
    trend = {t.period.label: t.figures.arrests for t in r.trend}
    assert trend["Oct 2021 – Sep 2022"] == 1 and trend["Oct 2022 – Sep 2023"] == 3
    assert r.trend[-2].partial and r.trend[-1].growth["arrests"] is None  # records begin May 2022
    record_outcome(records, "SB", "arrest", date(2021, 10, 1))
    r = stats_report(records, date(2022, 10, 1), date(2023, 9, 30))
    assert not r.trend[-2].partial and r.trend[-1].growth["arrests"] == pytest.approx(50.0)
    assert [d.id for d in r.definitions][:3] == [
        "arrests",
        "children_safeguarded",
        "custodial_years",
    ]


def test_unit_scope_rolls_up(records: Workspace) -> None:
    r = stats_report(records, date(2022, 10, 1), date(2023, 9, 30), unit_code="RA")
    assert r.figures == Figures(1, 1, 30)
    assert [row.key for row in r.breakdown("unit").rows] == ["RA-F1"]
    assert "Region A" in r.scope


def test_cases_without_a_unit_show_in_the_national_view(records: Workspace) -> None:
    create_suspect(records, "OP-TEST", "S0", "Subject 0")
    record_outcome(records, "S0", "arrest", date(2023, 3, 3))
    r = stats_report(records, date(2022, 10, 1), date(2023, 9, 30))
    assert r.figures.arrests == 4
    assert {row.key for row in r.breakdown("unit").rows} == {"RA", "RB", "(no unit)"}
