"""Clock times and day labels as chat screens show them, read from OCR text, and resolved to
dates against a reference day (the screenshot's claimed date or the officer's).

A label is kept as read; what it was taken to mean is said in a note. Days: ``Today``,
``Yesterday``, weekday names (the last such day before the reference), dates with or without a
year (``5 December 2026``, ``December 5``, ``5 Dec 2026``, ``05/12/2026``: day first unless the
numbers say otherwise). Clocks: ``14:05``, ``2:05 PM``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}  # fmt: skip
_WEEKDAYS = {d: i for i, d in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}
CLOCK = re.compile(r"\b(\d{1,2})\s?[:.]\s?(\d{2})(?:\s*([AaPp])\.?\s*[Mm]\.?)?(?![\w:])")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_D_MONTH_Y = re.compile(rf"^(\d{{1,2}})\s+{_MONTH}(?:\s+(\d{{4}}))?$")
_MONTH_D_Y = re.compile(rf"^{_MONTH}\s+(\d{{1,2}})(?:\s+(\d{{4}}))?$")
_BARE_CLOCK = re.compile(r"\s(\d{1,2})(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")


@dataclass(frozen=True, slots=True)
class DayRef:
    """A day as a label names it: relative (``offset`` days from the reference), a weekday,
    or a date (``year`` None when the label leaves it out)."""

    text: str
    offset: int | None = None
    weekday: int | None = None
    month: int | None = None
    day: int | None = None
    year: int | None = None

    def resolve(self, ref: date) -> date | None:
        """The date meant, taking ``ref`` as the reference day (None if impossible)."""
        if self.offset is not None:
            return ref + timedelta(days=self.offset)
        if self.weekday is not None:
            back = (ref.weekday() - self.weekday) % 7 or 7
            return ref - timedelta(days=back)
        if self.month is None or self.day is None:
            return None
        try:
            if self.year is not None:
                return date(self.year, self.month, self.day)
            got = date(ref.year, self.month, self.day)
            return got if got <= ref else date(ref.year - 1, self.month, self.day)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Label:
    """A day separator, a time label, or a Discord header's time: what it says."""

    text: str
    day: DayRef | None
    clock: tuple[int, int] | None


def parse_clock(text: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The last clock time in ``text`` as ((hour, minute), (start, end)), or None."""
    found = None
    for m in CLOCK.finditer(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        ampm = (m.group(3) or "").lower()
        if minute > 59 or hour > 23 or (ampm and not 1 <= hour <= 12):
            continue
        if ampm == "p" and hour != 12:
            hour += 12
        elif ampm == "a" and hour == 12:
            hour = 0
        found = ((hour, minute), (m.start(), m.end()))
    return found


def parse_day(text: str) -> DayRef | None:
    """A day named by ``text`` (already without its clock), or None."""
    t = re.sub(r"[,\s]+", " ", text.strip().lower()).strip()
    t = re.sub(r"\s*\bat$", "", t).strip()
    if not t:
        return None
    if t == "today":
        return DayRef(text.strip(), offset=0)
    if t == "yesterday":
        return DayRef(text.strip(), offset=-1)
    if t[:3] in _WEEKDAYS and re.fullmatch(r"[a-z]+", t) and len(t) in (3, 6, 7, 8, 9):
        return DayRef(text.strip(), weekday=_WEEKDAYS[t[:3]])
    if m := _D_MONTH_Y.match(t):
        return DayRef(text.strip(), month=_MONTHS[m.group(2)], day=int(m.group(1)),
                      year=int(m.group(3)) if m.group(3) else None)  # fmt: skip
    if m := _MONTH_D_Y.match(t):
        return DayRef(text.strip(), month=_MONTHS[m.group(1)], day=int(m.group(2)),
                      year=int(m.group(3)) if m.group(3) else None)  # fmt: skip
    if m := _NUMERIC.match(t):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        day, month = (b, a) if b > 12 >= a else (a, b)  # day first unless impossible
        return DayRef(text.strip(), month=month, day=day, year=y)
    return None


def parse_label(text: str) -> Label | None:
    """``text`` as a whole label (day, clock, or both), or None if it is something else."""
    clean = text.strip()
    clock = parse_clock(clean)
    rest = clean
    if clock is not None:
        (_, (a, b)) = clock
        rest = (clean[:a] + " " + clean[b:]).strip()
    day = parse_day(rest) if rest else None
    if day is None and rest:
        return None
    if day is None and clock is None:
        return None
    return Label(clean, day, clock[0] if clock else None)


def split_trailing_clock(text: str) -> tuple[str, tuple[int, int] | None, str | None]:
    """A bubble's text and the clock time it ends with (WhatsApp, Telegram): (text, clock,
    clock as read). Four digits ending the bubble (``1313``) are taken as its time whose colon
    was not read; the clock text keeps what was read."""
    found = parse_clock(text)
    if found is None or text[found[1][1] :].strip(" .,'\"`|»~"):
        # the engine may drop the colon of a small bubble time: four digits at the very end
        m = _BARE_CLOCK.search(text)
        if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            return text, None, None
        return text[: m.start()].rstrip(), (int(m.group(1)), int(m.group(2))), m.group(0).strip()
    clock, (a, b) = found
    return text[:a].rstrip(), clock, text[a:b]
