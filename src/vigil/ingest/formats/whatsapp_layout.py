"""Header layouts, calendars and date order of WhatsApp text exports.

A WhatsApp header is ``<date><sep><time> - `` (Android) or ``[<date><sep><time>] `` (iOS),
in some locales with the time first, an AM/PM word before or after the time, dots as time
separators, an era before the year or a calendar mark after the date. The loose patterns here
accept all of these; :func:`shape_of` records the exact shape one file uses and
:meth:`Shape.pattern` compiles a strict pattern for it, which is what the parser runs over the
whole file (strict patterns are about twice as fast).

Calendars (Japanese, Buddhist, Minguo, Islamic, Persian, Hebrew...: which one a date is in and
its Gregorian date) are decided and converted by :mod:`.whatsapp_calendar`; a date whose
calendar cannot be decided keeps its text and gets no time, with the reason in ``time_note``.

Date order (day/month/year, month/day/year or year/month/day) is decided from the dates, see
:func:`decide_order`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from vigil.ingest.formats import whatsapp_calendar as cal

_S = r"[^\S\n]"  # one space-like character (space, U+00A0, U+202F, tab) but not a newline
_SP = "[ \u00a0\u202f]"  # the spaces WhatsApp puts in headers
_SPACES = re.compile(_S)
_AMPM = r"[^\W\d_][^\s\d\],،]*(?:[^\S\n][^\W\d_][^\s\d\],،]*)?"
_ERA = cal.ERA
_MARK = rf"(?<=[\d.日]){_S}?{cal.SUFFIX}"
_TIME_PARTS = re.compile(
    rf"^(?:(?P<a1>.+?){_S}?)??(?P<h>\d{{1,2}})[:.](?P<m>\d{{2}})(?:[:.](?P<s>\d{{2}}))?"
    rf"(?:{_S}?(?P<a2>\S.*))?$"
)
_AUTHOR_BODY = r"(?:([^\n:]*+): )?([^\n]*+)"

ORDERS = ("DMY", "MDY", "YMD")
ORDER_NAMES = {"DMY": "day/month/year", "MDY": "month/day/year", "YMD": "year/month/day"}


def _loose(connectors: tuple[str, ...], time_first: bool) -> re.Pattern[str]:
    conn = "|".join(re.escape(c) for c in sorted(connectors, key=len, reverse=True))
    date = (
        rf"(?P<date>(?P<era>{_ERA}{_S}?)?\d{{1,4}}(?P<ds1>{_S}?[./\-]{_S}?|年)\d{{1,2}}"
        rf"(?P<ds2>{_S}?[./\-]{_S}?|月)(?P<era2>{_ERA}{_S}?)?\d{{1,4}}(?P<dtail>\.|日)?"
        rf"(?P<mark>{_MARK})?)"
    )
    time = (
        rf"(?P<time>(?:(?P<ap1>{_AMPM}){_S}?)?\d{{1,2}}(?P<ts>[:.])\d{{2}}(?:[:.]\d{{2}})?"
        rf"(?:{_S}?(?P<ap2>{_AMPM}))?)"
    )
    dts = rf"(?P<dts>[,،]?{_S}(?:(?:{conn}){_S})?|[,،])"
    stamp = f"{time}{dts}{date}" if time_first else f"{date}{dts}{time}"
    return re.compile(
        rf"^(?P<ob>\[)?(?P<stamp>{stamp})(?P<hsep>(?(ob)\]{_S}?|{_S}?[-–]{_S}))"
        rf"(?:(?P<author>[^\n:]*): )?(?P<body>[^\n]*)",
        re.M,
    )


@dataclass(frozen=True, slots=True)
class Shape:
    """The exact header layout of one file."""

    bracket: bool
    time_first: bool
    era: bool
    ds1: str
    ds2: str
    dtail: str
    dts: str
    ampm: str  # "before", "after" or ""
    ts: str
    hsep: str
    ascii_digits: bool = True
    era2: bool = False  # an era before the last number (``3/18/R4``)
    mark: bool = False  # a calendar mark after the date (``3/18/2565 BE``)

    @property
    def label(self) -> str:
        kind = "iOS" if self.bracket else "Android"
        return f"{kind} ({'time before date' if self.time_first else 'date before time'})"

    def pattern(self) -> re.Pattern[str]:
        """A strict header pattern: groups stamp, date, time, author, body (in that order)."""

        def lit(text: str) -> str:  # the file's own separators; any of the usual spaces
            return "".join(_SP if c.isspace() else re.escape(c) for c in text)

        d = "[0-9]" if self.ascii_digits else r"\d"
        era = f"(?:{_ERA}{_S}?)?" if self.era else ""
        era2 = f"(?:{_ERA}{_S}?)?" if self.era2 else ""
        mark = f"(?:{_MARK})?" if self.mark else ""
        date = (
            f"{era}{d}{{1,4}}{lit(self.ds1)}{d}{{1,2}}{lit(self.ds2)}{era2}{d}{{1,4}}"
            f"{lit(self.dtail)}{mark}"
        )
        ts = re.escape(self.ts)
        time = f"{d}{{1,2}}{ts}{d}{{2}}(?:{ts}{d}{{2}})?"
        if self.ampm == "before":
            time = rf"{_AMPM}{_S}?{time}"
        elif self.ampm == "after":
            time = rf"{time}{_S}?{_AMPM}"
        dts = lit(self.dts)
        if self.time_first:  # capture the date first (in a look-ahead) to keep group order
            stamp = rf"((?={time}{dts}({date}))({time}){dts}{date})"
        else:
            stamp = rf"(({date}){dts}({time}))"
        head = (r"\[" if self.bracket else "") + stamp + lit(self.hsep)
        return re.compile(f"^{head}{_AUTHOR_BODY}", re.M)

    def date_pattern(self) -> re.Pattern[str]:
        """Only the date of each header, for a quick scan of the whole file."""
        pat = self.pattern().pattern
        return re.compile(pat[: -len(_AUTHOR_BODY)], re.M)


@dataclass(frozen=True)
class Patterns:
    """The loose patterns, for detection and for headers in an unexpected layout."""

    date_first: re.Pattern[str]
    time_first: re.Pattern[str]

    @classmethod
    def build(cls, connectors: tuple[str, ...]) -> Patterns:
        return cls(_loose(connectors, False), _loose(connectors, True))


def shape_of(m: re.Match[str], time_first: bool) -> Shape:
    """The shape of one loosely matched header."""
    ampm = "before" if m.group("ap1") else "after" if m.group("ap2") else ""

    def sep(name: str) -> str:  # no-break spaces count as spaces
        return _SPACES.sub(" ", m.group(name) or "")

    return Shape(
        bracket=m.group("ob") is not None,
        time_first=time_first,
        era=m.group("era") is not None,
        ds1=sep("ds1"),
        ds2=sep("ds2"),
        dtail=sep("dtail"),
        dts=sep("dts"),
        ampm=ampm,
        ts=m.group("ts"),
        hsep=sep("hsep"),
        ascii_digits=all(c in "0123456789" for c in m.group("stamp") if c.isdigit()),
        era2=m.group("era2") is not None,
        mark=m.group("mark") is not None,
    )


# --- dates -------------------------------------------------------------------------------------


def read_date(text: str, order: str) -> tuple[tuple[int, int, int] | None, str | None]:
    """``((y, m, d), calendar label)`` or ``(None, reason)`` for ``text`` read in ``order``;
    the date is proleptic Gregorian, converted from the calendar the label names (if any)."""
    parts = cal.split(text)
    nums = parts.nums
    if len(nums) != 3:
        return None, f"date {text!r} does not have three numbers"
    if order == "YMD":
        y_raw, m_raw, d_raw = nums
        if parts.era_at not in (None, 0):
            return None, "an era year comes last"
    elif parts.era_at not in (None, 2):
        return None, "an era year comes first"
    elif order == "DMY":
        d_raw, m_raw, y_raw = nums
    else:
        m_raw, d_raw, y_raw = nums
    if len(d_raw) > 2 or len(m_raw) > 2 or (parts.era is None and len(y_raw) == 1):
        return None, f"date {text!r} is not {ORDER_NAMES[order]}"
    month, day = int(m_raw), int(d_raw)
    if not 1 <= month <= 13 or not 1 <= day <= 31:
        return None, f"date {text!r} is not a valid {ORDER_NAMES[order]} date"
    ymd, label = cal.convert(y_raw, month, day, parts)
    if ymd is None and label is not None and not label.startswith(cal.UNDECIDED):
        return None, f"date {text!r} is not a valid {ORDER_NAMES[order]} date ({label})"
    return ymd, label


def _plausible(text: str, order: str) -> bool:
    ymd, reason = read_date(text, order)
    return ymd is not None or (reason is not None and reason.startswith(cal.UNDECIDED))


@dataclass
class DateEvidence:
    """Distinct dates in file order (consecutive repeats dropped), with their first line."""

    seq: list[str]
    first_line: dict[str, int]

    @classmethod
    def empty(cls) -> DateEvidence:
        return cls([], {})

    def add(self, text: str, line: int) -> None:
        if not self.seq or self.seq[-1] != text:
            self.seq.append(text)
            self.first_line.setdefault(text, line)


@dataclass(frozen=True)
class OrderDecision:
    order: str
    note: str
    final: bool  # False: more of the file is needed to decide


def decide_order(ev: DateEvidence, complete: bool, us_clock: bool) -> OrderDecision:
    """Choose the date order that fits the dates.

    An order under which some date is impossible (month 13, day 32) is ruled out. When one
    order is left, it is used. When several are left, the whole file is read and the order that
    puts the dates in chronological order (fewest steps backwards) wins. When that still ties,
    the order is ambiguous: day/month/year is assumed (month/day/year when the clock uses
    upper-case AM/PM as US English does) and the note says so.
    """
    distinct = list(dict.fromkeys(ev.seq))
    bad = {o: [t for t in distinct if not _plausible(t, o)] for o in ORDERS}
    valid = [o for o in ORDERS if not bad[o]]
    if len(valid) == 1:
        order = valid[0]
        ruled_out: dict[str, list[str]] = {}
        for o in ORDERS:
            if o != order:
                ruled_out.setdefault(bad[o][0], []).append(ORDER_NAMES[o])
        clues = [
            f"{text!r} (line {ev.first_line[text]}) cannot be {' or '.join(names)}"
            for text, names in ruled_out.items()
        ]
        return OrderDecision(order, f"date order {ORDER_NAMES[order]}: {'; '.join(clues)}", True)
    if not valid:
        order = min(ORDERS, key=lambda o: len(bad[o]))
        return OrderDecision(
            order,
            f"date order {ORDER_NAMES[order]}, but the dates conflict: {len(bad[order])} "
            f"distinct dates (first {bad[order][0]!r}) are impossible in that order too",
            True,
        )
    if not complete:
        return OrderDecision(valid[0], "", False)
    backwards = {o: _backward_steps(ev.seq, o) for o in valid}
    best = min(valid, key=lambda o: backwards[o])
    others = [o for o in valid if o != best]
    if all(backwards[o] > backwards[best] for o in others):
        detail = ", ".join(f"{ORDER_NAMES[o]} {backwards[o]}" for o in others)
        return OrderDecision(
            best,
            f"date order {ORDER_NAMES[best]}: every date also reads as "
            f"{' or '.join(ORDER_NAMES[o] for o in others)}, but only {ORDER_NAMES[best]} keeps "
            f"them in time order (steps backwards: {ORDER_NAMES[best]} {backwards[best]}, {detail})",
            True,
        )
    tied = [o for o in valid if backwards[o] == backwards[best]]
    prefer = ("MDY", "DMY", "YMD") if us_clock else ("DMY", "MDY", "YMD")
    order = next(o for o in prefer if o in tied)
    why = "the clock uses AM/PM as US English does" if order == "MDY" and us_clock else "default"
    return OrderDecision(
        order,
        f"date order AMBIGUOUS: every date reads as {' or '.join(ORDER_NAMES[o] for o in tied)}"
        f" and neither keeps them in better time order; assumed {ORDER_NAMES[order]} ({why}) — "
        "check one message against a known date before relying on day and month",
        True,
    )


def _backward_steps(seq: list[str], order: str) -> int:
    steps, prev = 0, None
    for text in seq:
        ymd, _ = read_date(text, order)
        if ymd is None:
            continue
        if prev is not None and ymd < prev:
            steps += 1
        prev = ymd
    return steps


# --- times -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeRead:
    """A time of day: the offset from midnight, or None with the reason; and a note if odd."""

    delta: timedelta | None
    note: str | None = None


def read_time(text: str, ampm_of: Callable[[str], str | None]) -> TimeRead:
    """Read ``11:59``, ``23.59.59``, ``11:59 PM``, ``오후 11:59``... ``ampm_of`` maps a word to
    "am"/"pm"/None."""
    m = _TIME_PARTS.match(text)
    if m is None:
        return TimeRead(None, f"time {text!r} not understood")
    h, mi, s = int(m.group("h")), int(m.group("m")), int(m.group("s") or 0)
    word = m.group("a1") or m.group("a2")
    note = None
    if word:
        half = ampm_of(word)
        if half is None:
            return TimeRead(None, f"AM/PM word {word!r} is not known for any locale")
        if h > 12:
            note = f"hour {h} with {word!r} read as a 24-hour time"
        elif half == "am":
            h = 0 if h == 12 else h
        else:
            h = h if h == 12 else h + 12
    if h > 23 or mi > 59 or s > 59:
        return TimeRead(None, f"time {text!r} is not a valid time of day")
    return TimeRead(timedelta(hours=h, minutes=mi, seconds=s), note)


def common_shape(shapes: Counter[Shape]) -> tuple[Shape, int]:
    """The most frequent shape and how many headers had another one."""
    (shape, n), *_ = shapes.most_common(1)
    return shape, sum(shapes.values()) - n
