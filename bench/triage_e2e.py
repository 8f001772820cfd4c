"""Benchmark: a 1M-message WhatsApp export from ingest to ranked triage, on one core.

Builds the export by repeating ../shared/fixtures/chats/whatsapp/whatstk/lorem-2000.txt (2,000
messages each) into one file, then times, in a fresh SQLite workspace:
``vigil ingest`` (register, parse, store) and ``vigil triage`` (normalise, scan, assess, store
findings, rank). Target: <= 20 s in total. The triage line is broken down into the analysis
steps (load messages, scan, assess, store findings; ``AnalyseStats.seconds``) and the rest
(compiling or loading the Hyperscan database, queries, ranking).

``--cues RATE`` appends a grooming cue (an example from the taxonomy's own patterns, synthetic
and non-graphic) to that fraction of the messages, so that the assess and store-findings steps
have work to do; the lorem text alone raises no findings.

The compiled Hyperscan database is cached per user (``VIGIL_CACHE_DIR``, by default
``~/.cache/vigil``), so only the first run on a machine compiles it; ``--cold`` points the
cache at a fresh temporary folder to time a compile.

    .venv/bin/python bench/triage_e2e.py [--messages 1000000] [--cues 0.02] [--cold]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.whatsapp_export import messages_per_copy, write_export  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--cold", action="store_true", help="compile the Hyperscan database afresh")
    ap.add_argument("--cues", type=float, default=0.0, help="fraction of messages given a cue")
    args = ap.parse_args()
    from vigil.config import Settings
    from vigil.services.cases import create_case
    from vigil.services.ingest.run import ingest_file
    from vigil.services.triage.run import analyse, triage
    from vigil.services.workspace import init_workspace

    root = Path(tempfile.mkdtemp(prefix="vigil-e2e-"))
    try:
        copies = max(1, args.messages // messages_per_copy())
        export = root / "chat.txt"
        write_export(export, copies, cue_rate=args.cues)
        extra = {"cache_dir": root / "cache"} if args.cold else {}
        ws, _, _ = init_workspace(Settings(home=root / "ws", user="bench", **extra))
        create_case(ws, "OP-E2E", "bench", None, "UTC")
        t0 = time.perf_counter()
        # one core: no parse worker process (the service would start one for a file this size)
        s = ingest_file(ws, "OP-E2E", export, fmt="whatsapp_txt", pipeline=False)
        t1 = time.perf_counter()
        stats = analyse(ws, "OP-E2E")  # what triage() runs first; here to read its step times
        rows = triage(ws, "OP-E2E", limit=10)  # nothing stale left: ranks and logs the view
        t2 = time.perf_counter()
        mb = export.stat().st_size / 1e6
        print(
            f"export: {mb:.0f} MB, {s.messages:,} messages in {len(s.conversations)} conversation(s)"
        )
        print(
            f"ingest (register + parse + store): {t1 - t0:6.1f} s  ({s.messages / (t1 - t0):,.0f} msg/s)"
        )
        print(
            f"triage (scan + assess + rank)    : {t2 - t1:6.1f} s  ({s.messages / (t2 - t1):,.0f} msg/s)"
        )
        steps = ", ".join(f"{k} {v:.1f}" for k, v in stats.seconds.items())
        rest = t2 - t1 - sum(stats.seconds.values())
        print(f"  of which (s): {steps}, other {rest:.1f}")
        print(f"total                             : {t2 - t0:6.1f} s  (target <= 20 s)")
        print(f"top conversation risk {rows[0].risk:.2f}" if rows else "no conversations")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
