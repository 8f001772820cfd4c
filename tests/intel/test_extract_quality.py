"""Precision and recall of identifier extraction on the labelled synthetic corpus.

Run with ``-s`` to see the table. Every identifier kind must stay above 0.95 on both.
"""

from __future__ import annotations

from tests.intel.corpus import build
from tests.intel.corpus_hand import hand
from tests.intel.scoring import score, table

KINDS = {
    "phone", "email", "url", "ip", "handle", "crypto", "payment", "bank_account", "postcode",
    "money", "meeting_time",
}  # fmt: skip


def test_corpus_is_large_and_covers_every_kind() -> None:
    samples = build()
    gold = [g for s in samples for g in s.gold]
    assert len(gold) >= 500
    per_kind = {k: sum(g.kind == k for g in gold) for k in KINDS}
    assert min(per_kind.values()) >= 40, per_kind
    negatives = [s for s in samples if not s.gold]
    assert len(negatives) >= 150


def test_corpus_is_deterministic() -> None:
    assert [s.text for s in build(3)] == [s.text for s in build(3)]
    assert [s.text for s in build(3)] != [s.text for s in build(4)]


def test_precision_and_recall_per_kind() -> None:
    scores, mistakes = score(build())
    print("\nidentifier extraction on the synthetic corpus (seed 7)\n" + table(scores))
    assert set(scores) == KINDS
    low = {k: (round(s.precision, 3), round(s.recall, 3)) for k, s in scores.items()
           if s.precision <= 0.95 or s.recall <= 0.95}  # fmt: skip
    assert not low, f"{low}\n" + "\n".join(mistakes)


def test_hand_labelled_messages() -> None:
    scores, mistakes = score(hand())
    print("\nhand-labelled messages only\n" + table(scores))
    total_tp = sum(s.tp for s in scores.values())
    total = total_tp + sum(s.fp + s.fn for s in scores.values())
    assert total_tp / total > 0.95, "\n".join(mistakes)
