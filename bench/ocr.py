"""Benchmark: chat screenshots to transcript, Vigil against the plain ``tesseract`` command
line on the whole screenshot (what a unit would do by hand), same run, one core.

Renders ``--per`` benign screenshots per layout and theme at 1080 x 2400 with Debian's Chromium
(tests/ocr/render.py: synthetic chats, emoji, long wrapping messages), then

- Vigil: the pure OCR pipeline (find bubbles and labels, read each with Tesseract's C API,
  resolve senders and times) per screenshot;
- peer: ``tesseract IMAGE stdout`` per screenshot (text only: no senders, no times).

Both are pinned to one CPU (``sched_setaffinity``) with ``OMP_THREAD_LIMIT=1``. Prints
screenshots per second for each by CPU time (steady on a shared machine) and by wall clock,
the ratio, and Vigil's accuracy table per layout (sender, time, character error rate) against
the rendered truth. Target: >= 2 screenshots per second for Vigil on one core.

    .venv/bin/python bench/ocr.py            # 3 screenshots per layout and theme
    .venv/bin/python bench/ocr.py --per 6 --layouts whatsapp,discord
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ["OMP_THREAD_LIMIT"] = "1"  # before Tesseract is loaded, for it and the peer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PIL import Image
from tests.ocr.render import LAYOUTS, LEFT_NAME, RIGHT_NAME, THEMES, TODAY, Shot, renderer
from tests.ocr.score import Score, score
from tests.ocr.synth import chat

from vigil.ocr.layouts import layout
from vigil.ocr.pipeline import transcribe
from vigil.ocr.tesseract import Tesseract


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per", type=int, default=3, help="screenshots per layout and theme")
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    ap.add_argument("--cpu", type=int, default=0, help="the CPU to pin to")
    args = ap.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    layouts = [x.strip() for x in args.layouts.split(",") if x.strip()]
    out = Path(tempfile.mkdtemp(prefix="vigil-bench-ocr-"))
    shots: list[Shot] = []
    with renderer(out) as r:
        for li, lay in enumerate(layouts):
            for th in THEMES:
                for k in range(args.per):
                    items = chat(90_000 + li * 100 + k * 2 + (th == "dark"), 14, TODAY)
                    shots.append(r.shot(f"{lay}-{th}-{k}", lay, th, items, TODAY, scroll=0.0))
    print(
        f"{len(shots)} screenshots of 1080 x 2400 ({args.per} per layout and theme), CPU {args.cpu}"
    )

    engine = Tesseract()
    images = [np.asarray(Image.open(s.png).convert("RGB")) for s in shots]
    transcribe([images[0]], layout(shots[0].layout), engine, left=LEFT_NAME, right=RIGHT_NAME,
               ref_day=TODAY, zone=ZoneInfo("UTC"))  # warm-up  # fmt: skip
    scores: dict[str, Score] = {}
    v_cpu = v_wall = 0.0
    for shot, img in zip(shots, images, strict=True):
        c0, w0 = time.process_time(), time.perf_counter()
        res = transcribe([img], layout(shot.layout), engine, left=LEFT_NAME, right=RIGHT_NAME,
                         ref_day=TODAY, zone=ZoneInfo("UTC"))  # fmt: skip
        v_cpu += time.process_time() - c0
        v_wall += time.perf_counter() - w0
        scores.setdefault(f"{shot.layout} {shot.theme}", Score()).add(score(shot, res.lines, TODAY))
    engine.close()

    p_cpu0, p_wall = children_cpu(), 0.0
    for shot in shots:
        w0 = time.perf_counter()
        subprocess.run(["tesseract", str(shot.png), "stdout"], check=True, capture_output=True)
        p_wall += time.perf_counter() - w0
    p_cpu = children_cpu() - p_cpu0

    n = len(shots)
    print(f"{'':10} {'per CPU s':>10} {'per wall s':>10}")
    print(f"{'vigil':10} {n / v_cpu:10.2f} {n / v_wall:10.2f}   screenshots/s (to a transcript)")
    print(f"{'tesseract':10} {n / p_cpu:10.2f} {n / p_wall:10.2f}   screenshots/s (text only)")
    print(f"{'ratio':10} {p_cpu / v_cpu:9.2f}x {p_wall / v_wall:9.2f}x   vigil / tesseract CLI")
    print()
    print(f"{'layout':16} {'messages':>8} {'found':>6} {'sender':>7} {'time':>7} {'CER':>7}")
    total = Score()
    for key, sc in scores.items():
        total.add(sc)
        print(f"{key:16} {sc.messages:8d} {sc.found:6d} {sc.sender_acc:7.1%} {sc.time_acc:7.1%} "
              f"{sc.cer:7.2%}")  # fmt: skip
    print(f"{'all':16} {total.messages:8d} {total.found:6d} {total.sender_acc:7.1%} "
          f"{total.time_acc:7.1%} {total.cer:7.2%}")  # fmt: skip


if __name__ == "__main__":
    main()
