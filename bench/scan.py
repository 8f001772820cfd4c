"""Benchmark: the indicator stage against plain string work, Python `re` and scikit-learn.

One million synthetic messages (5-30 words, about 2 % carrying taxonomy cues taken from the
patterns' own examples). In the same run, on one core, it times:

  (a) Vigil's full indicator stage (normalise, scan, findings with original spans), with the
      plain-message prefilter (the default) and, for comparison, without it,
  (b) the bare scanner (the multi-pattern match over already-normalised text),
  (c) a plain ``str.lower()`` pass over the same messages,
  (d) Python ``re`` with one compiled pattern per phrase, on a sample,
  (e) scikit-learn HashingVectorizer + LogisticRegression predict on the same messages,

and prints messages/s and the ratios. Targets: (b) >= 0.4x (c); (a) >= 1,000,000 msg/s and
>= 15x (e).

``--chat`` takes the messages' text from a real chat export instead of random common words:
the 2,000 messages of ../shared/fixtures/chats/whatsapp/whatstk/lorem-2000.txt (read with
Vigil's WhatsApp parser; capitals, punctuation, emoji, trailing spaces), repeated, with a
taxonomy example appended to about 2 % of them.

    .venv/bin/python bench/scan.py [--messages 1000000] [--sample 20000] [--chat]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

WORDS = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "is",
    "it",
    "you",
    "that",
    "was",
    "for",
    "on",
    "are",
    "with",
    "as",
    "i",
    "his",
    "they",
    "be",
    "at",
    "one",
    "have",
    "this",
    "from",
    "or",
    "had",
    "by",
    "hot",
    "word",
    "but",
    "what",
    "some",
    "we",
    "can",
    "out",
    "other",
    "were",
    "all",
    "there",
    "when",
    "up",
    "use",
    "your",
    "how",
    "said",
    "an",
    "each",
    "she",
    "which",
    "do",
    "their",
    "time",
    "if",
    "will",
    "way",
    "about",
    "many",
    "then",
    "them",
    "write",
    "would",
    "like",
    "so",
    "these",
    "her",
    "long",
    "make",
    "thing",
    "see",
    "him",
    "two",
    "has",
    "look",
    "more",
    "day",
    "could",
    "go",
    "come",
    "did",
    "number",
    "sound",
    "no",
    "most",
    "people",
    "my",
    "over",
    "know",
    "water",
    "than",
    "call",
    "first",
    "who",
    "may",
    "down",
    "side",
    "been",
    "now",
    "find",
    "any",
    "new",
    "work",
    "part",
    "take",
    "get",
    "place",
    "made",
    "live",
    "where",
    "after",
    "back",
    "little",
    "only",
    "round",
    "man",
    "year",
    "came",
    "show",
    "every",
    "good",
    "me",
    "give",
    "our",
    "under",
    "name",
    "very",
    "through",
    "just",
    "form",
    "sentence",
    "great",
    "think",
    "say",
    "help",
    "low",
    "line",
    "differ",
    "turn",
    "cause",
    "much",
    "mean",
    "before",
    "move",
    "right",
    "boy",
    "old",
    "too",
    "same",
    "tell",
    "does",
    "set",
    "three",
    "want",
    "air",
    "well",
    "also",
    "play",
    "small",
    "end",
    "put",
    "home",
    "read",
    "hand",
    "port",
    "large",
    "spell",
    "add",
    "even",
    "land",
    "here",
    "must",
    "big",
    "high",
    "such",
    "follow",
    "act",
    "why",
    "ask",
    "men",
    "change",
    "went",
    "light",
    "kind",
    "off",
    "need",
    "house",
    "picture",
    "try",
    "us",
    "again",
    "animal",
    "point",
    "mother",
    "world",
    "near",
    "build",
    "self",
    "earth",
    "father",
    "head",
    "stand",
    "own",
    "page",
    "should",
    "country",
    "lol",
    "haha",
    "ok",
    "yeah",
    "football",
    "homework",
    "pizza",
    "match",
    "school",
    "tomorrow",
    "weekend",
    "game",
    "level",
    "score",
]


def make_messages(n: int, cue_rate: float, cues: list[str], seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(5, 30)
        words = rng.choices(WORDS, k=k)
        if rng.random() < cue_rate:
            words.insert(rng.randint(0, len(words)), rng.choice(cues))
        out.append(" ".join(words))
    return out


CHAT = Path(__file__).resolve().parents[2] / "shared/fixtures/chats/whatsapp/whatstk/lorem-2000.txt"


def chat_messages(n: int, cue_rate: float, cues: list[str], seed: int = 7) -> list[str]:
    """The chat export's message texts, repeated to ``n``, some with a cue appended."""
    from vigil.ingest.base import ParseOptions
    from vigil.ingest.formats.whatsapp_txt import PARSER

    with CHAT.open("rb") as fh:
        texts = [
            m.text for conv in PARSER.parse(fh, CHAT.name, ParseOptions()) for m in conv.messages
        ]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = texts[i % len(texts)]
        if rng.random() < cue_rate:
            text = f"{text} {rng.choice(cues)}"
        out.append(text)
    return out


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=100_000)
    ap.add_argument("--chat", action="store_true", help="message text from a real chat export")
    args = ap.parse_args()

    from vigil.analysis.engine import default_engine
    from vigil.analysis.normalise import normalise_blob
    from vigil.analysis.taxonomy_load import load_taxonomy

    tax = load_taxonomy("en")
    cues = [ex for p in tax.patterns() for ex in p.examples]
    engine = default_engine()
    scanner = engine.scanner
    make = chat_messages if args.chat else make_messages
    msgs = make(args.messages, 0.02, cues)
    n = len(msgs)
    print(
        f"{n:,} messages, {sum(map(len, msgs)) / 1e6:.0f} MB, {len(scanner.patterns)} patterns, "
        f"engine {scanner.engine_name}"
    )
    scanner.scan(msgs[:1000])  # compile outside the timings

    def full() -> int:
        found = 0
        for i in range(0, n, args.batch):
            found += sum(len(h) for h in scanner.scan(msgs[i : i + args.batch]))
        return found

    t_full, n_hits = timed(full)
    from vigil.analysis.scanner import Scanner

    unfiltered = Scanner(scanner.patterns, engine=scanner.engine_name, prefilter=False)

    def full_unfiltered() -> int:
        found = 0
        for i in range(0, n, args.batch):
            found += sum(len(h) for h in unfiltered.scan(msgs[i : i + args.batch]))
        return found

    t_nopf, n_hits_nopf = timed(full_unfiltered)
    if n_hits_nopf != n_hits:
        raise SystemExit(f"prefilter changed the findings: {n_hits} vs {n_hits_nopf}")
    blobs = [normalise_blob(msgs[i : i + args.batch]) for i in range(0, n, args.batch)]

    def bare() -> int:
        return sum(len(scanner.engine.candidates([], b)) for b in blobs)

    t_bare, _ = timed(bare)
    t_lower, _ = timed(lambda: [m.lower() for m in msgs])

    import re

    sample = msgs[: args.sample]
    compiled = [re.compile(r.pattern) for r in engine.rules]
    t_re, _ = timed(lambda: [[rx.search(m) for rx in compiled] for m in sample])

    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False)
    train = make_messages(4000, 0.5, cues, seed=11)
    labels = np.array([1 if any(c in m for c in cues) else 0 for m in train])
    clf = LogisticRegression(max_iter=200).fit(vec.transform(train), labels)

    def sk() -> int:
        total = 0
        for i in range(0, n, args.batch):
            total += int(clf.predict(vec.transform(msgs[i : i + args.batch])).sum())
        return total

    t_sk, _ = timed(sk)
    r_full, r_bare, r_lower = rate(n, t_full), rate(n, t_bare), rate(n, t_lower)
    r_re, r_sk = rate(len(sample), t_re), rate(n, t_sk)
    print(f"(a) full indicator stage : {r_full:12,.0f} msg/s  ({n_hits:,} findings)")
    print(f"    ... without prefilter: {rate(n, t_nopf):12,.0f} msg/s  (same finding count)")
    print(f"(b) bare scanner         : {r_bare:12,.0f} msg/s")
    print(f"(c) str.lower() pass     : {r_lower:12,.0f} msg/s")
    print(f"(d) python re per phrase : {r_re:12,.0f} msg/s  (sample of {len(sample):,})")
    print(f"(e) sklearn hash+logreg  : {r_sk:12,.0f} msg/s")
    print(f"bare scan / str.lower      = {r_bare / r_lower:6.2f}  (target >= 0.4)")
    print(f"full stage / sklearn       = {r_full / r_sk:6.2f}  (target >= 15)")
    print(f"full stage / python re     = {r_full / r_re:6.2f}")
    print(f"full stage msg/s target 1,000,000: {'met' if r_full >= 1e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
