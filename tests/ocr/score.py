"""Scoring a transcript read from rendered screenshots against their truth: each true message
is paired with the read message whose box overlaps it most; a true message with no read
message counts wrong on every measure (its whole text as errors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tests.ocr.render import Shot, Truth
from vigil.ocr.metrics import distance, readable
from vigil.ocr.transcript import Line


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Overlap of the boxes' vertical extents (messages are stacked; a line layout's message
    box is as wide as the screen in the page, as wide as its text on the image)."""
    y0, y1 = max(a[1], b[1]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, y1 - y0)
    union = a[3] + b[3] - inter
    return inter / union if union else 0.0


@dataclass(slots=True)
class Score:
    messages: int = 0
    found: int = 0
    extra: int = 0
    sender_ok: int = 0
    time_ok: int = 0
    edits: int = 0
    chars: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("messages", "found", "extra", "sender_ok", "time_ok", "edits", "chars"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.misses += other.misses

    @property
    def cer(self) -> float:
        return self.edits / self.chars if self.chars else 0.0

    @property
    def sender_acc(self) -> float:
        return self.sender_ok / self.messages if self.messages else 1.0

    @property
    def time_acc(self) -> float:
        return self.time_ok / self.messages if self.messages else 1.0


def score(shot: Shot, lines: list[Line], ref_day: date) -> Score:
    """How well ``lines`` (read from ``shot`` alone, with ``ref_day`` as the reference day)
    match the truth."""
    sc = Score()
    used: set[int] = set()
    for t in shot.truth:
        sc.messages += 1
        ref = readable(t.text)
        sc.chars += len(ref)
        best = max(
            ((i, _iou(t.box, ln.item.box)) for i, ln in enumerate(lines) if i not in used),
            key=lambda p: p[1], default=(None, 0.0),
        )  # fmt: skip
        if best[0] is None or best[1] < 0.3:
            sc.edits += len(ref)
            sc.misses.append(f"{shot.png.name}: not found: {t.text!r}")
            continue
        ln = lines[best[0]]
        used.add(best[0])
        sc.found += 1
        sc.sender_ok += _sender(t, ln)
        clock = f"{ln.clock[0]:02d}:{ln.clock[1]:02d}" if ln.clock else None
        ok_time = clock == t.clock and ln.day == t.day
        sc.time_ok += ok_time
        d = distance(ref, ln.text)
        sc.edits += d
        if d or not ok_time or not _sender(t, ln):
            sc.misses.append(
                f"{shot.png.name}: {t.side}/{t.sender} {t.day} {t.clock} {t.text!r} -> "
                f"{ln.side}/{ln.sender} {ln.day} {clock} {ln.text!r}"
            )
    sc.extra = len(lines) - len(used)
    return sc


def _sender(t: Truth, ln: Line) -> bool:
    return t.side == ln.side and t.sender.lower() == ln.sender.lower()
