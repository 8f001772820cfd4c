"""Consecutive screenshots of one scrolling chat merged into one stream of items: where the
end of one screenshot's messages matches the start of the next's (same side, nearly the same
text), the repeated messages (and the labels among them) are kept once, from the screenshot
that showed them first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from vigil.ocr.read import Item, MessageItem, Screen

SAME_TEXT = 0.85
"""Two readings of one message agree at least this much (difflib ratio)."""


def _close(a: str, b: str) -> bool:
    return a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= SAME_TEXT


def same(a: MessageItem, b: MessageItem, how: str = "whole") -> bool:
    """Two readings of one message: ``whole``; ``suffix`` (``b`` shows only the end of ``a``:
    the top of a screenshot cut through it); ``prefix`` (``a`` shows only the start of
    ``b``: the bottom of the previous screenshot cut through it)."""
    if a.side != b.side or (a.clock and b.clock and a.clock != b.clock):
        return False
    if _close(a.text, b.text):
        return True
    if how == "suffix" and 0 < len(b.text) < len(a.text):
        return _close(a.text[-len(b.text) :], b.text)
    if how == "prefix" and 0 < len(a.text) < len(b.text):
        return _close(a.text, b.text[: len(a.text)])
    return False


def overlap(prev: list[MessageItem], nxt: list[MessageItem]) -> int:
    """The largest k such that the last k messages of ``prev`` are the first k of ``nxt``
    (the first of them may be cut at the top of ``nxt``, the last at the bottom of
    ``prev``)."""
    for k in range(min(len(prev), len(nxt)), 0, -1):
        pairs = list(zip(prev[-k:], nxt[:k], strict=True))
        ok = True
        for i, (a, b) in enumerate(pairs):
            how = "suffix" if i == 0 else ("prefix" if i == k - 1 else "whole")
            if not (same(a, b, how) or (k == 1 and same(a, b, "prefix"))):
                ok = False
                break
        if ok:
            return k
    return 0


@dataclass(slots=True)
class Merged:
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    repeated: int = 0
    """Messages seen twice (in overlapping screenshots) and kept once."""


def merge(screens: list[Screen]) -> Merged:
    """The screens' items in order, overlaps kept once; a note wherever two consecutive
    screenshots share no message (something may be missing between them)."""
    out = Merged()
    msgs: list[MessageItem] = []
    for i, sc in enumerate(screens):
        mine = [it for it in sc.items if isinstance(it, MessageItem)]
        k = overlap(msgs, mine) if i else 0
        if i and k == 0 and msgs and mine:
            out.notes.append(
                f"screenshots {i} and {i + 1} share no message: messages between them may be "
                "missing, or they are not in order"
            )
        out.repeated += k
        skip_to = 0
        if k:
            last_shared = mine[k - 1]
            skip_to = sc.items.index(last_shared) + 1
            if len(last_shared.text) > len(msgs[-1].text):  # the fuller reading of it
                out.items[out.items.index(msgs[-1])] = last_shared
                msgs[-1] = last_shared
        for it in sc.items[skip_to:]:
            out.items.append(it)
        msgs.extend(mine[k:])
    return out
