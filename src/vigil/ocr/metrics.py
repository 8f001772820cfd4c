"""Measuring a transcript against the known truth: character error rate (edit distance over
the reference's length), and the share of messages with the right sender and time."""

from __future__ import annotations

import re
import unicodedata


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def readable(text: str) -> str:
    """The part of a message OCR is asked to read: emoji and other pictographs removed,
    spaces collapsed."""
    kept = "".join(
        ch for ch in text
        if not (unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf") or ord(ch) >= 0x1F000)
        or ch.isalnum()
    )  # fmt: skip
    return re.sub(r"\s+", " ", kept).strip()


def cer(pairs: list[tuple[str, str]]) -> float:
    """Character error rate over (reference, read) pairs: total edits / total reference
    characters (references made :func:`readable`)."""
    edits = total = 0
    for ref, got in pairs:
        r = readable(ref)
        edits += distance(r, re.sub(r"\s+", " ", got).strip())
        total += len(r)
    return edits / total if total else 0.0
