"""`vigil scan` against a CPU BERT classifier: segments per second on one core.

Issue 14's target: `vigil scan` scores at least 2,000 segments/s on one core, at least 40 times
a BERT-base classifier on the CPU (the model class research on early sexual-predator detection
uses). Both run here in the same process environment on the same synthetic segments (chat-like
text of 1-2 KB, about the size of the evaluation data's segments; a taxonomy cue in about one
in eight), pinned to one core and one thread.

- Vigil: the full `vigil scan` command (default model: indicators, n-gram model, stacker,
  language check), timed whole (start-up included) and as the scoring rate it reports.
- Peer: BERT-base (12 layers, 768 wide, 110M parameters) from `transformers`, randomly
  initialised (no download is possible or needed: speed does not depend on the weights), in
  inference mode on 512-token inputs, batch 8; its tokenisation is not timed, which favours it.

Needs the bench extras: `.venv/bin/pip install -e '.[bench]'` (torch, transformers).
Run: `.venv/bin/python bench/scan_segments.py [--segments 20000] [--bert-segments 64]`.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "hey",
    "lol",
    "what",
    "are",
    "you",
    "doing",
    "today",
    "i",
    "am",
    "so",
    "bored",
    "at",
    "home",
    "my",
    "mum",
    "is",
    "out",
    "later",
    "school",
    "was",
    "ok",
    "wanna",
    "talk",
    "yeah",
    "sure",
    "haha",
    "cool",
    "what",
    "music",
    "do",
    "you",
    "like",
    "i",
    "like",
    "pop",
    "and",
    "rock",
    "games",
    "are",
    "fun",
    "see",
    "you",
    "tomorrow",
    "ok",
    "bye",
    "did",
    "you",
    "watch",
    "the",
    "match",
    "last",
    "night",
    "it",
    "was",
    "good",
    "we",
    "won",
    "again",
    "the",
    "teacher",
    "gave",
    "us",
    "loads",
    "of",
    "homework",
    "cant",
    "be",
    "bothered",
    "going",
    "out",
    "its",
    "raining",
    "again",
    "anyway",
]
CUES = [
    "how old are you", "are your parents home", "keep this between us", "send me a pic",
    "we could meet at the park on saturday", "you are so mature for your age",
    "delete our chats", "i can buy you a new phone",
]  # fmt: skip


def segment(
    rng: random.Random,
    lines: int = 1,
    words: tuple[int, int] = (200, 400),
    cue_rate: float = 0.125,
    cues: int = 3,
) -> str:
    """One synthetic chat segment: ``lines`` messages, one a line, each of ``words`` (least,
    most) words drawn from WORDS; a message gets ``cues`` different CUES inserted at random
    places with probability ``cue_rate``. The defaults are this script's segments (one long
    line of 200-400 words, 3 cues in one segment in eight); bench/scale.py asks for about ten
    short messages with a cue in 2 % of them."""
    out = []
    for _ in range(lines):
        message = [rng.choice(WORDS) for _ in range(rng.randint(*words))]
        if rng.random() < cue_rate:
            for cue in rng.sample(CUES, cues):
                message.insert(rng.randrange(len(message)), cue)
        out.append(" ".join(message))
    return "\n".join(out)


def segments(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [segment(rng) for _ in range(n)]


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def time_vigil(texts: list[str], folder: Path) -> tuple[float, float]:
    src, out = folder / "segments.csv", folder / "scores.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "segment"])
        w.writerows(enumerate(texts))
    vigil = Path(sys.executable).with_name("vigil")
    cmd = ["taskset", "-c", "0", str(vigil), "scan", "--in", str(src), "--out", str(out), "--json"]
    subprocess.run(cmd, check=True, capture_output=True)  # warm the compiled-pattern cache
    t0 = time.perf_counter()
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    whole = time.perf_counter() - t0
    import json

    report = json.loads(res.stdout[res.stdout.index("{") :])
    return len(texts) / whole, report["conversations"] / report["seconds"]


def time_bert(texts: list[str]) -> float:
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(num_labels=2)).eval()
    vocab = model.config.vocab_size
    ids = [[101 + (hash(w) % (vocab - 200)) for w in t.split()][:510] for t in texts]
    batches = [ids[i : i + 8] for i in range(0, len(ids), 8)]
    with torch.inference_mode():
        model(torch.tensor([[101] * 512]))  # warm up
        t0 = time.perf_counter()
        for b in batches:
            width = max(len(x) for x in b) + 2
            x = torch.tensor([[101, *s, 102] + [0] * (width - len(s) - 2) for s in b])
            model(input_ids=x, attention_mask=(x > 0).long())
        return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--segments", type=int, default=20_000)
    ap.add_argument("--bert-segments", type=int, default=64)
    a = ap.parse_args()
    one_core()
    texts = segments(a.segments)
    with tempfile.TemporaryDirectory() as d:
        whole, rate = time_vigil(texts, Path(d))
        small_whole, small_rate = time_vigil(texts[:1073], Path(d))
    bert = time_bert(texts[: a.bert_segments])
    print(f"segments of {sum(map(len, texts)) / len(texts):,.0f} characters on average, one core")
    print(
        f"vigil scan, {a.segments:,} segments: {whole:,.0f}/s whole command, {rate:,.0f}/s scoring"
    )
    print(f"vigil scan, 1,073 segments (the dev set's size): {small_whole:,.0f}/s whole command, "
          f"{small_rate:,.0f}/s scoring")  # fmt: skip
    print(f"BERT-base on the CPU, {a.bert_segments} segments: {bert:,.1f}/s")
    print(f"ratio vigil/BERT: {whole / bert:,.0f}x whole command, {rate / bert:,.0f}x scoring")


if __name__ == "__main__":
    main()
