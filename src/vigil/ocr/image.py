"""Finding what to read on a chat screenshot, by colour and geometry (NumPy): the chat
background, the app's header and composer bars, then bands of content (bubbles, labels, lines
of text), and for each a clean black-on-white crop for the OCR engine with emoji and coloured
marks (ticks, reactions) blanked out, so they are not read as letters.

Works on a half-size mask for speed; boxes are returned in the image's own pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

Img = NDArray[np.uint8]
STEP = 2
"""The mask is computed on every STEP-th pixel in each direction."""
BG_DIFF = 10
"""A channel differing this much from the background is content."""


@dataclass(frozen=True, slots=True)
class Band:
    """One thing on the screen, as found by geometry (image pixels)."""

    left: int
    top: int
    width: int
    height: int
    side: str
    """``left``, ``right`` or ``centre`` (by the margins on either side)."""
    filled: bool
    """A bubble or pill (a filled shape), rather than text straight on the background."""
    cut: bool
    """Touches the header or composer bar: cut off by the screen's edge."""
    colour: tuple[int, int, int]
    """The fill colour (the background's for text on the background)."""
    bar: tuple[int, int, int] | None = None
    """Snapchat-like layouts: the colour of the bar beside the message, if there is one."""
    marked: int = 0
    """Pixel columns at the left holding something that is not text (an avatar)."""
    base: int = 0
    """The text's baseline (image row), for telling wrapped lines from new messages."""
    xh: int = 0
    """The text's x-height (image pixels): the rows where most of its ink is."""
    page: tuple[int, int, int] = (255, 255, 255)
    """The chat background around it."""

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.left, self.top, self.width, self.height)


def _mode(pixels: NDArray[np.uint8]) -> tuple[int, int, int]:
    packed = (
        (pixels[:, 0].astype(np.int32) << 16)
        | (pixels[:, 1].astype(np.int32) << 8)
        | (pixels[:, 2].astype(np.int32))
    )
    values, counts = np.unique(packed, return_counts=True)
    v = int(values[int(np.argmax(counts))])
    return ((v >> 16) & 255, (v >> 8) & 255, v & 255)


