"""Precision and recall of extraction against the labelled corpus, per identifier kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.intel.corpus_types import Sample
from vigil.intel.extract import extract_identifiers


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(samples: list[Sample]) -> tuple[dict[str, Score], list[str]]:
    """Score per kind; also return one line per mistake for the failure message."""
    scores: dict[str, Score] = {}
    mistakes: list[str] = []
    for s in samples:
        found = Counter(i.key for i in extract_identifiers(s.text, region=s.region))
        gold = Counter(g.key for g in s.gold)
        for key in found | gold:
            sc = scores.setdefault(key[0], Score())
            hit = min(found[key], gold[key])
            sc.tp += hit
            sc.fp += found[key] - hit
            sc.fn += gold[key] - hit
            if found[key] != gold[key]:
                what = "extra" if found[key] > gold[key] else "missed"
                mistakes.append(f"{what} {key} in {s.text!r} ({s.region})")
    return scores, mistakes


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'kind':<14}{'gold':>6}{'found':>7}{'tp':>6}{'precision':>11}{'recall':>8}"]
    for kind in sorted(scores):
        s = scores[kind]
        lines.append(
            f"{kind:<14}{s.tp + s.fn:>6}{s.tp + s.fp:>7}{s.tp:>6}{s.precision:>11.3f}{s.recall:>8.3f}"
        )
    return "\n".join(lines)
