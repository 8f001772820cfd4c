"""Benchmark: web workbench latency on loopback, against `vigil serve` in a temp workspace.

Builds (bulk inserts) one case holding a 100,000-message conversation and 10,000 short
assessed conversations, starts `vigil serve` on 127.0.0.1, signs in with password + TOTP,
states a purpose, then times with httpx:

* the conversation page (HTML, 100 messages with findings in place) at windows spread over
  the 100,000 messages, and the same window through the JSON API;
* the dashboard triage queue over the case's 10,001 conversations;
* full-text search (docs/search.md) over all 130,000 messages, as the page (HTML, 20 hits with
  two messages of context each) and through the JSON API: words, a phrase, a prefix, and
  filters (participant, dates, category), every query matching thousands of messages. The
  index is built before the server starts (``vigil search --update-index`` does the same) and
  its build time printed.

Each timed request also writes its audit entry (as in real use). The peer, measured in the
same run, is the same server returning a small static file: the floor of a round trip through
uvicorn and the security middleware. Prints p50/p95 per page and the ratio to that floor.
Target: p95 under 150 ms. Request counts are bounded.

    .venv/bin/python bench/web.py [--messages 100000] [--conversations 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.bulk import long_conversation, many_conversations
from tests.web.seed import make_user, totp_code

from vigil.config import Settings
from vigil.services.cases import create_case
from vigil.services.search.index import update as update_index
from vigil.services.workspace import init_workspace

TARGET_MS = 150.0
SEARCHES: list[dict[str, str]] = [
    {"q": "homework"},
    {"q": '"talked about music"'},
    {"q": "hom*"},
    {"q": "hello"},
    {"q": "games homework", "participant": "Persona One"},
    {"q": "music", "from": "2024-01-01", "to": "2024-01-01"},
    {"q": "school", "category": "meeting_travel"},
]
"""Searches timed in turn (benign words of tests/web/bulk.py; each matches thousands)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def timed(n: int, fn: Callable[[int], httpx.Response]) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        r = fn(i)
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"unexpected {r.status_code} from {r.request.url}: {r.text[:300]}")
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page (≤ 1000)")
    args = ap.parse_args()
    n_req = max(10, min(args.requests, 1000))
    root = Path(tempfile.mkdtemp(prefix="vigil-bench-web-"))
    proc = None
    try:
        home = root / "ws"
        t0 = time.perf_counter()
        ws, _, _ = init_workspace(Settings(home=home, user="bench.admin", database_url=None))
        create_case(ws, "OP-BENCH", "Web benchmark", None, "UTC")
        conv = long_conversation(ws, "OP-BENCH", args.messages, every=40)
        many_conversations(ws, "OP-BENCH", args.conversations)
        password, secret = make_user(ws, "bench", "investigator", ["OP-BENCH"])
        print(f"built {args.messages:,}-message conversation and {args.conversations:,} conversations "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        t0 = time.perf_counter()
        indexed = update_index(ws).indexed
        ws.engine.dispose()
        print(f"search index: {indexed:,} messages in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "bench.admin"}
        env.pop("VIGIL_DATABASE_URL", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "vigil.cli.main", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(300):
                try:
                    if c.get("/login").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            r = c.get("/login")
            r = c.post("/login", data={"username": "bench", "password": password, "csrf_token": csrf(r.text)},
                       follow_redirects=True)  # fmt: skip
            r = c.post("/login/totp", data={"code": totp_code(secret), "csrf_token": csrf(r.text)},
                       follow_redirects=True)  # fmt: skip
            assert r.status_code == 200 and "triage" in r.text.lower(), r.text[:300]
            r = c.post(
                "/cases/OP-BENCH/purpose",
                data={"purpose": "latency benchmark", "csrf_token": csrf(r.text)},
            )
            rng = random.Random(7)
            starts = [rng.randrange(1, args.messages - 100) for _ in range(n_req)]
            page = f"/cases/OP-BENCH/conversations/{conv}"
            api = f"/api/v1/cases/OP-BENCH/conversations/{conv}/messages"
            for u in (page, api, "/", "/static/vigil.css"):  # warm up (engine, caches)
                c.get(u)
            searches = [{**q, "purpose": "latency benchmark"} for q in SEARCHES]
            for q in searches:
                c.get("/search", params=q)
            results = {
                "static file (floor)": timed(n_req, lambda i: c.get("/static/vigil.css")),
                "conversation page (HTML)": timed(
                    n_req, lambda i: c.get(page, params={"start": starts[i]})
                ),
                "conversation window (API)": timed(
                    n_req, lambda i: c.get(api, params={"start": starts[i]})
                ),
                "triage queue (dashboard)": timed(max(10, n_req // 2), lambda i: c.get("/")),
                "search page (HTML)": timed(
                    n_req, lambda i: c.get("/search", params=searches[i % len(searches)])
                ),
                "search (API)": timed(
                    n_req, lambda i: c.get("/api/v1/search", params=searches[i % len(searches)])
                ),
            }
        floor = statistics.median(results["static file (floor)"])
        print(
            f"{'page':28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>10}  target p95 < {TARGET_MS:.0f} ms"
        )
        ok = True
        for name, xs in results.items():
            p50, p95 = pct(xs, 50), pct(xs, 95)
            if name != "static file (floor)":
                ok = ok and p95 < TARGET_MS
            print(f"{name:28} {len(xs):5d} {p50:8.1f} {p95:8.1f} {p50 / floor:10.1f}")
        print("target met" if ok else "TARGET MISSED")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
