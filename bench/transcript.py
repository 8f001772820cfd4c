"""Benchmark: a transcript exhibit PDF of a 10,000-message conversation (issue 20: ≤ 10 s).

Builds a synthetic, benign conversation model (short chat lines, some multi-line and some long
messages, attachments, edited and deleted flags, a few review notes), then in the same run
times Vigil's ``render_pdf`` (ReportLab) against the peer: WeasyPrint laying out the same
transcript's HTML (``render_html``), which is how Vigil made the PDF before. Prints both times,
the pages, the ratio and whether the target holds.

With ``--workspace`` it also times the whole path an officer takes: a synthetic WhatsApp export
of the same size is ingested into a fresh workspace, then ``vigil report transcript`` is run
(in-process: the service ``build``, then ``produce``, which renders, writes and registers it;
then the command itself in a new process).

    .venv/bin/python bench/transcript.py [--messages 10000] [--repeat 3] [--no-peer] [--workspace]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from vigil.reports.transcript import AnnexLine, Line, Transcript, render_html, render_pdf

TARGET_S = 10.0
WORDS = (
    "school", "homework", "football", "practice", "bus", "tomorrow", "weekend", "game", "level",
    "score", "team", "match", "pizza", "film", "music", "song", "holiday", "weather", "rain",
    "park", "dog", "cat", "lunch", "dinner", "maths", "test", "teacher", "friend", "cousin",
    "birthday", "cake", "trainers", "bike", "swimming", "library", "project", "science", "art",
)  # fmt: skip
NAMES = ("Alex Moore", "Sam Taylor")


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _text(rng: random.Random, i: int) -> str:
    if i % 400 == 0:  # a long message: several paragraphs
        return "\n\n".join(" ".join(_sentence(rng, 12) for _ in range(6)) for _ in range(4))
    if i % 25 == 0:  # a few lines
        return " ".join(_sentence(rng, rng.randint(8, 14)) for _ in range(4))
    return _sentence(rng, rng.randint(2, 12))


def synthetic(n: int, seed: int = 20) -> Transcript:
    """A transcript model of ``n`` benign messages (deterministic for a seed)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
    lines = []
    for i in range(1, n + 1):
        at = start + timedelta(seconds=37 * i)
        lines.append(
            Line(
                seq=i,
                time=f"{at:%Y-%m-%d %H:%M:%S} GMT",
                sender=NAMES[i % 2],
                text=_text(rng, i),
                attachments=(f"IMG-{i:05d}.jpg (not supplied)",) if i % 50 == 0 else (),
                flags=("edited",) if i % 97 == 0 else ("deleted",) if i % 211 == 0 else (),
            )
        )
    annex = tuple(
        AnnexLine("2025-02-01 10:00:00 GMT", "DC Bench", f"message {s}", f"noted: check {s}")
        for s in range(100, n + 1, 1000)
    )
    return Transcript(
        label="BENCH/1", case_ref="OP-BENCH", source_ref="OP-BENCH/1", source_name="chat.txt",
        source_sha256="0" * 64, conversation="whatsapp #1", platform="whatsapp",
        zone="Europe/London", selection="the whole conversation", participants=NAMES,
        lines=tuple(lines), total_messages=n, produced_by="DC Bench",
        produced_at="2025-02-01 10:00:00 GMT", tool_version="bench", annex=annex,
    )  # fmt: skip


def _pages(pdf: bytes, root: Path) -> int:
    p = root / "count.pdf"
    p.write_bytes(pdf)
    return len(PdfReader(p).pages)


def _weasyprint(t: Transcript) -> bytes:
    from vigil.reports.render_pdf import html_to_pdf

    return html_to_pdf(render_html(t))


def _timed(fn: object, *args: object) -> tuple[float, float, Any]:
    """Wall-clock seconds, CPU seconds of this process, and the result of ``fn(*args)``."""
    assert callable(fn)
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0, out


