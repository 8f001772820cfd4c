"""The platform intelligence report: from rows (pure) and from recorded observations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from vigil.reports import platforms as plat
from vigil.reports.periods import Period
from vigil.services.casework.offences import add_offence
from vigil.services.casework.referrals import add_observation
from vigil.services.reports import platform_report
from vigil.services.workspace import Workspace

P2023 = Period(date(2023, 1, 1), date(2023, 12, 31))


def t(y: int, m: int, d: int = 1) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


def compute(
    offences: list[plat.OffenceRow],
    indicators: list[plat.IndicatorRow],
    migrations: list[plat.MigrationRow],
) -> plat.PlatformReport:
    return plat.compute(
        offences,
        indicators,
        migrations,
        P2023,
        labels={},
        generated_at=t(2024, 1),
        tool_version="v",
        sources=["test"],
    )


def test_per_platform_cases_types_categories_and_new_ones() -> None:
    offences = [
        plat.OffenceRow("C1", "snapchat", "grooming", date(2023, 2, 1), date(2023, 3, 1)),
        plat.OffenceRow("C2", "snapchat", "grooming", date(2023, 5, 1), date(2023, 5, 1)),
        plat.OffenceRow(
            "C3", "telegram", "peer_to_peer", date(2021, 1, 1), date(2021, 2, 1)
        ),  # before
    ]
    indicators = [
        plat.IndicatorRow("C0", "snapchat", "secrecy_exclusivity", t(2022, 6)),  # seen before
        plat.IndicatorRow("C1", "snapchat", "secrecy_exclusivity", t(2023, 2)),
        plat.IndicatorRow("C1", "snapchat", "ai_misuse", t(2023, 3)),
        plat.IndicatorRow("C2", "snapchat", "ai_misuse", t(2023, 6)),
    ]
    r = compute(offences, indicators, [])
    [snap] = r.platforms
    assert snap.platform == "snapchat" and snap.cases == 2
    assert snap.offence_types == {"grooming": 2}
    assert snap.categories == {"ai_misuse": 2, "secrecy_exclusivity": 1}
    assert snap.new_categories == ["ai_misuse"]
    assert r.new_categories == [("snapchat", "ai_misuse")]


def test_migrations_count_once_per_case_and_direction() -> None:
    moves = [
        plat.MigrationRow("C1", "online_game", "discord", t(2023, 2)),
        plat.MigrationRow("C1", "online_game", "discord", t(2023, 3)),  # same case again
        plat.MigrationRow("C2", "online_game", "discord", t(2023, 4)),
        plat.MigrationRow("C2", "discord", "snapchat", t(2023, 5)),
        plat.MigrationRow("C9", "discord", "snapchat", t(2022, 5)),  # outside the period
    ]
    r = compute([], [], moves)
    assert r.migrations == [("online_game", "discord", 2), ("discord", "snapchat", 1)]
    by = {s.platform: s for s in r.platforms}
    assert by["discord"].migrations_from == {"online_game": 2}
    assert by["discord"].migrations_to == {"snapchat": 1}


class FakeFindings:
    """A stand-in for the analysis findings source the lead connects."""

    name = "analysis findings"

    def indicators(self, session: Session, until: datetime) -> Iterable[plat.IndicatorRow]:
        return [plat.IndicatorRow("OP-TEST", "discord", "gifts_inducements", t(2023, 7))]

    def migrations(
        self, session: Session, start: datetime, end: datetime
    ) -> Iterable[plat.MigrationRow]:
        return [plat.MigrationRow("OP-TEST", "discord", "whatsapp", t(2023, 7, 2))]


def test_service_reads_records_and_any_findings_source(ws: Workspace) -> None:
    add_offence(
        ws, "OP-TEST", "grooming", "sexual_communication", platforms=["online_game"],
        committed_from=date(2023, 3, 1), committed_to=date(2023, 4, 1),
    )  # fmt: skip
    add_observation(
        ws, "OP-TEST", "indicator", "online_game", t(2023, 3, 5), category="age_identity_probing"
    )
    add_observation(ws, "OP-TEST", "migration", "online_game", t(2023, 3, 9), to_platform="discord")
    r = platform_report(ws, date(2023, 1, 1), date(2023, 12, 31))
    by = {s.platform: s for s in r.platforms}
    assert by["online_game"].categories == {"age_identity_probing": 1}
    assert r.migrations == [("online_game", "discord", 1)]
    from vigil.services.reports import RecordedObservations

    r2 = platform_report(
        ws, date(2023, 1, 1), date(2023, 12, 31), sources=[RecordedObservations(), FakeFindings()]
    )
    assert ("discord", "whatsapp", 1) in r2.migrations
    assert "analysis findings" in r2.sources
    assert {s.platform for s in r2.platforms} == {"online_game", "discord", "whatsapp"}
