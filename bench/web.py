"""Benchmark: the web workbench at national scale, against `vigil serve` on the demo workspace.

Builds the demo network (``vigil demo``: 6,434 fictional cases with their suspects, children,
offences, outcomes, personas and authorisations, and six synthetic chats ingested and triaged)
under ``bench/out/web-demo/ws``, once: later runs reuse it (``--rebuild`` starts again). To
give "a big conversation" its meaning it adds one benign 100,000-message conversation
(tests/web/bulk.py; ``--long-messages``) to the case with the most suspects, and builds the
search index. One investigator, ``bench``, is made a member of **every** case
(``vigil.services.users.demo_sign_in``, as ``make demo`` does).

Then it starts ``vigil serve`` on 127.0.0.1, signs in with password and TOTP, states a purpose,
warms each route up, and times ``--requests`` requests per route one after another with httpx
(fewer when a route is slow: at most ``--seconds`` per route, and at least 20 requests):
the dashboard, that case's page, the conversation page at windows spread over the long
conversation, search (a common word and a phrase, with a purpose; and the form alone, which
lists every case the person is on), ``/api/v1/triage`` (with
an API token), and the statistics and platform report PDF downloads (fewer requests: they
take seconds; where the web app has no platform report download, its service call and PDF
rendering are timed in this process instead). Every timed request writes its audit entry, as in real use. The peer, measured in the
same run, is the same server returning a small static file (the floor of a round trip).

Prints p50/p95/max per route against the targets of issue 17 (p95 ≤ 150 ms for the pages,
≤ 2 s for a PDF), the machine and the date. Figures taken while other work runs on the machine
are upper bounds.

    .venv/bin/python bench/web.py [--requests 200] [--pdf-requests 10] [--seconds 60]
                                  [--long-messages 100000] [--rebuild]

``bench/web_where.py`` then shows where the time of the slow ones goes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.bulk import long_conversation
from tests.web.seed import totp_code
from tests.web.serve import free_port

from vigil.config import Settings
from vigil.db.tables.access import CaseMember, User
from vigil.db.tables.cases import Case, Suspect
from vigil.db.tables.conversations import ConversationRow
from vigil.services import access, users
from vigil.services.search.index import update as update_index
from vigil.services.workspace import Workspace, init_workspace

OUT = Path(__file__).resolve().parent / "out" / "web-demo"
ADMIN, USER = "bench.admin", "bench"
PAGE_MS, PDF_MS = 150.0, 2000.0
PURPOSE = "latency benchmark"
WORD, PHRASE = "homework", '"talked about music"'
"""Benign words of tests/web/bulk.py: the word is in about half the long conversation."""
PERIOD = {"start": "2022-10-01", "end": "2023-09-30"}


@dataclass
class Built:
    case: str
    conversation: int
    cases: int
    messages: int


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def timed(n: int, fn: Callable[[int], httpx.Response], budget: float) -> list[float]:
    """Up to ``n`` requests one after another, stopping after ``budget`` seconds (but never
    before 20), so that a slow route does not hold the machine for long."""
    out: list[float] = []
    end = time.monotonic() + budget
    for i in range(n):
        if len(out) >= 20 and time.monotonic() > end:
            break
        t0 = time.perf_counter()
        r = fn(i)
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"unexpected {r.status_code} from {r.request.url}: {r.text[:300]}")
    return out


def build(home: Path, long_messages: int) -> Built:
    """The demo network, one long conversation in its case with the most suspects, the index."""
    from vigil.demo import build_demo_network

    if home.exists():
        shutil.rmtree(home)
    t0 = time.perf_counter()
    ws, _, _ = init_workspace(Settings(home=home, user=ADMIN, database_url=None))
    net = build_demo_network(ws)
    print(f"demo network: {net.counts['cases']:,} cases in {time.perf_counter() - t0:.0f} s")
    with ws.sessions() as s:
        top = s.execute(
            select(Case.ref)
            .join(Suspect, Suspect.case_id == Case.id)
            .group_by(Case.ref)
            .order_by(func.count(Suspect.id).desc(), Case.ref)
            .limit(1)
        ).scalar_one()
    conv = long_conversation(ws, top, long_messages, every=40) if long_messages else 0
    t0 = time.perf_counter()
    indexed = update_index(ws).indexed
    print(f"search index: {indexed:,} messages in {time.perf_counter() - t0:.0f} s")
    return Built(top, conv, net.counts["cases"], long_messages)


def open_or_build(rebuild: bool, long_messages: int) -> tuple[Workspace, Built]:
    home, marker = OUT / "ws", OUT / "built.json"
    built = None
    if marker.exists() and not rebuild:
        built = Built(**json.loads(marker.read_text()))
        if built.messages != long_messages:
            built = None
    if built is None:
        marker.unlink(missing_ok=True)
        built = build(home, long_messages)
        marker.write_text(json.dumps(built.__dict__))
    else:
        print(f"reusing {home} (--rebuild builds it again)")
    ws, _, _ = init_workspace(Settings(home=home, user=ADMIN, database_url=None))
    if not built.conversation:  # the demo as it is: its longest conversation in any case
        with ws.sessions() as s:
            row = s.execute(
                select(ConversationRow.id, Case.ref)
                .join(Case, Case.id == ConversationRow.case_id)
                .order_by(ConversationRow.message_count.desc())
                .limit(1)
            ).one()
        built = Built(row.ref, row.id, built.cases, 0)
    return ws, built


def sign_in(c: httpx.Client, password: str, secret: str) -> str:
    r = c.get("/login")
    r = c.post("/login", data={"username": USER, "password": password, "csrf_token": csrf(r.text)},
               follow_redirects=True)  # fmt: skip
    r = c.post("/login/totp", data={"code": totp_code(secret), "csrf_token": csrf(r.text)},
               follow_redirects=True)  # fmt: skip
    assert r.status_code == 200 and str(r.url).endswith("/"), r.text[:300]
    return csrf(r.text)


def platform_pdf(ws: Workspace, n: int) -> list[float]:
    """The platform report's service call and PDF rendering, in this process (no web route)."""
    from vigil.reports import RENDERERS
    from vigil.services.reports import platform_report

    out = []
    start, end = date.fromisoformat(PERIOD["start"]), date.fromisoformat(PERIOD["end"])
    for _ in range(n + 1):  # the first loads the renderer: a warm-up
        t0 = time.perf_counter()
        body = RENDERERS.require("pdf").render(platform_report(ws, start, end))
        out.append((time.perf_counter() - t0) * 1000)
        assert isinstance(body, bytes) and body.startswith(b"%PDF")
    return out[1:]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        name = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = name
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"SQLite, load average {load}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page (≤ 1000)")
    ap.add_argument("--pdf-requests", type=int, default=10, help="timed PDF downloads (≤ 100)")
    ap.add_argument("--long-messages", type=int, default=100_000,
                    help="messages of the long conversation added to the demo (0: none)")  # fmt: skip
    ap.add_argument("--seconds", type=float, default=60,
                    help="time budget per route: fewer requests when it is slow (at least 20)")  # fmt: skip
    ap.add_argument("--rebuild", action="store_true", help="build the demo workspace again")
    args = ap.parse_args()
    n_req, n_pdf = max(10, min(args.requests, 1000)), max(2, min(args.pdf_requests, 100))
    OUT.mkdir(parents=True, exist_ok=True)
    ws, b = open_or_build(args.rebuild, args.long_messages)
    t0 = time.perf_counter()
    with ws.sessions() as s:
        refs = list(s.execute(select(Case.ref).order_by(Case.ref)).scalars())
        on = set(
            s.execute(
                select(Case.ref)
                .join(CaseMember, CaseMember.case_id == Case.id)
                .join(User, User.id == CaseMember.user_id)
                .where(User.username == USER)
            ).scalars()
        )
    sign = users.demo_sign_in(ws, USER, [r for r in refs if r not in on])  # the missing ones
    token, _ = access.create_token(ws, USER, "web benchmark", days=1)
    print(f"{USER} is a member of all {len(refs):,} cases ({time.perf_counter() - t0:.0f} s)")
    with ws.sessions() as s:
        n_msgs = s.execute(
            select(ConversationRow.message_count).where(ConversationRow.id == b.conversation)
        ).scalar_one()
    results: dict[str, tuple[list[float], float]] = {}
    ws.engine.dispose()
    port = free_port()
    env = {**os.environ, "VIGIL_HOME": str(OUT / "ws"), "VIGIL_USER": ADMIN}
    env.pop("VIGIL_DATABASE_URL", None)
    web_platforms = False
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigil.cli.main", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            for _ in range(600):
                try:
                    if c.get("/login").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            token_csrf = sign_in(c, sign.password, sign.totp_secret)
            c.post(f"/cases/{b.case}/purpose", data={"purpose": PURPOSE, "csrf_token": token_csrf})
            api = {"Authorization": f"Bearer {token}"}
            rng = random.Random(7)
            starts = [rng.randrange(1, max(2, n_msgs - 100)) for _ in range(n_req)]
            conv = f"/cases/{b.case}/conversations/{b.conversation}"
            word = {"q": WORD, "purpose": PURPOSE}
            phrase = {"q": PHRASE, "purpose": PURPOSE}
            pdf = {**PERIOD, "format": "pdf", "purpose": PURPOSE}
            for _ in range(3):  # warm up (engine, caches, templates, renderers)
                for u, q in [("/", {}), (f"/cases/{b.case}", {}), (conv, {}), ("/search", word),
                             ("/search", phrase), ("/static/vigil.css", {})]:  # fmt: skip
                    c.get(u, params=q)
                c.get("/api/v1/triage", headers=api)
            c.get("/reports/download", params=pdf)
            platforms = {**pdf, "report": "platforms"}
            r = c.get("/reports/download", params=platforms)
            web_platforms = r.status_code == 200 and "platform" in r.headers.get(
                "content-disposition", ""
            )
            pages: dict[str, Callable[[int], httpx.Response]] = {
                "static file (floor)": lambda i: c.get("/static/vigil.css"),
                "dashboard": lambda i: c.get("/"),
                f"case page ({b.case})": lambda i: c.get(f"/cases/{b.case}"),
                f"conversation page ({n_msgs:,} msgs)": lambda i: c.get(
                    conv, params={"start": starts[i]}
                ),
                "search, a common word": lambda i: c.get("/search", params=word),
                "search, a phrase": lambda i: c.get("/search", params=phrase),
                "search form, no query": lambda i: c.get("/search"),
                "/api/v1/triage": lambda i: c.get("/api/v1/triage", headers=api),
            }
            for name, fn in pages.items():
                results[name] = (timed(n_req, fn, args.seconds), PAGE_MS)
            results["statistics report PDF"] = (
                timed(n_pdf, lambda i: c.get("/reports/download", params=pdf), args.seconds * 2),
                PDF_MS,
            )
            if web_platforms:
                results["platform report PDF"] = (
                    timed(n_pdf, lambda i: c.get("/reports/download", params=platforms),
                          args.seconds * 2),
                    PDF_MS,
                )  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if not web_platforms:
        results["platform report PDF (in process)"] = (platform_pdf(ws, n_pdf), PDF_MS)
    report(results, b, len(refs), n_msgs)


def report(results: dict[str, tuple[list[float], float]], b: Built, cases: int, n: int) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{now}; {machine()}")
    print(f"demo workspace: {cases:,} cases, one user on all of them; big case {b.case}, "
          f"conversation {b.conversation} of {n:,} messages")  # fmt: skip
    print(
        f"| {'route':40} | {'n':>4} | {'p50 ms':>8} | {'p95 ms':>8} | {'max ms':>8} | target p95 | met |"
    )
    print(f"|{'-' * 42}|{'-' * 6}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 12}|{'-' * 5}|")
    ok = True
    for name, (xs, target) in results.items():
        p95 = pct(xs, 95)
        met = "—" if name.startswith("static") else ("yes" if p95 <= target else "NO")
        ok = ok and met != "NO"
        tgt = "—" if name.startswith("static") else f"≤ {target:,.0f} ms"
        print(f"| {name:40} | {len(xs):4d} | {pct(xs, 50):8.1f} | {p95:8.1f} | {max(xs):8.1f} "
              f"| {tgt:>10} | {met:>3} |")  # fmt: skip
    print("all targets met" if ok else "TARGET MISSED")


if __name__ == "__main__":
    main()
