"""Identifier extraction: every family in one pass per message.

:func:`plan` looks at each message first, with cheap tests only (a character-class scan and a
set intersection of its words), and names the families that could possibly be present (a
digit can start a phone number, an ``@`` an e-mail or handle, a weekday a meeting time, ...).
Only those families' extractors run, so the large majority of chat messages cost one scan
and one split. Overlapping finds are settled by keeping the longer span (a sort code and
account pair beats the phone-like digits inside it; a profile link beats the bare domain),
and on equal spans by family priority.

    >>> [i.value for i in extract_identifiers("call me on 020 7946 0123 or snap: bob_99")]
    ['+442079460123', 'bob_99']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from vigil.intel import _data
from vigil.intel.extract import (
    crypto,
    emails,
    handles,
    ips,
    meeting_times,
    money,
    payments,
    phones,
    postcodes,
    urls,
)
from vigil.intel.extract.base import Identifier, IdentifierKind, Options

__all__ = [
    "Identifier",
    "IdentifierKind",
    "Options",
    "extract_identifiers",
    "extract_many",
    "plan",
]

Extractor = Callable[[str, Options], Iterable[Identifier]]

_PRIORITY = {
    IdentifierKind.CRYPTO: 0, IdentifierKind.BANK_ACCOUNT: 1, IdentifierKind.EMAIL: 2,
    IdentifierKind.URL: 3, IdentifierKind.IP: 4, IdentifierKind.PHONE: 5,
    IdentifierKind.PAYMENT: 6, IdentifierKind.HANDLE: 7, IdentifierKind.POSTCODE: 8,
    IdentifierKind.MONEY: 9, IdentifierKind.MEETING_TIME: 10,
}  # fmt: skip
_SPLIT_CHARS = ":=/-()"
_TRAILING = ("", ":", "?", "!", ",", ".", ";", ")", "'s")
_DIGIT = re.compile(r"\d")
_SPECIAL = re.compile(r"[\d@$#£€₹¥.:=/()\-]")  # anything but plain words
_DOTWORD = re.compile(r"(?<=[a-z0-9])\.[a-z]{2}")
_PENCE = re.compile(r"\dp\b")
_CLOCK = re.compile(r"\d\s?(?:am|pm)\b|\d[:.]\d\d|o'?clock|(?:\bat|\bby|\baround|\babout|@)\s*\d")
_DATEISH = re.compile(
    r"\d(?:st|nd|rd|th)\b|\d/\d|\d\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d"
)
_DIGIT_RUNS = re.compile(r"\d+")
_LETTER_DIGIT = re.compile(r"[a-z]\d")


@dataclass(frozen=True, slots=True)
class _Words:
    platform: frozenset[str]
    when: frozenset[str]
    cue: frozenset[str]
    money: frozenset[str]
    any: frozenset[str]  # the union, for the common case of none at all


def _variants(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w + t for w in words for t in _TRAILING)


@cache
def _words() -> _Words:
    plat = _data.load("platforms")["platforms"]
    meet = _data.load("meeting")
    money_data = _data.load("money")
    aliases = {a.split()[0] for k, p in plat.items() for a in [k, *p["aliases"]]}
    when = {w for phrase in meet["relative_days"] for w in phrase.split()}
    when -= {p for p in meet["past_relative"] if " " not in p}  # "yesterday" never proposes
    when |= {phrase.split()[-1] if phrase.startswith("in ") else phrase.split()[0]
             for phrase in meet["parts_of_day"]}  # fmt: skip
    when -= {"the", "in", "at", "this", "next", "last", "after", "before", "day"}
    when |= {*meeting_times._DAYS, "noon", "midday", "midnight", "lunchtime", "lunch", "half"}
    when |= {"after", "before", "quarter"}
    cue = meeting_times.cue_words(meet["meeting_cues"])
    money_words = {w.split()[0] for w in money_data["words"]} | {
        c.lower() for c in money_data["codes"]
    }
    sets = (_variants(aliases), _variants(when), _variants(cue), _variants(money_words - {"p"}))
    return _Words(*sets, frozenset().union(*sets, {"dot"}))


def plan(text: str) -> list[Extractor]:
    """The pre-filter: which extractors could find anything in ``text`` (often none).

    Built from cheap tests only: one character-class scan for digits and ``@ $ # £ € . : /``,
    ``in`` checks, and one split into words compared with the sets of platform, day/time,
    meeting-cue and money words. A family runs only when its own trigger is present.
    """
    w = _words()
    if _SPECIAL.search(text) is None:
        # The common case: letters, spaces and sentence punctuation only. Only words can
        # wake an extractor (a platform name, a weekday, "tomorrow", "dot", ...).
        words = text.lower().split()
        if w.any.isdisjoint(words):
            return []
        out: list[Extractor] = []
        if "dot" in words:
            out.append(emails.extract)
        if not w.platform.isdisjoint(words):
            out.append(handles.extract)
        if not w.when.isdisjoint(words):
            out.append(meeting_times.extract)
        return out
    raw_low = low = text.lower()
    for ch in _SPLIT_CHARS:
        if ch in low:
            low = low.replace(ch, " ")
    words = low.split()
    at, dollar = "@" in text, "$" in text
    runs = _DIGIT_RUNS.findall(text)
    out = []
    if runs:
        ndig = sum(map(len, runs))
        if ndig >= 7:
            out.append(phones.extract)
        if max(map(len, words)) >= 26:
            out.append(crypto.extract)
        if ("." in text and ndig >= 4) or text.count(":") >= 2:
            out.append(ips.extract)
        if ndig >= 2 and _LETTER_DIGIT.search(low):
            out.append(postcodes.extract)
        if dollar or max(map(len, runs)) >= 8:
            out.append(payments.extract)
        if (
            dollar or "£" in text or "€" in text or "₹" in text or "¥" in text
            or not w.money.isdisjoint(words) or ("p" in low and _PENCE.search(low))
        ):  # fmt: skip
            out.append(money.extract)
    elif dollar:
        out.append(payments.extract)
    if at or "dot" in words:
        out.append(emails.extract)
    if "." in text and ("://" in raw_low or "www." in raw_low or _DOTWORD.search(raw_low)):
        out.append(urls.extract)
    if at or "#" in text or not w.platform.isdisjoint(words):
        out.append(handles.extract)
    if not w.when.isdisjoint(words) or (
        runs
        and (not w.cue.isdisjoint(words) or (_CLOCK.search(raw_low) and _DATEISH.search(raw_low)))
    ):
        out.append(meeting_times.extract)
    return out


def _settle(found: list[Identifier]) -> list[Identifier]:
    ranked = sorted(found, key=lambda i: (-(i.end - i.start), _PRIORITY[i.kind], i.start))
    kept: list[Identifier] = []
    for ident in ranked:
        if all(ident.end <= k.start or k.end <= ident.start for k in kept):
            kept.append(ident)
    kept.sort(key=lambda i: (i.start, i.end))
    return kept


def extract_identifiers(
    text: str, *, region: str = "GB", include_invalid: bool = False
) -> list[Identifier]:
    """Every identifier in ``text``, in order of position, overlaps settled.

    ``region`` is the ISO country code for phone numbers written without a country code
    (the case's default region). ``include_invalid`` also returns checksum failures.
    """
    extractors = plan(text)
    if not extractors:
        return []
    opts = Options(region=region.upper(), include_invalid=include_invalid)
    found = [ident for ext in extractors for ident in ext(text, opts)]
    return _settle(found) if len(found) > 1 else found


def extract_many(
    texts: Iterable[str], region: str = "GB", *, include_invalid: bool = False
) -> Iterator[list[Identifier]]:
    """Yield :func:`extract_identifiers` for each text, in order."""
    opts = Options(region=region.upper(), include_invalid=include_invalid)
    plain_words = _words().any
    special = _SPECIAL.search
    for text in texts:
        # plan()'s first test, inlined: most messages stop here
        if special(text) is None and plain_words.isdisjoint(text.lower().split()):
            yield []
            continue
        extractors = plan(text)
        if not extractors:
            yield []
            continue
        found = [ident for ext in extractors for ident in ext(text, opts)]
        yield _settle(found) if len(found) > 1 else found