def _whatsapp(path: Path, n: int) -> None:
    rng = random.Random(7)
    start = datetime(2025, 1, 15, 9, 0)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1, n + 1):
            at = start + timedelta(seconds=37 * i)
            text = _text(rng, i).replace("\n", " ")
            fh.write(f"[{at:%d/%m/%Y, %H:%M:%S}] {NAMES[i % 2]}: {text}\n")


def end_to_end(n: int, root: Path) -> None:
    """Ingest a synthetic export of ``n`` messages, then build and produce its transcript."""
    from vigil.config import Settings
    from vigil.services.cases import create_case
    from vigil.services.ingest.run import ingest_file
    from vigil.services.transcript import Selection, build, produce
    from vigil.services.workspace import init_workspace

    ws, _, _ = init_workspace(Settings(home=root / "ws", user="bench", database_url=None))
    create_case(ws, "OP-BENCH", "bench", None, "Europe/London")
    chat = root / "chat.txt"
    _whatsapp(chat, n)
    ingest_file(ws, "OP-BENCH", chat)
    why = "benchmark of transcript exhibits"
    b, bc, t = _timed(build, ws, "OP-BENCH", 1, "BENCH/2", Selection(), why)
    assert isinstance(t, Transcript) and len(t.lines) == n, "every message is in the build"
    out = root / "out" / "BENCH-3.pdf"
    e, ec, _ = _timed(produce, ws, "OP-BENCH", 1, "BENCH/3", Selection(), out, why)
    print(f"workspace, {n} messages: service build {b:6.2f} s (cpu {bc:5.2f} s)")
    print(f"  produce (build + render + write + register): {e:6.2f} s (cpu {ec:5.2f} s)  "
          f"{'meets' if e <= TARGET_S else 'MISSES'} the {TARGET_S:.0f} s target")  # fmt: skip
    ws.engine.dispose()
    cli(root)


def cli(root: Path) -> None:
    """``vigil report transcript`` as an officer runs it: a new process, imports and all."""
    vigil = Path(sys.executable).with_name("vigil")
    env = os.environ | {"VIGIL_HOME": str(root / "ws"), "VIGIL_USER": "bench"}
    cmd = [str(vigil), "report", "transcript", "1", "--case", "OP-BENCH", "--exhibit-ref",
           "BENCH/4", "--out", str(root / "out" / "BENCH-4.pdf"), "--purpose", "benchmark run"]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"  vigil report transcript (new process):       {wall:6.2f} s (cpu {cpu:5.2f} s)  "
          f"{'meets' if wall <= TARGET_S else 'MISSES'} the {TARGET_S:.0f} s target")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true", help="skip WeasyPrint (about 90 s)")
    ap.add_argument("--workspace", action="store_true", help="also time ingest → transcript")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="vigil-bench-transcript-"))
    try:
        t = synthetic(args.messages)
        runs = [_timed(render_pdf, t) for _ in range(args.repeat)]
        v, vc, pdf = min(runs, key=lambda r: r[0])
        pages = _pages(pdf, root)
        print(f"transcript of {args.messages} messages, {pages} pages, best of {args.repeat}")
        print(f"vigil render_pdf (ReportLab):           {v:7.2f} s (cpu {vc:6.2f} s)  "
              f"{len(pdf) / 1e6:5.1f} MB")  # fmt: skip
        if not args.no_peer:
            w, wc, peer = _timed(_weasyprint, t)
            print(f"peer WeasyPrint on render_html (1 run): {w:7.2f} s (cpu {wc:6.2f} s)  "
                  f"{len(peer) / 1e6:5.1f} MB, {_pages(peer, root)} pages")  # fmt: skip
            print(f"ratio (WeasyPrint time / Vigil time): {w / v:.1f} wall, {wc / vc:.1f} cpu")
        verdict = "meets" if v <= TARGET_S else "MISSES"
        print(f"target: <= {TARGET_S:.0f} s for {args.messages} messages: {verdict}")
        if args.workspace:
            end_to_end(args.messages, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
