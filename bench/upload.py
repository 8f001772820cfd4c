"""Benchmark: evidence in through the browser's chunk API against the command line, same run.

Builds a synthetic, non-graphic WhatsApp export of about ``--mb`` MB (``bench/whatsapp_export``:
the shared lorem fixture repeated, with the taxonomy's own example cues appended to 1% of the
messages) under ``bench/out/upload/``. Then, each in a fresh SQLite workspace:

* **CLI** (the peer): ``vigil ingest --case C FILE`` then ``vigil triage --case C``, as
  subprocesses, timed together; then ``vigil search --update-index --case C``, timed apart;
* **web**: ``vigil serve`` on 127.0.0.1; sign in with password and TOTP through the forms; then,
  exactly as ``static/upload.js`` does, start the upload (``POST /api/v1/cases/C/uploads``,
  session cookie and ``X-CSRF-Token``), ``PUT`` the file in 8 MiB chunks at their offsets,
  complete it, and poll ``GET /api/v1/jobs/{id}`` every 50 ms until the job is done. The job
  registers (hashes) the file, ingests it, analyses the case and indexes it for search; the
  time its step turns to "index" is taken as the end of upload + ingest + triage.

Prints both totals and the ratios (target, issue 17: upload + ingest + triage ≤ 1.5× the CLI's
ingest + triage), with the machine and date. Figures taken while other work runs on the
machine are upper bounds.

    .venv/bin/python bench/upload.py [--mb 50] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.web.seed import make_user, totp_code
from tests.web.serve import vigil_serve

from vigil.config import Settings
from vigil.services.cases import create_case
from vigil.services.workspace import init_workspace
from whatsapp_export import copies_for_bytes, write_export

OUT = Path(__file__).resolve().parent / "out" / "upload"
CASE, ADMIN = "OP-BENCH", "bench.admin"
CHUNK = 8 * 1024 * 1024
TARGET = 1.5


def workspace(home: Path) -> None:
    shutil.rmtree(home, ignore_errors=True)
    ws, _, _ = init_workspace(Settings(home=home, user=ADMIN, database_url=None))
    create_case(ws, CASE, "Upload benchmark", "Bench unit", "Europe/London")


def vigil(home: Path, *args: str) -> None:
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": ADMIN}
    env.pop("VIGIL_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "vigil.cli.main", *args], env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def cli(home: Path, export: Path) -> tuple[float, float]:
    workspace(home)
    t0 = time.perf_counter()
    vigil(home, "ingest", "--case", CASE, str(export))
    vigil(home, "triage", "--case", CASE, "--limit", "10")
    t1 = time.perf_counter()
    vigil(home, "search", "--update-index", "--case", CASE)
    return t1 - t0, time.perf_counter() - t1


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(c: httpx.Client, password: str, secret: str) -> str:
    r = c.post("/login", data={"username": "officer", "password": password,
                               "csrf_token": csrf(c.get("/login").text)})  # fmt: skip
    r = c.post("/login/totp", data={"code": totp_code(secret), "csrf_token": csrf(r.text)})
    assert r.url.path == "/", "sign-in failed"
    return csrf(c.get(f"/cases/{CASE}/upload").text)


def web(home: Path, export: Path) -> tuple[float, float, float]:
    """(upload seconds, upload + ingest + triage, everything with the index)."""
    workspace(home)
    ws, _, _ = init_workspace(Settings(home=home, user=ADMIN, database_url=None))
    password, secret = make_user(ws, "officer", "investigator", [CASE])
    size = export.stat().st_size
    with vigil_serve(home, ADMIN) as url, httpx.Client(base_url=url, timeout=600,
                                                       follow_redirects=True) as c:  # fmt: skip
        token = sign_in(c, password, secret)
        h = {"X-CSRF-Token": token}
        body = {"name": export.name, "size": size, "kind": "chat", "source": "benchmark",
                "acquired_by": "Bench Officer", "ingest": True}  # fmt: skip
        t0 = time.perf_counter()
        st = c.post(f"/api/v1/cases/{CASE}/uploads", json=body, headers=h).json()
        with export.open("rb") as fh:
            offset = 0
            while offset < size:
                data = fh.read(CHUNK)
                r = c.put(f"/api/v1/uploads/{st['token']}?offset={offset}", content=data, headers=h)
                r.raise_for_status()
                offset = r.json()["offset"]
        done = c.post(f"/api/v1/uploads/{st['token']}/complete", json={}, headers=h).json()
        t_up = time.perf_counter() - t0
        t_triaged = None
        while True:
            job = c.get(f"/api/v1/jobs/{done['job_id']}").json()
            reached = job["step"] == "index" or job["state"] in ("done", "failed")
            if t_triaged is None and reached:
                t_triaged = time.perf_counter() - t0
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.05)
        total = time.perf_counter() - t0
    if job["state"] != "done":
        raise SystemExit(f"the job failed: {job['message']}")
    return t_up, t_triaged or total, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=50.0, help="size of the export in MB")
    ap.add_argument("--keep", action="store_true", help="keep the workspaces and the export")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    export = OUT / "WhatsApp Chat with Bench.txt"
    messages = write_export(export, copies_for_bytes(int(args.mb * 1e6)), cue_rate=0.01)
    size = export.stat().st_size
    print(f"export: {size / 1e6:.1f} MB, {messages:,} messages (synthetic, non-graphic)")
    cli_triage, cli_index = cli(OUT / "cli-ws", export)
    print(f"CLI  vigil ingest + vigil triage:         {cli_triage:7.2f} s")
    print(f"CLI  + vigil search --update-index:       {cli_triage + cli_index:7.2f} s")
    up, triaged, total = web(OUT / "web-ws", export)
    print(f"web  upload (8 MiB chunks, HTTP):         {up:7.2f} s")
    print(f"web  upload + register + ingest + triage: {triaged:7.2f} s")
    print(f"web  ... + search index (job done):       {total:7.2f} s")
    ratio = triaged / cli_triage
    print(f"ratio upload+ingest+triage / CLI ingest+triage: {ratio:.2f}x "
          f"(target <= {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'})")  # fmt: skip
    print(
        f"ratio with the search index on both sides:      {total / (cli_triage + cli_index):.2f}x"
    )
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
