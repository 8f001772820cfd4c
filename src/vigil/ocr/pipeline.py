"""Screenshots to transcript, pure: read each screenshot, merge the overlaps, resolve senders
and times, and say what was assumed. Also the JSON kept as the transcript's derived exhibit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from vigil.ocr.engine import Engine
from vigil.ocr.image import Img, background
from vigil.ocr.layouts import Layout
from vigil.ocr.merge import merge
from vigil.ocr.read import LOW_CONF, Screen, read_screen
from vigil.ocr.transcript import Line, resolve


@dataclass(slots=True)
class Result:
    layout: Layout
    theme: str
    screens: list[Screen]
    lines: list[Line]
    repeated: int
    notes: list[str] = field(default_factory=list)


def theme_of(img: Img) -> str:
    """``dark`` when the chat background is dark, else ``light``."""
    r, g, b = background(img)
    return "dark" if 0.299 * r + 0.587 * g + 0.114 * b < 110 else "light"


def transcribe(
    images: list[Img],
    layout: Layout,
    engine: Engine,
    *,
    left: str | None,
    right: str,
    ref_day: date | None,
    zone: ZoneInfo,
    theme: str = "auto",
) -> Result:
    """Read ``images`` (RGB arrays, in scrolling order) into one transcript."""
    screens = [read_screen(np.asarray(img), layout, engine, i) for i, img in enumerate(images)]
    if theme == "auto":
        themes = {theme_of(img) for img in images}
        theme = themes.pop() if len(themes) == 1 else "mixed"
    merged = merge(screens)
    res = resolve(merged.items, left=left, right=right, ref_day=ref_day, zone=zone)
    notes = [
        f"read by OCR with the {layout.name} layout ({theme} theme); the text is as the "
        "engine read it, never corrected: check it against the screenshot",
        f"right-hand messages are {right!r} (the phone owner's side); left-hand ones "
        f"{left or 'the name shown above them'!r}",
    ]
    if merged.repeated:
        notes.append(f"{merged.repeated} message(s) shown in two overlapping screenshots kept once")
    cut = sum(s.cut for s in screens)
    if cut:
        notes.append(f"{cut} message(s) cut by a screenshot's edge were not read there")
    low = sum(1 for ln in res.lines if ln.item.low)
    if low:
        notes.append(f"{low} message(s) hold words read with confidence under {LOW_CONF:g}: marked")
    for s in screens:
        notes.extend(s.unread)
    notes.extend(merged.notes)
    notes.extend(res.notes)
    if ref_day is None:
        notes.append("no reference date: days named Today, Yesterday or by weekday not resolved")
    return Result(layout, theme, screens, res.lines, merged.repeated, notes)


def result_json(res: Result, exhibits: list[str], engine: str, language: str) -> dict[str, Any]:
    """What the transcript exhibit holds: every message with where it was read."""
    return {
        "kind": "vigil.ocr_transcript",
        "layout": res.layout.name,
        "theme": res.theme,
        "engine": engine,
        "language": language,
        "screenshots": exhibits,
        "notes": res.notes,
        "messages": [
            {
                "seq": ln.seq,
                "side": ln.side,
                "sender": ln.sender,
                "text": ln.text,
                "day": ln.day.isoformat() if ln.day else None,
                "clock": f"{ln.clock[0]:02d}:{ln.clock[1]:02d}" if ln.clock else None,
                "time_text": ln.time_text,
                "time_note": ln.time_note,
                "screenshot": exhibits[ln.item.screen],
                "box": list(ln.item.box),
                "confidence": ln.item.conf,
                "low_confidence": [{"start": a, "end": b, "conf": c} for a, b, c in ln.item.low],
            }
            for ln in res.lines
        ],
    }
