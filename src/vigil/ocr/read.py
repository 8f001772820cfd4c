"""One screenshot read into items, top to bottom: labels (day separators, time labels),
headers (a sender's name, with a time on Discord) and messages (text as read, its box, its
side, its mean word confidence and the character spans read below the threshold).

Nothing read is corrected: a low-confidence word is marked, the text stays as the engine read
it. Messages cut by the screen's edge are counted, not read (the next or previous screenshot
holds them whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from vigil.ocr.engine import Engine, Word
from vigil.ocr.image import Band, Img, clean_crop, find_bands
from vigil.ocr.labels import Label, parse_clock, parse_day, parse_label, split_trailing_clock
from vigil.ocr.layouts import Layout

LOW_CONF = 60.0
"""Words the engine is less sure of than this (0-100) are marked low-confidence."""
SCALE = 0.5
"""Crops are read at half the size of a 3x phone screenshot (x-height about 12 pixels)."""


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    conf: float
    low: list[tuple[int, int, float]]
    """(start, end, conf) character spans of ``text`` read below LOW_CONF."""


@dataclass(slots=True)
class MessageItem:
    side: str
    """``left`` or ``right`` (bubble side; Snapchat's bar colour; Discord: left)."""
    text: str
    conf: float
    low: list[tuple[int, int, float]]
    box: tuple[int, int, int, int]
    screen: int
    sender: str | None = None
    """The name a header gave (Discord, Snapchat), as read."""
    clock: tuple[int, int] | None = None
    """A time in the bubble itself (WhatsApp, Telegram)."""
    clock_text: str | None = None


@dataclass(frozen=True, slots=True)
class LabelItem:
    label: Label
    box: tuple[int, int, int, int]
    screen: int


@dataclass(frozen=True, slots=True)
class HeaderItem:
    name: str
    label: Label | None
    box: tuple[int, int, int, int]
    screen: int


Item = MessageItem | LabelItem | HeaderItem


@dataclass(slots=True)
class Screen:
    items: list[Item] = field(default_factory=list)
    cut: int = 0
    """Messages cut by the screen's edge, not read."""
    unread: list[str] = field(default_factory=list)
    """What was found and not used, said plainly."""


def join_words(words: list[Word]) -> Text:
    """Words joined by single spaces, with the low-confidence spans marked."""
    parts: list[str] = []
    low: list[tuple[int, int, float]] = []
    pos = 0
    for w in words:
        if parts:
            pos += 1
        if w.conf < LOW_CONF:
            low.append((pos, pos + len(w.text), round(w.conf, 1)))
        parts.append(w.text)
        pos += len(w.text)
    conf = float(np.mean([w.conf for w in words])) if words else 0.0
    return Text(" ".join(parts), round(conf, 1), low)


def _trim(low: list[tuple[int, int, float]], n: int) -> list[tuple[int, int, float]]:
    return [(a, min(b, n), c) for a, b, c in low if a < n]


def _bar_side(colour: tuple[int, int, int]) -> str:
    """Snapchat: the owner's messages have a red bar, the other party's a blue one."""
    return "right" if colour[0] > colour[2] else "left"


def split_header(text: str) -> tuple[str, Label | None]:
    """``Jordan Today at 9:16 AM`` → (``Jordan``, the label); a bare name → (name, None)."""
    found = parse_clock(text)
    head = text[: found[1][0]] if found else text
    words = head.split()
    for i in range(len(words)):
        day = parse_day(" ".join(words[i:]))
        if day is not None or i == len(words) - 1:
            name = _strip_marks(" ".join(words[:i]) if day is not None else head)
            label = parse_label(text[len(" ".join(words[:i])) :] if day else text[len(head) :])
            return name.strip() or head.strip(), label
    return text.strip(), parse_label(text) if found else None


def read_screen(img: Img, layout: Layout, engine: Engine, screen: int = 0) -> Screen:
    """Read one screenshot (RGB array) with ``layout``."""
    bands, _ = find_bands(img, text_left=layout.text_left)
    out = Screen()
    if layout.kind == "bubbles":
        _bubbles(img, bands, layout, engine, screen, out)
    else:
        _lines(img, bands, layout, engine, screen, out)
    return out


def _read(img: Img, band: Band, engine: Engine, single_line: bool = False) -> Text:
    return join_words(engine.words(clean_crop(img, band, SCALE), single_line=single_line))


def _bubble_time(img: Img, band: Band, engine: Engine, words: list[Word]) -> tuple[
    list[Word], tuple[int, int] | None, str | None
]:  # fmt: skip
    """The words of a bubble without its time, and the time, when the time did not read
    cleanly at the end of the text: the last line's words right of the bubble's middle are
    read again at full size, alone; if they read as a clock they are the bubble's time."""
    if not words:
        return words, None, None
    last = max(w.line for w in words)
    mid = (band.width * SCALE + 16) / 2
    tail = [w for w in words if w.line == last and w.box[0] >= mid]
    if not tail:
        return words, None, None
    x0 = int((min(w.box[0] for w in tail) - 8) / SCALE) - 6
    y0 = int((min(w.box[1] for w in tail) - 8) / SCALE) - 6
    x0, y0 = max(0, x0), max(0, y0)
    corner = replace(band, left=band.left + x0, top=band.top + y0, width=band.width - x0,
                     height=band.height - y0)  # fmt: skip
    got = join_words(engine.words(clean_crop(img, corner, 1.0), single_line=True))
    text, clock, clock_text = split_trailing_clock(got.text)
    if clock is None or text.strip():
        return words, None, None
    return [w for w in words if w not in tail], clock, clock_text


def _bubbles(
    img: Img, bands: list[Band], layout: Layout, engine: Engine, screen: int, out: Screen
) -> None:
    for b in bands:
        if b.cut:
            out.cut += b.side != "centre"
            continue
        if b.side == "centre":
            t = _read(img, b, engine)
            label = parse_label(_strip_marks(t.text))
            if label is not None:
                out.items.append(LabelItem(label, b.box, screen))
            elif t.text:
                out.unread.append(
                    f"screenshot {screen + 1}: centred text {t.text!r} at y={b.top} is not a day or time label"
                )
            continue
        if not b.filled:
            continue  # text outside bubbles: the app's title, a status line
        words = engine.words(clean_crop(img, b, SCALE))
        t = join_words(words)
        text, low = t.text, t.low
        clock = clock_text = None
        if layout.time_in_bubble:
            text, clock, clock_text = split_trailing_clock(t.text)
            if clock is None:
                kept, clock, clock_text = _bubble_time(img, b, engine, words)
                t = join_words(kept)
                text = t.text
            low = _trim(t.low, len(text))
        out.items.append(MessageItem(b.side, text, t.conf, low, b.box, screen,
                                     clock=clock, clock_text=clock_text))  # fmt: skip


def _strip_marks(text: str) -> str:
    return re.sub(r"^[\W_]+|[\W_]+$", "", text)


def _lines(
    img: Img, bands: list[Band], layout: Layout, engine: Engine, screen: int, out: Screen
) -> None:
    body: list[tuple[Band, Text]] = []
    heights = [b.xh for b in bands if not b.marked and b.side != "centre" and not b.cut]
    typical = float(np.median(heights)) if heights else 0.0

    def flush() -> None:
        if not body:
            return
        first = body[0][0]
        left = min(b.left for b, _ in body)
        right = max(b.left + b.width for b, _ in body)
        bottom = max(b.top + b.height for b, _ in body)
        words = [t for _, t in body]
        text: list[str] = []
        low: list[tuple[int, int, float]] = []
        pos = 0
        for t in words:
            if text:
                pos += 1
            low += [(a + pos, e + pos, c) for a, e, c in t.low]
            text.append(t.text)
            pos += len(t.text)
        conf = round(float(np.mean([t.conf for t in words])), 1)
        side = _bar_side(first.bar) if first.bar is not None else "left"
        out.items.append(MessageItem(side, " ".join(text), conf, low,
                                     (left, first.top, right - left, bottom - first.top), screen))  # fmt: skip
        body.clear()

    def continues(a: Band, b: Band) -> bool:
        return bool(typical) and (b.base - a.base) <= layout.new_message_pitch * typical

    prev: Band | None = None
    after_cut: Band | None = None
    for b in bands:
        if b.cut:
            # a message whose next line is cut off at the bottom is only partly shown
            if body and prev is not None and layout.sender_from == "header" and continues(prev, b):
                body.clear()
            flush()
            out.cut += 1
            prev, after_cut = None, b
            continue
        t = _read(img, b, engine, single_line=b.bar is None)
        label = parse_label(_strip_marks(t.text)) if b.bar is None else None
        # a label: centred (Snapchat), or a day between rules across the screen (Discord)
        if label is not None and (
            b.side == "centre" or (b.marked and label.day is not None and label.clock is None)
        ):
            flush()
            out.items.append(LabelItem(label, b.box, screen))
        elif layout.sender_from == "header" and b.marked:
            flush()
            name, lab = split_header(t.text)
            out.items.append(HeaderItem(name, lab, b.box, screen))
        elif layout.sender_from == "bar" and b.bar is None:
            flush()
            out.items.append(HeaderItem(_strip_marks(t.text), None, b.box, screen))
        else:
            if after_cut is not None and layout.sender_from == "header" and continues(after_cut, b):
                after_cut = b  # the rest of a message cut at the top: not read here
                prev = b
                continue
            new = prev is None or layout.sender_from == "bar"
            if prev is not None and not new and typical:
                new = not continues(prev, b)
            if new:
                flush()
            body.append((b, t))
        after_cut = None
        prev = b
    flush()
