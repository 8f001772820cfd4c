"""Items read from screenshots turned into a conversation: senders from bubble sides (or
headers), times from the labels in effect, resolved against a reference day, the text as read.

Right-hand bubbles (Snapchat's red bar, or the Discord name the officer gives as ``right``) are
the phone owner's (the persona's) side; left-hand ones the other party's. Times: a bubble's own
clock (WhatsApp, Telegram) or the last time label above the message; the day from the last day
label above it, resolved against the reference day; a message with no day label above it in
any screenshot takes the reference day only when no screenshot shows a day label at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from vigil.ocr.labels import DayRef
from vigil.ocr.read import HeaderItem, Item, LabelItem, MessageItem


@dataclass(frozen=True, slots=True)
class Line:
    """One transcript message with where it was read and what its time was taken from."""

    seq: int
    side: str
    sender: str
    text: str
    day: date | None
    clock: tuple[int, int] | None
    sent_at: datetime | None
    time_text: str | None
    """The labels the time was taken from, as read (``Today`` + ``14:05``)."""
    time_note: str | None
    item: MessageItem


@dataclass(slots=True)
class Resolved:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def resolve(
    items: list[Item], *, left: str | None, right: str, ref_day: date | None, zone: ZoneInfo
) -> Resolved:
    """Senders and times for the merged items. ``left``/``right`` name the two sides;
    ``ref_day`` is the day relative labels (Today, Yesterday, weekdays, dates without a year)
    are read against; ``zone`` the time zone the screen's clock showed."""
    out = Resolved()
    any_day = any(
        (isinstance(it, LabelItem) and it.label.day)
        or (isinstance(it, HeaderItem) and it.label and it.label.day)
        for it in items
    )
    day: DayRef | None = None
    clock: tuple[int, int] | None = None
    texts: list[str] = []
    speaker: str | None = None
    for it in items:
        if isinstance(it, LabelItem):
            if it.label.day is not None:
                day, clock = it.label.day, None
            if it.label.clock is not None:
                clock = it.label.clock
            texts = [it.label.text]
            continue
        if isinstance(it, HeaderItem):
            speaker = it.name
            if it.label is not None:
                if it.label.day is not None:
                    day = it.label.day
                clock = it.label.clock
                texts = [it.label.text]
            continue
        side, sender = _who(it, speaker, left, right)
        c = it.clock if it.clock is not None else clock
        shown = [*texts, it.clock_text] if it.clock_text else list(texts)
        when: date | None = None
        note = None
        if day is not None:
            when = day.resolve(ref_day) if ref_day else None
            if when is None:
                note = f"day {day.text!r} not resolved" + (
                    "" if ref_day else " (no reference date)"
                )
            elif day.offset is not None or day.weekday is not None or day.year is None:
                note = f"day {day.text!r} read against {ref_day.isoformat() if ref_day else '?'}"
        elif not any_day and ref_day is not None:
            when = ref_day
            note = f"no day shown; taken as the reference day {ref_day.isoformat()}"
        else:
            note = "no day shown above this message"
        sent = None
        if when is not None and c is not None:
            sent = datetime.combine(when, time(*c), tzinfo=zone)
        elif c is None:
            note = (note + "; " if note else "") + "no time shown for this message"
        out.lines.append(Line(len(out.lines) + 1, side, sender, it.text, when, c, sent,
                              " ".join(shown) or None, note, it))  # fmt: skip
    return out


def _who(it: MessageItem, speaker: str | None, left: str | None, right: str) -> tuple[str, str]:
    """Side and sender name. Under a header (Discord, Snapchat) the header's name is the
    sender, unless it is the owner (Snapchat's ``ME`` or red bar, or the name given for the
    right side); ``left``, when given, names the other party whatever the header says."""
    if speaker is not None and it.side == "left":
        name = speaker.strip()
        if name.upper() == "ME" or name.lower() == right.strip().lower():
            return "right", right
        return "left", left or name
    if it.side == "right":
        return "right", right
    return "left", left or "other party"
