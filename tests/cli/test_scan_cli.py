"""``vigil scan`` through the real executable (and, for the refusals, the same entry point in
the test's process): output, stderr summary, exit codes, and the evaluation harness's contract
(``grooming_eval.py score --cmd 'vigil scan ...'``).

All text is synthetic and non-graphic: everyday chat, and grooming cues worded the way public
safeguarding guidance quotes them.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from tests.clirun import child, in_process

VIGIL_EXE = Path(sys.executable).with_name("vigil")
HARNESS = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "grooming" / "grooming_eval.py"
)
TALK = [
    "hi how was your day",
    "did you watch the match last night",
    "the maths homework is on page 32",
    "football training moved to thursday",
    "bring your kit and a water bottle",
    "lol same",
]
CUES = [
    "how old are you",
    "are your parents home right now",
    "dont tell your parents about me",
    "keep this between us ok",
    "i can buy you a new phone",
    "can we meet this weekend",
    "i can pick you up from the bus stop",
]


def env(tmp_path: Path) -> dict[str, str]:
    e = {**os.environ, "VIGIL_HOME": str(tmp_path / "no-ws"), "COLUMNS": "200"}
    e.pop("VIGIL_MODEL_DIR", None)
    e.pop("VIGIL_DATABASE_URL", None)
    return e


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``vigil scan`` through ``python -m vigil.cli.main``, in a process of its own."""
    return child(["scan", *args], env(tmp_path), timeout=120)


def run_here(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The same, in this process (tests/clirun.py)."""
    return in_process(["scan", *args], env(tmp_path))


def labelled(path: Path, n_each: int = 15) -> Path:
    """A synthetic ``segment,label`` CSV as the harness reads with --plain."""
    rng = random.Random(3)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["segment", "label"])
        for i in range(2 * n_each):
            pool = TALK + CUES if i % 2 else TALK
            w.writerow(["\n".join(rng.choice(pool) for _ in range(rng.randint(3, 9))), i % 2])
    return path


def test_scan_writes_scores_and_reports_on_stderr(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'id,segment\n1,"how old are you\ndont tell your parents about me"\n2,lol same\n,orphan\n',
        encoding="utf-8",
    )
    out = tmp_path / "scores.csv"
    r = run(tmp_path, "--in", str(src), "--out", str(out), "--no-model")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "a lead for a trained person, never a verdict" in r.stderr
    assert "scanned 2 conversation(s)" in r.stderr and "model: none" in r.stderr
    assert "1 bad record(s) skipped" in r.stderr
    assert f"{src}, line 5: missing id" in r.stderr
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["id"] for row in rows] == ["1", "2"]
    assert list(rows[0]) == [
        "id", "score", "flagged", "categories", "flags", "urgency", "language", "checked", "note"
    ]  # fmt: skip
    assert rows[0]["categories"] and rows[0]["flagged"] in ("0", "1")
    assert (tmp_path / "scores.csv.errors.csv").is_file()


def test_json_summary_and_jsonl_output(tmp_path: Path) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text(
        "\n".join(
            json.dumps({"conversation": "c", "sender": s, "time": f"2026-03-01T10:0{i}:00Z",
                        "text": t})
            for i, (s, t) in enumerate([("a", "how old are you"), ("b", "13"),
                                        ("a", "can we meet this weekend")])
        ),
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "scores.out"
    r = run_here(tmp_path, "--in", str(src), "--out", str(out), "--format", "jsonl", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["layout"] == "rows" and summary["conversations"] == 1
    assert "never a verdict" in summary["note"]
    d = json.loads(out.read_text())
    assert d["id"] == "c" and isinstance(d["flagged"], bool) and isinstance(d["categories"], list)


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        ("missing", 3, "does not exist"),
        ("columns", 4, "line 1: the required columns are missing"),
        ("both", 3, "--model and --no-model"),
        ("extension", 3, "cannot tell the format"),
    ],
)
def test_unusable_input_exits_non_zero_with_one_line(
    tmp_path: Path, setup: str, code: int, words: str
) -> None:
    src = tmp_path / "in.csv"
    if setup != "missing":
        src.write_text("name,text\nx,hi\n" if setup == "columns" else "id,segment\na,hi\n")
    args = [
        "--in",
        str(src),
        "--out",
        str(tmp_path / ("s.txt" if setup == "extension" else "s.csv")),
    ]
    if setup == "both":
        args += ["--model", str(tmp_path), "--no-model"]
    r = run_here(tmp_path, *args)
    assert r.returncode == code, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "s.csv").exists()


def test_harness_contract(tmp_path: Path) -> None:
    """The evaluation harness runs `vigil scan` on its own CSV and reads the scores back."""
    if not HARNESS.is_file():
        pytest.skip(f"evaluation harness not found at {HARNESS}")
    if not VIGIL_EXE.is_file():
        pytest.skip(f"no vigil executable beside {sys.executable}")
    data = labelled(tmp_path / "labelled.csv")
    cmd = f"{VIGIL_EXE} scan --in {{segments}} --out {{scores}}"
    r = subprocess.run(
        [sys.executable, str(HARNESS), "score", "--data", str(data), "--plain", "--cmd", cmd],
        capture_output=True,
        text=True,
        env=env(tmp_path),
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "roc_auc:" in r.stdout
    assert "segments: 30" in r.stdout and "flagged:" in r.stdout and "categories:" in r.stdout


@pytest.mark.parametrize("through", ["executable", "main app"])
def test_options_help_and_usage_errors_on_both_ways_in(tmp_path: Path, through: str) -> None:
    if through == "executable" and not VIGIL_EXE.is_file():
        pytest.skip(f"no vigil executable beside {sys.executable}")

    def scan(*args: str) -> subprocess.CompletedProcess[str]:
        if through == "executable":  # the `vigil` executable's own start for `scan`
            return subprocess.run(
                [str(VIGIL_EXE), "scan", *args], capture_output=True, text=True, env=env(tmp_path)
            )
        return run_here(tmp_path, *args)  # the main app's `scan` (a child: the tests above)

    helped = scan("--help")
    assert helped.returncode == 0
    for option in ("--in", "--out", "--no-model", "--grouped", "--batch", "never a verdict"):
        assert option in helped.stdout
    bad = scan("--in", "a.csv", "--out", "b.csv", "--batch", "0")
    assert bad.returncode == 2 and "--batch" in bad.stderr and "below 1" in bad.stderr
    missing = scan("--in", "a.csv")
    assert missing.returncode == 2 and "--out" in missing.stderr


def test_the_executable_writes_everything_before_its_quick_exit(tmp_path: Path) -> None:
    if not VIGIL_EXE.is_file():
        pytest.skip(f"no vigil executable beside {sys.executable}")
    src = tmp_path / "in.csv"
    src.write_text(
        "id,segment\n" + "".join(f'{i},"{TALK[i % 6]}\n{CUES[i % 7]}"\n' for i in range(40))
    )
    out = tmp_path / "scores.jsonl"
    r = subprocess.run(
        [str(VIGIL_EXE), "scan", "--in", str(src), "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        env=env(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["conversations"] == 40  # stdout flushed
    assert "scanned 40 conversation(s)" in r.stderr  # stderr flushed
    assert len(out.read_text(encoding="utf-8").splitlines()) == 40
    assert not list(tmp_path.glob(".*.part"))
