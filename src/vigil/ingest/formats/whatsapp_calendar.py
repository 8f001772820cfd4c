"""Calendars of WhatsApp dates: which calendar a date text is in, and its Gregorian date.

A phone set to another calendar writes its export headers in that calendar, and the text
rarely names it. What Vigil reads (docs/ingest.md, "Calendars"):

* an era before the year, where the year goes: Japanese (``R4``, ``令和4``, ``H31``, ``平成31``;
  also S, T, M and their kanji) before the first number (``R4/03/18``) or before the last one
  (``3/18/R4``, as iOS writes it with an English locale); Republic of China (``民國111``,
  ``民国111``);
* a mark after the date, as iOS writes it with an English locale: ``BE`` (Thai Buddhist), ``AH``
  or ``هـ`` (Islamic), ``AP`` or ``ه‍.ش.`` (Persian, Solar Hijri), ``AM`` (Hebrew, "anno
  mundi"), ``Minguo`` (Republic of China), ``Saka`` (Indian national), ``ERA1`` (Coptic or
  Ethiopic, told apart by the year);
* unmarked years: four digits from 2500 are Buddhist-era (BE − 543 = CE), two digits from 52
  too (``66`` = BE 2566; as Gregorian it would be 1952–1999, before WhatsApp); three digits are a
  Republic of China year (no Gregorian export writes three); four digits from 1300 to 1499 are
  Persian when written in Persian digits (U+06F0..) and within 1387–1420, Islamic when written in
  Arabic-Indic digits (U+0660..) and within 1429–1470, and otherwise undecided.

Conversion goes to the proleptic Gregorian calendar: Buddhist, Japanese and Minguo years only
shift the year (months and days are Gregorian); Islamic, Persian, Hebrew, Indian, Coptic and
Ethiopic dates are converted with ``convertdate``. Islamic dates use the tabular (civil)
calendar: a phone set to Umm al-Qura or the astronomical Islamic calendar may write a date one
or two days apart, and the note says so. Hebrew months are numbered as iOS numbers them (from
Tishrei: 1..12, in a leap year 6 = Adar I, 7 = Adar II, 13 = Elul).

A date whose calendar cannot be decided, or whose converted year falls outside 1990–2100 (no
WhatsApp export can hold it, so the reading must be wrong), gets no time: the reason starts with
:data:`UNDECIDED` and the message keeps its text.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from convertdate import (  # type: ignore[import-untyped]
    coptic,
    gregorian,
    hebrew,
    indian_civil,
    islamic,
    persian,
)

ERA = r"(?:明治|大正|昭和|平成|令和|民國|民国|[MTSHR](?=\d))"
"""An era written before a year."""
SUFFIX = r"(?:B\.E\.|BE|AH|AP|AM|Minguo|Saka|ERA[01]|هـ|ه\u200d?\.ش\.?)"
"""A calendar mark written after a date."""
UNDECIDED = "calendar not decided"

_S = r"[^\S\n]"
_TOKEN = re.compile(rf"({ERA})|(\d+)")
_SUFFIX_END = re.compile(rf"{_S}*({SUFFIX})$")
_JAPANESE = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_JAPANESE.update({"M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018})
_ROC_ERAS = frozenset({"民國", "民国"})
_PERSIAN_DIGITS = re.compile("[\u06f0-\u06f9]")
_ARABIC_DIGITS = re.compile("[\u0660-\u0669]")
YMD = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class DateParts:
    """A date text taken apart: its numbers, an era (and before which number), a mark."""

    nums: list[str]
    era: str | None
    era_at: int | None
    suffix: str | None
    digits: str  # "persian", "arabic" or "" (ASCII or others)


def split(text: str) -> DateParts:
    """Take a date text apart (``3/18/R4``, ``R4/03/18``, ``3/18/2565 BE``, ``民國111/3/18``)."""
    m = _SUFFIX_END.search(text)
    body = text[: m.start()] if m else text
    nums: list[str] = []
    era, era_at = None, None
    for era_tok, num in _TOKEN.findall(body):
        if era_tok:
            era, era_at = era_tok, len(nums)
        else:
            nums.append(num)
    digits = (
        "persian"
        if _PERSIAN_DIGITS.search(text)
        else "arabic"
        if _ARABIC_DIGITS.search(text)
        else ""
    )
    return DateParts(nums, era, era_at, m.group(1) if m else None, digits)


@dataclass(frozen=True, slots=True)
class Calendar:
    """A calendar and how its dates become Gregorian (None: no such date)."""

    name: str
    conversion: str
    to_gregorian: Callable[[int, int, int], YMD | None]


def _shifted(offset: int) -> Callable[[int, int, int], YMD | None]:
    def convert(y: int, m: int, d: int) -> YMD | None:
        y += offset
        if 1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= monthrange(y, m)[1]:
            return y, m, d
        return None

    return convert


def _via(module: ModuleType) -> Callable[[int, int, int], YMD | None]:
    def convert(y: int, m: int, d: int) -> YMD | None:
        try:
            g = tuple(module.to_gregorian(y, m, d))
            back = tuple(module.from_gregorian(*g))
        except (ValueError, IndexError, KeyError):
            return None
        return (g[0], g[1], g[2]) if back == (y, m, d) else None

    return convert


def _islamic(y: int, m: int, d: int) -> YMD | None:
    """Tabular Islamic; day 30 is accepted in every month (other variants have it)."""
    if not (1 <= m <= 12 and 1 <= d <= 30):
        return None
    g = tuple(gregorian.from_jd(islamic.to_jd(y, m, 1) + d - 1))
    return g[0], g[1], g[2]


def _hebrew(y: int, m: int, d: int) -> YMD | None:
    """iOS numbers Hebrew months from Tishrei; convertdate from Nisan (Adar II = 13)."""
    leap = bool(hebrew.leap(y))
    if not 1 <= m <= (13 if leap else 12):
        return None
    if m <= 5:
        month = m + 6  # Tishrei .. Shevat
    elif m == 6:
        month = 12  # Adar (Adar I in a leap year)
    elif m == 7 and leap:
        month = 13  # Adar II
    else:
        month = m - (7 if leap else 6)  # Nisan .. Elul
    if not 1 <= d <= hebrew.month_length(y, month):
        return None
    # convertdate's hebrew.to_jd, without its deprecated (warning) month_days calls
    jd = hebrew.EPOCH + hebrew.delay_1(y) + hebrew.delay_2(y) + d + 1
    tishrei = range(7, hebrew.year_months(y) + 1)
    before = [*tishrei, *range(1, month)] if month < 7 else range(7, month)
    jd += sum(hebrew.month_length(y, k) for k in before)
    g = tuple(gregorian.from_jd(int(jd) + 0.5))
    return g[0], g[1], g[2]


def _ethiopic(y: int, m: int, d: int) -> YMD | None:
    return _via(coptic)(y - 276, m, d)  # same months; Amete Mihret year = Coptic year + 276


_TABULAR = (
    "tabular (civil) Islamic calendar; a phone set to Umm al-Qura or the astronomical Islamic "
    "calendar may write dates one or two days apart: check one message against a known date"
)
BUDDHIST = Calendar("Thai Buddhist era", "year - 543", _shifted(-543))
ROC = Calendar("Republic of China (Minguo)", "year + 1911", _shifted(1911))
ISLAMIC = Calendar("Islamic (Hijri)", _TABULAR, _islamic)
PERSIAN = Calendar("Persian (Solar Hijri)", "convertdate's Persian calendar", _via(persian))
HEBREW = Calendar("Hebrew", "convertdate's Hebrew calendar", _hebrew)
INDIAN = Calendar(
    "Indian national (Saka)", "convertdate's Indian civil calendar", _via(indian_civil)
)
COPTIC = Calendar("Coptic", "convertdate's Coptic calendar", _via(coptic))
ETHIOPIC = Calendar("Ethiopic (Amete Mihret)", "Coptic calendar, year - 276", _ethiopic)
_MARKS = {"BE": BUDDHIST, "B.E.": BUDDHIST, "AH": ISLAMIC, "هـ": ISLAMIC, "AP": PERSIAN}
_MARKS.update({"AM": HEBREW, "Minguo": ROC, "Saka": INDIAN})


@cache
def japanese(era: str) -> Calendar:
    start = _JAPANESE[era]
    return Calendar(
        "Japanese era",
        "era start + era year: Reiwa 1 = 2019, Heisei 1 = 1989, Showa 1 = 1926",
        _shifted(start),
    )


def decide(year: str, parts: DateParts) -> tuple[Calendar | None, str]:
    """The calendar of a year field and how it was decided; ``(None, "")`` for Gregorian,
    ``(None, reason)`` (reason starting with :data:`UNDECIDED`) when it cannot be decided."""
    n, era, mark = int(year), parts.era, parts.suffix
    if era is not None:
        if era in _ROC_ERAS:
            return ROC, f"era {era!r} before the year"
        return japanese(era), f"era {era!r} before the year"
    if mark is not None:
        if mark.startswith("ه") and mark != "هـ":
            return PERSIAN, f"marked {mark!r}"
        if mark == "ERA1":
            if 1700 <= n < 1900:
                return COPTIC, f"marked {mark!r} with a year below 1900"
            if 1990 <= n < 2200:
                return ETHIOPIC, f"marked {mark!r} with a year from 1990"
            return None, f"{UNDECIDED}: year {n} marked 'ERA1' is neither Coptic nor Ethiopic"
        if mark in _MARKS:
            return _MARKS[mark], f"marked {mark!r}"
        return None, f"{UNDECIDED}: the mark {mark!r} after the date names no known calendar"
    if len(year) == 2:
        return (BUDDHIST, "two-digit year from 52") if n >= 52 else (None, "")
    if len(year) == 3:
        return ROC, "three-digit year"
    if n >= 2500:
        return BUDDHIST, "year from 2500"
    if 1300 <= n < 1500:
        if parts.digits == "persian" and 1387 <= n <= 1420:
            return PERSIAN, "Persian digits and a year from 1387 to 1420"
        if parts.digits == "arabic" and 1429 <= n <= 1470:
            return ISLAMIC, "Arabic-Indic digits and a year from 1429 to 1470"
        return None, (
            f"{UNDECIDED}: year {n} looks like a Solar Hijri or Islamic year, and nothing in the "
            "date says which (no 'AP' or 'AH' mark, and its digits do not settle it)"
        )
    return None, ""


def convert(year: str, month: int, day: int, parts: DateParts) -> tuple[YMD | None, str | None]:
    """``(Gregorian date, calendar label)``, or ``(None, reason)``; label None for Gregorian."""
    cal, why = decide(year, parts)
    if cal is None:
        if why:
            return None, why
        y = int(year) + (2000 if len(year) == 2 else 0)
        if 1 <= month <= 12 and 1 <= day <= monthrange(y, month)[1]:
            return (y, month, day), None
        return None, "no such date"
    n = int(year) + (2500 if cal is BUDDHIST and len(year) == 2 else 0)
    ymd = cal.to_gregorian(n, month, day)
    if ymd is None:
        return None, f"no such date in the {cal.name} calendar"
    if not 1990 <= ymd[0] <= 2100:
        return None, (
            f"{UNDECIDED}: read as the {cal.name} calendar ({why}) it would be {ymd[0]} CE, "
            "outside the years a WhatsApp export can hold"
        )
    label = f"{cal.name} calendar ({why}; converted to proleptic Gregorian: {cal.conversion})"
    return ymd, label


def calendar_notes(seen: dict[str, tuple[str, YMD]]) -> list[str]:
    """One note per calendar label met, with its first date text and what it became."""
    return [
        f"dates read in the {label}, e.g. {text!r} = {y:04d}-{m:02d}-{d:02d}; "
        "each message keeps its original date text"
        for label, (text, (y, m, d)) in sorted(seen.items())
    ]