def background(img: Img) -> tuple[int, int, int]:
    """The chat background: the commonest colour at the side edges of the screen's middle."""
    h, w = img.shape[:2]
    edge = max(2, w * 15 // 1000)  # bubbles and text keep off the screen's side edges
    rows = img[h * 15 // 100 : h * 85 // 100 : 2]
    sample = np.concatenate((rows[:, :edge], rows[:, w - edge :]), axis=1).reshape(-1, 3)
    return _mode(sample)


def content_mask(small: Img, bg: tuple[int, int, int]) -> NDArray[np.bool_]:
    diff = np.abs(small.astype(np.int16) - np.array(bg, dtype=np.int16)).max(axis=2)
    return np.asarray(diff > BG_DIFF)


def chat_area(mask: NDArray[np.bool_]) -> tuple[int, int]:
    """Rows (mask scale) between the app's header bar and its composer bar: the last row of a
    solid bar (or rule) in the top fifth, the first in the bottom fifth."""
    h = mask.shape[0]
    solid = mask.mean(axis=1) > 0.85
    top_rows = np.flatnonzero(solid[: h * 22 // 100])
    bottom_rows = np.flatnonzero(solid[h * 78 // 100 :]) + h * 78 // 100
    top = int(top_rows[-1]) + 1 if top_rows.size else 0
    bottom = int(bottom_rows[0]) if bottom_rows.size else h
    return top, bottom


def runs(flags: NDArray[np.bool_], join: int) -> list[tuple[int, int]]:
    """Runs of True as (start, end) half-open, joining runs separated by ``join`` or fewer
    False."""
    idx = np.flatnonzero(flags)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > join + 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def find_bands(
    img: Img, *, text_left: float = 0.0, join: int = 1
) -> tuple[list[Band], tuple[int, int, int]]:
    """The screen's bands of content, top to bottom, and the background colour."""
    bg = background(img)
    small = img[::STEP, ::STEP]
    mask = content_mask(small, bg)
    top, bottom = chat_area(mask)
    _h, w = mask.shape
    x_from = int(w * text_left)
    area = mask[top:bottom, x_from:]
    out: list[Band] = []
    # lines layouts: where something starts in the avatar column (a header's avatar)
    avatars = (
        [r[0] for r in runs(np.asarray(mask[top:bottom, :x_from].any(axis=1)), 2)] if x_from else []
    )
    for a, b in runs(np.asarray(area.any(axis=1)), join):
        rows = area[a:b]
        cols = runs(np.asarray(rows.any(axis=0)), 10)
        if not cols:
            continue
        if text_left:  # a line of text: all of it (a bar at its left is dealt with below)
            c0, c1 = cols[0][0], cols[-1][1]
            if len(cols) > 1 and cols[0][1] - cols[0][0] <= 4:
                c0 = cols[1][0]
        else:  # the biggest piece is the bubble (not an avatar or a reaction beside it)
            c0, c1 = max(cols, key=lambda c: int(rows[:, c[0] : c[1]].sum()))
        bar = None
        bar_x = c0
        if text_left and cols[0][1] - cols[0][0] <= 4 and (cols[0][0], cols[0][1]) != (c0, c1):
            piece = small[top + a : top + b, x_from + cols[0][0] : x_from + cols[0][1]]
            if rows[:, cols[0][0] : cols[0][1]].any(axis=1).mean() > 0.8:
                bar = _mode(piece.reshape(-1, 3))
                bar_x = cols[0][0]
        fill = float(rows[:, c0:c1].mean())
        colour = _mode(small[top + a : top + b, x_from + c0 : x_from + c1].reshape(-1, 3))
        # a bubble's own colour fills most of its box; text on the page leaves the page's
        filled = fill > 0.8 and colour != bg
        x0, x1 = (bar_x + x_from) * STEP, (c1 + x_from) * STEP
        y0, y1 = (a + top) * STEP, (b + top) * STEP
        gl, gr = x0 / img.shape[1], 1 - x1 / img.shape[1]
        side = "centre" if abs(gl - gr) < 0.05 and min(gl, gr) > 0.08 else (
            "left" if gl < gr else "right")  # fmt: skip
        cut = a == 0 or b >= bottom - top  # no gap between it and a bar: cut off...
        if cut and filled:  # ...unless its round corners show it ends there
            mid = float(rows[len(rows) // 2, c0:c1].sum())
            edge = rows[0 if a == 0 else -1, c0:c1].sum()
            cut = bool(edge >= 0.97 * mid)
        marked = x_from * STEP if any(a - 10 <= r < b for r in avatars) else 0
        dens = rows[:, c0:c1].sum(axis=1)
        dense = np.flatnonzero(dens >= 0.5 * dens.max())
        base, xh = int(dense[-1]) + 1, int(dense[-1] - dense[0]) + 1
        out.append(Band(x0, y0, x1 - x0, y1 - y0, side, filled, cut,
                        colour if filled else bg, bar, marked, (a + top + base) * STEP,
                        xh * STEP, bg))  # fmt: skip
    return out, bg


def clean_crop(img: Img, band: Band, scale: float) -> Img:
    """The band as black text on white, emoji and coloured marks blanked, scaled by
    ``scale``: what the OCR engine reads.

    Each pixel is placed on the line from the fill colour to the text colour (found as the
    commonest strong-contrast colour); pixels far off that line (emoji, coloured ticks) and
    their surroundings are blanked."""
    from PIL import Image

    x0, y0, w, h = band.box
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    piece = img[y0 : y0 + h, x0 : x0 + w]
    if scale != 1.0:
        piece = np.asarray(Image.fromarray(piece).resize((sw, sh), Image.Resampling.BOX))
    crop = piece.astype(np.float32)
    base = np.array(band.colour, dtype=np.float32)
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    dl = crop @ weights - float(base @ weights)
    m = int(min(sh, sw) * 0.18)  # the colours are judged away from a bubble's round corners
    inner = dl[m : sh - m, m : sw - m] if band.filled and m else dl
    hi, lo = (float(inner.max()), float(inner.min())) if inner.size else (0.0, 0.0)
    strength = max(hi, -lo)
    if strength < 20:
        return np.full((sh + 16, sw + 16), 255, np.uint8)
    sign = 1.0 if hi >= -lo else -1.0
    pick = sign * dl >= 0.7 * strength
    if band.filled and m:
        pick[:m], pick[sh - m :], pick[:, :m], pick[:, sw - m :] = False, False, False, False
    text = np.median(crop[pick], axis=0)
    axis = text - base
    norm = float(axis @ axis) or 1.0
    rel = crop - base
    t = np.clip((rel @ axis) / norm, 0.0, 1.0).astype(np.float32)
    off = rel - t[..., None] * axis
    foreign = np.einsum("ijk,ijk->ij", off, off) > 60.0**2
    if band.filled:  # the page (and its blend with the fill) at a bubble's edges is no emoji
        paxis = np.array(band.page, dtype=np.float32) - base
        pt = np.clip((rel @ paxis) / (float(paxis @ paxis) or 1.0), 0.0, 1.0)
        poff = rel - pt[..., None] * paxis
        foreign &= np.einsum("ijk,ijk->ij", poff, poff) > 40.0**2
    near = None
    if foreign.any():  # emoji: blank the box around each cluster of off-colour pixels
        near = ndimage.maximum_filter(foreign, size=9)
        lab, _ = ndimage.label(near)
        for ys, xs in ndimage.find_objects(lab):
            t[max(0, ys.start - 4) : ys.stop + 4, max(0, xs.start - 2) : xs.stop + 2] = 0.0
    _drop_shapes(t, band.filled, near)
    gray = (255.0 - t * 255.0).astype(np.uint8)
    return np.pad(gray, 8, constant_values=255)


def _drop_shapes(t: NDArray[np.float32], filled: bool, near: NDArray[np.bool_] | None) -> None:
    """Blank what is ink-coloured but not text, in place: colours off the text's (``near``:
    emoji, coloured ticks) with every shape touching them, and shapes touching a bubble's
    edge (its corners against the page)."""
    if near is not None:
        t[near & (t <= 0.35)] = 0.0
    ink = t > 0.35
    labels, n = ndimage.label(ink)
    if n == 0:
        return
    boxes = ndimage.find_objects(labels)
    h, w = t.shape
    drop = np.zeros(n + 1, dtype=bool)
    if filled:
        for i, (ys, xs) in enumerate(boxes):
            drop[i + 1] = ys.start == 0 or xs.start == 0 or ys.stop == h or xs.stop == w
    if near is not None:
        drop[np.unique(labels[near])] = True
        drop[0] = False
    if drop.any():
        t[drop[labels]] = 0.0
