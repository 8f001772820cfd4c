"""Dates and times proposed for a meeting: "saturday at 3pm", "tomorrow after school",
"on the 14th at 7", "meet me at 12:30".

The message is split into temporal pieces (weekday, relative day, date, clock time, part of
day); pieces joined only by small words ("at", "on", "the", ",") form one expression. An
expression is kept when it names both a day and a time, or when the message also contains a
meeting cue ("meet", "see you", "pick you up", ... from ``data/meeting.json``). Past
references ("last saturday", "yesterday", or a past-tense message without a meeting cue) and
a clock time on its own ("it's 12:30") are not meeting times.

The value is the day part then the time part: ``saturday 15:00``, ``tomorrow after school``,
``day 14 07:00/19:00``. A time written without am/pm is given as both readings
(``07:00/19:00``); weekday names are spelled in full; ``next`` is kept, ``this``/``on`` are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from vigil.intel import _data
from vigil.intel.extract.base import Identifier, IdentifierKind, Options

_DAYS = {
    "monday": "monday", "mon": "monday", "tuesday": "tuesday", "tues": "tuesday",
    "tue": "tuesday", "wednesday": "wednesday", "weds": "wednesday", "wed": "wednesday",
    "thursday": "thursday", "thurs": "thursday", "thur": "thursday", "thu": "thursday",
    "friday": "friday", "fri": "friday", "saturday": "saturday", "sat": "saturday",
    "sunday": "sunday", "sun": "sunday",
}  # fmt: skip
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MON_ABBR = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DOM = r"(?:3[01]|[12]\d|0?[1-9])"
_NOT_TIME_AFTER = (
    r"(?!\s*(?:min|hour|hr|day|week|month|year|quid|pound|people|times|more|of|percent|"
    r"pc\b|%|£|\$|p\b|k\b|mile|km|stone|kg|lb|games?|mins|secs)|[\w:./%])"
)
_NOT_COUNTED = (
    r"\b(?!\s+(?:time|one|place|floor|lesson|class|go|try|round|half|year|grade|person|"
    r"row|level|game|date|day|week|month|attempt|question|page|chapter|episode|season)\b)"
)
_GAP = re.compile(
    r"^(?:[\s,]|\b(?:at|on|the|this|next|after|around|about|by|for|from|in|ish|say|maybe|then|"
    r"like)\b|[-–@~])*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Tables:
    pieces: re.Pattern[str]  # applied to lower-cased text
    pieces_any_case: re.Pattern[str]  # for the rare text whose lower case changes length
    cues: re.Pattern[str]
    past: re.Pattern[str]
    parts: dict[str, str]
    rel: dict[str, str]
    past_rel: frozenset[str]
    day_words: frozenset[str]  # words that can name a day: weekdays, "tomorrow", ...
    time_words: frozenset[str]  # words that can name a time without digits
    cue_words: frozenset[str]  # the longest word of each meeting cue


def _alt(words: list[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


def cue_words(phrases: list[str]) -> frozenset[str]:
    """The longest word of each cue phrase: present in any message that holds the phrase."""
    return frozenset(max(p.replace("'", "").split(), key=len) for p in phrases)


@cache
def _tables() -> _Tables:
    d = _data.load("meeting")
    day_alt = _alt(list(_DAYS))
    source = (
        rf"\b(?:(?P<mod>this|next|on|coming|last)\s+)?(?P<day>{day_alt})\b"
        rf"|\b(?P<rel>{_alt(list(d['relative_days']))})\b"
        rf"|\bthe\s+(?P<dom>{_DOM})(?:st|nd|rd|th)(?:\s+(?:of\s+)?(?P<mon>{_MONTH_RE})\b|{_NOT_COUNTED})"
        rf"|\b(?P<mon2>{_MONTH_RE})\s+(?:the\s+)?(?P<dom2>{_DOM})(?:st|nd|rd|th)?\b"
        rf"|\b(?P<dom3>{_DOM})\s+(?P<mon3>{_MONTH_RE})\b"
        rf"|(?<![\d/])(?P<dd>{_DOM})/(?P<mm>1[0-2]|0?[1-9])(?:/(?:\d{{4}}|\d{{2}}))?(?![\d/])"
        r"|\b(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<mi>[0-5]\d))?\s?(?P<ap>am|pm|a\.m\.|p\.m\.)(?!\w)"
        r"|(?<![\d:.£$])(?P<h2>[01]?\d|2[0-3]):(?P<mi2>[0-5]\d)(?![\d:])"
        r"|\b(?:(?P<half>half)|quarter\s+(?P<qdir>past|to))\s+(?:past\s+)?(?P<h5>1[0-2]|[1-9])\b"
        r"(?!\s*(?:[:.]?\d|hour|hr|day|week|month|year))"
        r"|(?:\b(?:at|by|around|about|for|from|after|before)|@)\s*"
        rf"(?P<h3>1[0-2]|[1-9])(?:[:.](?P<mi3>[0-5]\d))?(?:\s*o'?clock)?(?:\s*ish)?{_NOT_TIME_AFTER}"
        r"|\b(?P<h4>1[0-2]|[1-9])\s*o'?clock\b"
        r"|\b(?P<named>noon|midday|midnight|lunch\s*time)\b"
        rf"|\b(?P<part>{_alt(list(d['parts_of_day']))})\b"
    )
    past = set(d["past_relative"])
    rel_words = {w for phrase in d["relative_days"] if phrase not in past for w in phrase.split()}
    part_words = {
        phrase.split()[-1] if phrase.startswith(("in ", "at ")) else phrase.split()[0]
        for phrase in d["parts_of_day"]
    }
    generic = {"the", "in", "at", "this", "next", "last", "after", "before", "day"}
    return _Tables(
        re.compile(source),
        re.compile(source, re.IGNORECASE),
        re.compile(rf"\b(?:{_alt(d['meeting_cues'])})\b"),
        re.compile(rf"\b(?:{_alt(d['past_cues'])})\b"),
        dict(d["parts_of_day"]),
        dict(d["relative_days"]),
        frozenset(d["past_relative"]),
        frozenset({*_DAYS, *rel_words} - generic),
        frozenset(
            {*part_words, "noon", "midday", "midnight", "lunchtime", "lunch", "half", "quarter"}
            - (generic - {"after", "before"})
        ),
        cue_words(d["meeting_cues"]),
    )


_PUNCT = ",.?!:;()\"'/-"
_DIGIT = re.compile(r"\d")
_DATEISH = re.compile(rf"\d(?:st|nd|rd|th)\b|\d/\d|\d\s+{_MONTH_RE}\b|\b{_MONTH_RE}\s+\d")


def _worth_a_look(low: str, t: _Tables) -> bool:
    """Cheap word-level test: can this message hold a day and a time, or a cue and either?"""
    words = low
    for ch in _PUNCT:
        if ch in words:
            words = words.replace(ch, " ")
    ws = set(words.split())
    digit = _DIGIT.search(low) is not None
    dayish = not t.day_words.isdisjoint(ws) or (digit and _DATEISH.search(low) is not None)
    timeish = digit or not t.time_words.isdisjoint(ws)
    if dayish and timeish:
        return True
    return (dayish or timeish) and not t.cue_words.isdisjoint(ws)


def _clock(h: int, mi: int, ap: str | None) -> str:
    if ap:
        pm = ap.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
        return f"{h:02d}:{mi:02d}"
    if h == 0 or h >= 12:
        return f"{h:02d}:{mi:02d}"
    return f"{h:02d}:{mi:02d}/{h + 12:02d}:{mi:02d}"


@dataclass(slots=True)
class _Piece:
    start: int
    end: int
    day: str | None = None  # canonical day part
    time: str | None = None  # canonical time part
    weak: bool = False  # abbreviated weekday with nothing else: "sat" may be the verb
    past: bool = False


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.lower())


def _piece(m: re.Match[str], t: _Tables) -> _Piece:
    g = m.groupdict()
    p = _Piece(m.start(), m.end())
    if g["day"]:
        word = g["day"].lower()
        mod = (g["mod"] or "").lower()
        p.day = ("next " if mod == "next" else "") + _DAYS[word]
        p.weak = len(word) <= 4 and word not in ("weds",) and not mod
        p.past = mod == "last"
    elif g["rel"]:
        rel = _norm(g["rel"])
        p.day = t.rel[rel]
        p.past = rel in t.past_rel
    elif g["dom"] or g["dom2"] or g["dom3"] or g["dd"]:
        dom = int(g["dom"] or g["dom2"] or g["dom3"] or g["dd"])
        mon_word = g["mon"] or g["mon2"] or g["mon3"]
        month = _MONTHS[mon_word[:3].lower()] if mon_word else int(g["mm"]) if g["mm"] else None
        p.day = f"{dom} {_MON_ABBR[month - 1]}" if month else f"day {dom}"
    elif g["h"]:
        p.time = _clock(int(g["h"]), int(g["mi"] or 0), g["ap"])
    elif g["h2"]:
        p.time = _clock(int(g["h2"]), int(g["mi2"]), None)
    elif g["h5"]:
        h = int(g["h5"])
        if g["half"]:
            p.time = _clock(h, 30, None)
        else:
            p.time = _clock(h, 15, None) if g["qdir"] == "past" else _clock(h - 1 or 12, 45, None)
    elif g["h3"] or g["h4"]:
        p.time = _clock(int(g["h3"] or g["h4"]), int(g["mi3"] or 0), None)
    elif g["named"]:
        named = _norm(g["named"]).replace(" ", "")
        p.time = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}.get(named, named)
    else:
        p.time = t.parts[_norm(g["part"])]
    return p


def _groups(text: str, pieces: list[_Piece]) -> Iterator[list[_Piece]]:
    group: list[_Piece] = []
    for p in pieces:
        if group and _GAP.match(text[group[-1].end : p.start]):
            group.append(p)
            continue
        if group:
            yield group
        group = [p]
    if group:
        yield group


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    t = _tables()
    low = text.lower()
    if not _worth_a_look(low, t):
        return
    same = len(low) == len(text)
    matches = t.pieces.finditer(low) if same else t.pieces_any_case.finditer(text)
    pieces = [_piece(m, t) for m in matches]
    if not pieces:
        return
    cue = t.cues.search(low) if same else None
    past_msg = same and t.past.search(low) is not None
    for group in _groups(text, pieces):
        days = [p for p in group if p.day and not (p.weak and len(group) == 1)]
        times = [p for p in group if p.time]
        if any(p.past for p in group) or (past_msg and cue is None):
            continue
        if not (days and times) and (cue is None or not (days or times)):
            continue
        parts = (days[0].day if days else None, times[0].time if times else None)
        value = " ".join(x for x in parts if x)
        start, end = group[0].start, group[-1].end
        why = (
            "a day and a time together"
            if days and times
            else f"meeting cue '{cue.group() if cue else ''}'"
        )
        yield Identifier(
            IdentifierKind.MEETING_TIME,
            value,
            text[start:end],
            start,
            end,
            None,
            None,
            f"date/time proposed for a meeting ({why})",
        )
