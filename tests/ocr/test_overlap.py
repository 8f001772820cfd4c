"""Consecutive overlapping screenshots of one scrolled chat merge into one conversation with
no message twice and none lost; screenshots that do not overlap are said to leave a gap."""

from __future__ import annotations

import itertools
from zoneinfo import ZoneInfo

import numpy as np
from PIL import Image

from tests.ocr.conftest import needs_tools
from tests.ocr.render import LEFT_NAME, RIGHT_NAME, TODAY, Shot
from vigil.ocr.layouts import layout
from vigil.ocr.metrics import distance, readable
from vigil.ocr.pipeline import transcribe
from vigil.ocr.tesseract import Tesseract

pytestmark = needs_tools


def run(shots: list[Shot], engine: Tesseract) -> list[tuple[str, str, str | None]]:
    imgs = [np.asarray(Image.open(s.png).convert("RGB")) for s in shots]
    res = transcribe(imgs, layout(shots[0].layout), engine, left=LEFT_NAME, right=RIGHT_NAME,
                     ref_day=TODAY, zone=ZoneInfo("UTC"))  # fmt: skip
    return [(ln.side, ln.text, f"{ln.clock[0]:02d}:{ln.clock[1]:02d}" if ln.clock else None)
            for ln in res.lines]  # fmt: skip


def test_scrolled_screenshots_merge_without_duplicates_or_losses(
    scrolled: dict[str, list[Shot]], engine: Tesseract
) -> None:
    for lay, shots in scrolled.items():
        seen: dict[int, tuple[str, str, str | None]] = {}
        for s in shots:
            for t in s.truth:
                seen.setdefault(t.index, (t.side, t.text, t.clock))
        # the screenshots really overlap, and together they show the whole chat
        for a, b in itertools.pairwise(shots):
            assert {t.index for t in a.truth} & {t.index for t in b.truth}, lay
        want = [seen[i] for i in sorted(seen)]
        got = run(shots, engine)
        assert len(got) == len(want), f"{lay}: {len(got)} messages, {len(want)} shown\n{got}"
        for (ws, wt, wc), (gs, gt, gc) in zip(want, got, strict=True):
            assert gs == ws and gc == wc, (lay, wt, gt)
            assert distance(readable(wt), gt) <= max(2, len(readable(wt)) // 10), (lay, wt, gt)


def test_screenshots_without_overlap_leave_a_note(
    scrolled: dict[str, list[Shot]], engine: Tesseract
) -> None:
    shots = scrolled["whatsapp"]
    first, last = shots[0], shots[-1]
    assert not {t.index for t in first.truth} & {t.index for t in last.truth}
    imgs = [np.asarray(Image.open(s.png).convert("RGB")) for s in (first, last)]
    res = transcribe(imgs, layout("whatsapp"), engine, left=None, right="me", ref_day=TODAY,
                     zone=ZoneInfo("UTC"))  # fmt: skip
    assert any("share no message" in n for n in res.notes)
    assert len(res.lines) == len(first.truth) + len(last.truth)
