"""Where the time of the web benchmark's slow routes goes, measured in this process.

Runs on the demo workspace that ``bench/web.py`` builds (bench/out/web-demo/ws), as its
``bench`` investigator who is on every case, the service functions behind the pages one stage
at a time (each stage run once to warm up, then ``--runs`` times; the median is printed):

* the case page: ``case_overview`` without sections, then each case-page section's loader;
* search: ``search_scope`` (the form's lists), ``search`` for the word and the phrase;
* the triage queue: ``triage_queue``;
* the statistics PDF: ``statistics``, the charts, the HTML rendering, WeasyPrint.

``--profile STAGE`` prints cProfile's 30 costliest calls (cumulative) of one stage instead.
Service calls write their audit entries, as the pages do. Figures taken while other work
runs on the machine are upper bounds.

    .venv/bin/python bench/web_where.py [--runs 3] [--profile case-sections]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.web import ADMIN, OUT, PERIOD, PHRASE, PURPOSE, USER, WORD

from vigil.config import Settings
from vigil.db.tables.access import User
from vigil.services import access
from vigil.services.access import Principal
from vigil.services.workspace import Workspace, init_workspace


def stages(ws: Workspace, p: Principal, case_ref: str) -> dict[str, Callable[[], Any]]:
    from vigil.reports import charts, render_html
    from vigil.reports.render_pdf import html_to_pdf
    from vigil.services.cases import case_overview
    from vigil.services.listing import ListQuery
    from vigil.services.reports import statistics as stats
    from vigil.services.search.run import SearchQuery, search, search_scope
    from vigil.services.triage.queue import TRIAGE_SORTS, triage_queue
    from vigil.web import extensions

    acting = ws.acting_for(p)
    start, end = date.fromisoformat(PERIOD["start"]), date.fromisoformat(PERIOD["end"])
    report = stats(ws, p, start, end)
    html = render_html.render(report)
    out: dict[str, Callable[[], Any]] = {
        "case-overview": lambda: case_overview(ws, p, case_ref),
        "case-sections": lambda: case_overview(ws, p, case_ref, sections=extensions.CASE_SECTIONS),
    }
    for sec in extensions.CASE_SECTIONS:
        out[f"case-section-{sec.key}"] = partial(sec.load, acting, p, case_ref)
    out |= {
        "search-scope": lambda: search_scope(acting),
        "search-word": lambda: search(acting, SearchQuery(WORD), PURPOSE),
        "search-phrase": lambda: search(acting, SearchQuery(PHRASE), PURPOSE),
        "triage-queue": lambda: triage_queue(
            ws, p, ListQuery.parse(TRIAGE_SORTS), panels=extensions.DASHBOARD_PANELS
        ),
        "stats-figures": lambda: stats(ws, p, start, end),
        "stats-charts": lambda: (
            [charts.trend_chart(report.trend)]
            + [charts.breakdown_chart(b) for b in report.breakdowns]
        ),
        "stats-html": lambda: render_html.render(report),
        "stats-weasyprint": lambda: html_to_pdf(html),
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", metavar="STAGE", help="cProfile one stage")
    args = ap.parse_args()
    marker = OUT / "built.json"
    if not marker.exists():
        raise SystemExit("no benchmark workspace: run bench/web.py first")
    case_ref = json.loads(marker.read_text())["case"]
    ws, _, _ = init_workspace(Settings(home=OUT / "ws", user=ADMIN, database_url=None))
    with ws.sessions() as s:
        user = s.execute(select(User).where(User.username == USER)).scalar_one()
        p = access.principal_of(user, "bench-where")
    access.state_purpose(ws, p, case_ref, PURPOSE)
    todo = stages(ws, p, case_ref)
    if args.profile:
        fn = todo[args.profile]
        fn()
        prof = cProfile.Profile()
        prof.runcall(fn)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return
    print(f"case {case_ref}; median of {args.runs} runs after one warm-up")
    for name, fn in todo.items():
        fn()
        ms = []
        for _ in range(max(1, args.runs)):
            t0 = time.perf_counter()
            fn()
            ms.append((time.perf_counter() - t0) * 1000)
        print(f"{name:36} {statistics.median(ms):9.1f} ms")


if __name__ == "__main__":
    main()
