#!/usr/bin/env python3
"""`make eval`: measure the shipped scorer on real labelled chats and write the figures into
docs/triage.md ("Quality"), with the exact commands.

Every figure comes from the evaluation harness (../shared/eval/grooming/grooming_eval.py),
which runs the command on its private copy of the data and prints aggregate figures only; this
script never sees a segment. Runs:

- the shipped scorer as it is (default: indicators + model + stacker), indicators alone, and
  the learned model alone, on the data it was trained on (in-sample: the issue's targets are
  set on this data; held-out data is kept elsewhere);
- cross-validated (5 folds: each fold scored by a scorer fitted on the other four) for the
  default scorer and for indicators alone: the honest estimate for chats it has not seen.

Usage: scripts/eval_report.py [--quick] [--doc docs/triage.md]   (--quick: no cross-validation)
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT.parent / "shared" / "eval" / "grooming" / "grooming_eval.py"
VIGIL = ".venv/bin/vigil"
START = "<!-- eval:start (written by `make eval`; do not edit by hand) -->"
END = "<!-- eval:end -->"

RUNS: list[tuple[str, list[str]]] = [
    ("default (shipped model, in-sample)",
     ["score", "--cmd", f"{VIGIL} scan --in {{segments}} --out {{scores}}"]),
    ("indicators alone (shipped weights, in-sample)",
     ["score", "--cmd", f"{VIGIL} scan --no-model --in {{segments}} --out {{scores}}"]),
    ("learned model alone (in-sample)",
     ["score", "--cmd", f"{VIGIL} scan --model-only --in {{segments}} --out {{scores}}"]),
    ("default, cross-validated",
     ["cv", "--train-cmd", f"{VIGIL} model train --data {{train}} --out {{model}} --test-fraction 0",
      "--score-cmd", f"{VIGIL} scan --model {{model}} --in {{segments}} --out {{scores}}"]),
    ("indicators alone, cross-validated",
     ["cv", "--train-cmd", f"{VIGIL} model train --data {{train}} --out {{model}} --test-fraction 0",
      "--score-cmd",
      f"{VIGIL} scan --no-model --weights {{model}}/indicators.json --in {{segments}} --out {{scores}}"]),
]  # fmt: skip


def run(args: list[str]) -> tuple[dict[str, object], str, float]:
    cmd = [sys.executable, str(HARNESS), *args, "--json"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    shown = "python3 ../shared/eval/grooming/grooming_eval.py " + " ".join(
        shlex.quote(a) for a in args
    )
    return json.loads(out), shown, time.perf_counter() - t0


def fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:,.0f}" if x > 10 else f"{x:.3f}"
    return str(x)


def table(results: list[tuple[str, dict[str, object], str]]) -> str:
    head = (
        "| scorer | ROC-AUC | average precision | best F1 | recall at 1 % FPR | "
        "flagged precision | flagged recall | flagged F1 | flagged FPR | positives with "
        "nothing found | segments/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for name, r, _ in results:
        fl = r.get("flagged") or {}
        assert isinstance(fl, dict)
        rows.append(
            f"| {name} | {fmt(r['roc_auc'])} | {fmt(r['average_precision'])} | "
            f"{fmt(r['best_f1'])} | {fmt(r['recall_at_1pct_fpr'])} | {fmt(fl.get('precision'))} | "
            f"{fmt(fl.get('recall'))} | {fmt(fl.get('f1'))} | {fmt(fl.get('fpr'))} | "
            f"{fmt(r['positives_scored_zero'])} | {fmt(r['segments_per_second'])} |"
        )
    return head + "\n".join(rows) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the cross-validated runs")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "triage.md")
    a = ap.parse_args()
    if not HARNESS.is_file():
        raise SystemExit(f"no evaluation harness at {HARNESS}")
    results = []
    for name, args in RUNS:
        if a.quick and args[0] == "cv":
            continue
        r, shown, secs = run(args)
        print(
            f"{name}: ROC-AUC {fmt(r['roc_auc'])}, AP {fmt(r['average_precision'])} ({secs:.0f} s)"
        )
        results.append((name, r, shown))
    cats = results[0][1].get("categories", {})
    cat_lines = "".join(
        f"| {c} | {v['in_positives']} | {v['in_negatives']} |\n"  # type: ignore[index]
        for c, v in cats.items()  # type: ignore[union-attr]
    )
    first = results[0][1]
    body = (
        f"{START}\n\n"
        f"Measured {datetime.now(UTC).date().isoformat()} on `dev.bin` ({first['segments']} real "
        f"labelled segments, {first['positives']} positive) with the evaluation harness; "
        "one core of the 2-core machine for the timings.\n\n"
        + table(results)
        + "\nCommands (from the project root):\n\n"
        + "".join(f"- {name}: `{shown}`\n" for name, _, shown in results)
        + "\nHow often each category fires (default scorer; a segment counts once per category):\n\n"
        "| category | in positives | in negatives |\n|---|---|---|\n" + cat_lines + f"\n{END}"
    )
    doc = a.doc.read_text("utf-8")
    if START in doc and END in doc:
        doc = doc[: doc.index(START)] + body + doc[doc.index(END) + len(END) :]
    else:
        doc = doc.rstrip() + "\n\n## Quality\n\n" + body + "\n"
    a.doc.write_text(doc, "utf-8")
    print(f"figures written to {a.doc}")


if __name__ == "__main__":
    main()
