"""The demo network: the published figures computed from its records, its shape, determinism."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vigil.config import Settings
from vigil.db.tables.cases import Outcome, SafeguardingAction
from vigil.demo import DemoNetwork, build_demo_network
from vigil.demo.generate import generate
from vigil.errors import AccessDenied, UserError
from vigil.services.casework.authorisations import (
    authorisation_warnings,
    check_capture,
    list_authorisations,
)
from vigil.services.casework.suspects import create_suspect
from vigil.services.casework.units import create_unit
from vigil.services.reports import platform_report, stats_report
from vigil.services.workspace import Workspace, init_workspace

AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, DemoNetwork]]:
    settings = Settings(
        home=tmp_path_factory.mktemp("demo") / "ws", user="demo.tester", database_url=None
    )
    ws, _, _ = init_workspace(settings)
    net = build_demo_network(ws, seed=2017, as_of=AS_OF)
    yield ws, net
    ws.engine.dispose()


def test_oct_2022_to_sep_2023_reproduces_the_published_figures(
    demo: tuple[Workspace, DemoNetwork],
) -> None:
    ws, _ = demo
    r = stats_report(ws, date(2022, 10, 1), date(2023, 9, 30))
    assert r.figures.arrests == 1665
    assert r.figures.children_safeguarded == 1397
    assert r.figures.custodial_years == 1386 and r.figures.custodial_months == 1386 * 12


def test_apr_2021_to_mar_2022_reproduces_the_published_figures(
    demo: tuple[Workspace, DemoNetwork],
) -> None:
    ws, _ = demo
    r = stats_report(ws, date(2021, 4, 1), date(2022, 3, 31))
    assert r.figures.arrests == 1362
    assert r.figures.children_safeguarded == 1400
    assert r.figures.custodial_years > 1130


def test_arrests_grow_every_year(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, _ = demo
    r = stats_report(ws, date(2023, 4, 1), date(2024, 3, 31))
    arrests = [t.figures.arrests for t in r.trend]
    assert r.trend[0].period.label == "Apr 2019 – Mar 2020"
    assert not any(t.partial for t in r.trend)
    assert all(b > a for a, b in itertools.pairwise(arrests)), arrests
    assert all((t.growth["arrests"] or 0) > 0 for t in r.trend[1:])


def test_children_with_several_actions_count_once(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, _ = demo
    lo, hi = date(2022, 10, 1), date(2023, 9, 30)
    with ws.sessions() as s:
        actions = s.execute(
            select(func.count()).where(
                SafeguardingAction.action_on >= lo, SafeguardingAction.action_on <= hi
            )
        ).scalar_one()
    assert actions > 1397  # several actions for some children, still 1,397 children


def test_suspended_sentences_exist_and_are_excluded(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, _ = demo
    lo, hi = date(2022, 10, 1), date(2023, 9, 30)
    with ws.sessions() as s:
        total = s.execute(
            select(func.sum(Outcome.custodial_months)).where(
                Outcome.kind == "sentence", Outcome.occurred_on >= lo, Outcome.occurred_on <= hi
            )
        ).scalar_one()
    assert (total or 0) > 16632  # suspended terms are in the records, not in the figure


def test_every_record_type_is_present(demo: tuple[Workspace, DemoNetwork]) -> None:
    _, net = demo
    assert all(n > 0 for n in net.counts.values()), net.counts
    assert net.live_personas  # some personas still deployed at as_of


def test_some_authorisations_are_due_for_review(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, _ = demo
    ws_then = Workspace(
        ws.settings,
        ws.engine,
        ws.sessions,
        ws.store,
        clock=lambda: datetime.combine(AS_OF, time(12), tzinfo=UTC),
    )
    warns = authorisation_warnings(ws_then, within_days=14)
    assert {"review_due", "review_overdue"} & {w.what for w in warns}


def test_demo_capture_check(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, net = demo
    persona, case, auth = net.persona_cases[0]
    [a] = [x for x in list_authorisations(ws, persona) if x.ref == auth]
    with ws.sessions() as s:
        check_capture(s, case, persona, a.granted_at)
        with pytest.raises(AccessDenied):
            check_capture(s, case, persona, a.granted_at.replace(year=a.granted_at.year - 3))


def test_platform_report_sees_the_new_category(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, _ = demo
    r = platform_report(ws, date(2023, 1, 1), date(2023, 12, 31))
    assert r.platforms and r.migrations
    assert "ai_misuse" in {c for _, c in r.new_categories}
    before = platform_report(ws, date(2021, 1, 1), date(2021, 12, 31))
    assert all(c != "ai_misuse" for s in before.platforms for c in s.categories)


def test_building_twice_is_refused(demo: tuple[Workspace, DemoNetwork]) -> None:
    ws, _ = demo
    with pytest.raises(UserError, match="already"):
        build_demo_network(ws, seed=1, as_of=AS_OF)


def test_same_seed_same_records_other_seed_other_records() -> None:
    a, b, c = generate(7, AS_OF), generate(7, AS_OF), generate(8, AS_OF)
    assert a.outcomes == b.outcomes and a.children == b.children and a.personas == b.personas
    assert a.outcomes != c.outcomes


def test_no_real_names_only_codes() -> None:
    net = generate(7, AS_OF)
    assert all(s["label"].startswith("Subject ") and s["label"][8:].isupper() for s in net.suspects)
    assert all(u["name"].endswith("(fictional)") for u in net.units)


@pytest.mark.slow  # a second whole demo build (about a minute): `make slow`, in CI
def test_cli_demo_then_report_stats(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "VIGIL_HOME": str(tmp_path / "ws"),
        "VIGIL_USER": "cli.demo",
        "COLUMNS": "200",
    }
    env.pop("VIGIL_DATABASE_URL", None)
    vigil = [sys.executable, "-m", "vigil.cli.main"]
    r = subprocess.run(
        [*vigil, "demo", "--as-of", "2024-06-30"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [
            *vigil,
            "report",
            "stats",
            "--from",
            "2022-10-01",
            "--to",
            "2023-09-30",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    figs = json.loads(r.stdout)["figures"]
    assert (figs["arrests"], figs["children_safeguarded"], figs["custodial_years"]) == (
        1665,
        1397,
        1386,
    )


@pytest.mark.postgres
@pytest.mark.slow  # the whole demo built on PostgreSQL (about two minutes): `make slow`, in CI
def test_demo_on_postgres_reproduces_the_figures_and_ids_stay_free(
    pg_url: str, tmp_path: Path
) -> None:

    ws, _, _ = init_workspace(Settings(home=tmp_path / "pg", database_url=pg_url, user="pg.demo"))
    net = build_demo_network(ws, seed=2017, as_of=AS_OF)
    r = stats_report(ws, date(2022, 10, 1), date(2023, 9, 30))
    assert (r.figures.arrests, r.figures.children_safeguarded, r.figures.custodial_years) == (
        1665,
        1397,
        1386,
    )
    # sequences moved past the bulk-inserted ids: ordinary inserts still work
    create_unit(ws, "R99", "Extra region", "region", "NAT-DEMO")
    create_suspect(ws, net.persona_cases[0][1], "S-EXTRA", "Subject EXTRA")
    ws.engine.dispose()
