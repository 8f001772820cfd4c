"""Social-media handles with their platform.

Recognised forms (platform words and user-name rules are data: ``data/platforms.json``):

- an invitation naming the platform: "add me on snap: name", "hmu on insta @name",
  "find me on discord as name", "add my kik name";
- a possessive: "my insta is name", "my snap username = name", "my tiktok's name";
- a label: "snap: name", "kik @name", "telegram - name";
- a legacy Discord tag ``name#1234``;
- a bare ``@name`` (platform unknown unless a platform word stands just before it).

A name must fit the platform's user-name rule (``valid``), must not be an ordinary word that
follows such phrases ("my snap is down", "see you @ home", "@ 5pm"), and the ``@`` of an
e-mail address is never a handle. Payment platforms named this way (Venmo, PayPal, Cash App)
come out as payment accounts; WhatsApp, Signal and SMS are left to the phone extractor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from vigil.intel import _data
from vigil.intel.extract.base import Identifier, IdentifierKind, Options

_NAME = r"@?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]{0,49})"
_INVITE = (
    r"(?:add|follow|message|msg|dm|text|hmu|hit\s+me\s+up|find|talk\s+to|chat\s+to|"
    r"speak\s+to|reach|contact|friend|sub\s+to|subscribe\s+to|look\s+me\s+up)"
)
_TIME_LIKE = re.compile(r"^\d{1,2}(?:[:.]\d{2})?(?:am|pm|ish)?$")
_REF_WORDS = frozenset(
    [
        "order",
        "ref",
        "ticket",
        "invoice",
        "room",
        "item",
        "issue",
        "no",
        "number",
        "flight",
        "gate",
        "bus",
        "pin",
        "case",
        "table",
        "seat",
        "page",
        "step",
        "level",
        "bay",
        "platform",
        "unit",
        "flat",
        "apt",
    ]
)


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    key: str
    label: str
    username: re.Pattern[str]
    payment: bool
    id_is_phone: bool


@dataclass(frozen=True, slots=True)
class _Pattern:
    lower: re.Pattern[str]  # for lower-cased text (fast path)
    any_case: re.Pattern[str]  # for text whose lower case changes length
    how: str
    needles: tuple[str, ...]  # one of these must occur for the pattern to be tried


@dataclass(frozen=True, slots=True)
class _Tables:
    platforms: dict[str, PlatformInfo]
    alias: dict[str, str]
    patterns: tuple[_Pattern, ...]
    discord: re.Pattern[str]
    bare: re.Pattern[str]
    not_names: frozenset[str]
    tlds: frozenset[str]


def _alias_regex(aliases: list[str]) -> str:
    parts = sorted(aliases, key=len, reverse=True)
    return "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in parts)


@cache
def tables() -> _Tables:
    data = _data.load("platforms")
    platforms: dict[str, PlatformInfo] = {}
    alias: dict[str, str] = {}
    for key, p in data["platforms"].items():
        platforms[key] = PlatformInfo(
            key,
            p["label"],
            re.compile(p["username"]),
            bool(p.get("payment")),
            bool(p.get("id_is_phone")),
        )
        for a in [key, *p["aliases"]]:
            alias[a] = key
    any_alias = _alias_regex(list(alias))
    long_alias = _alias_regex([a for a in alias if len(a) >= 2])
    sep = r"\s*(?:[:=\-–]|\bis\b|\bit'?s\b|\bas\b|\bat\b)?\s*"
    invite_words = ("add", "follow", "message", "msg", "dm", "text", "hmu", "hit me", "find",
                    "talk to", "chat to", "speak to", "reach", "contact", "friend", "sub", "look me")  # fmt: skip
    specs: list[tuple[str, str, tuple[str, ...]]] = [
        (
            rf"\b{_INVITE}\s+(?:me\s+)?(?:on|at|@|via)\s+(?P<plat>{any_alias})\b{sep}{_NAME}",
            "invitation to add an account",
            invite_words,
        ),
        (
            rf"\bmy\s+(?P<plat>{any_alias})\s*(?:user\s*name|name|handle|id|tag|acc(?:ount)?|@)?"
            rf"\s*(?:\bis\b|=|:|-|'s|’s)\s*{_NAME}",
            "account named as the writer's own",
            ("my",),
        ),
        (
            rf"\badd\s+my\s+(?P<plat>{any_alias})\b\s*[:\-]?\s*{_NAME}",
            "invitation to add an account",
            ("add",),
        ),
        (
            rf"\b(?P<plat>{long_alias})\s*(?:[:=]|\s-|\s–)\s*{_NAME}",
            "platform label followed by a name",
            (":", "=", " -", " –"),
        ),
        (
            rf"\b(?P<plat>{any_alias})\s+(?:me\s+)?@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]{{0,49}})",
            "platform word followed by an @name",
            ("@",),
        ),
        (
            rf"\b(?P<plat>{any_alias})\s+me\s+(?:at|on)\s+{_NAME}",
            "invitation to add an account",
            (" me ",),
        ),
        (
            rf"\bon\s+(?P<plat>{any_alias})\s+as\s+{_NAME}",
            "account named with its platform",
            (" as ",),
        ),
        (
            rf"(?<![\w@.])@(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]{{0,49}})\s+on\s+(?P<plat>{any_alias})\b",
            "@name followed by its platform",
            ("@",),
        ),
    ]
    patterns = tuple(
        _Pattern(re.compile(src), re.compile(src, re.IGNORECASE), how, needles)
        for src, how, needles in specs
    )
    discord = re.compile(r"(?<![\w#@.])(?P<name>[A-Za-z0-9_.]{2,32})#(?P<tag>\d{4})(?!\w)")
    bare = re.compile(
        r"(?<![\w@.+\-/])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?)(?![\w@-])"
    )
    tlds = frozenset(_data.load("links")["bare_tlds"])
    return _Tables(
        platforms, alias, patterns, discord, bare, frozenset(data["not_names"]["words"]), tlds
    )


def platform_for(word: str) -> str | None:
    """The canonical platform key for a word people use for it (``insta`` → ``instagram``)."""
    return tables().alias.get(re.sub(r"\s+", " ", word.lower()))


def check_username(platform: str | None, name: str) -> bool | None:
    """True/False if ``name`` fits ``platform``'s user-name rule; None for unknown platforms."""
    info = tables().platforms.get(platform or "")
    return None if info is None else bool(info.username.match(name.lower()))


def _plausible(name: str, t: _Tables) -> bool:
    low = name.lower().rstrip(".")
    if low in t.not_names or _TIME_LIKE.match(low) or low.isdigit():
        return False
    return not ("." in low and low.rsplit(".", 1)[1] in t.tlds)


def _make(
    platform: str | None, name: str, start: int, end: int, raw: str, how: str, opts: Options
) -> Identifier | None:
    t = tables()
    info = t.platforms.get(platform or "")
    if info is not None and info.id_is_phone:
        return None
    value = name.lower()
    valid = check_username(platform, value)
    if valid is False and not opts.include_invalid:
        return None
    kind = IdentifierKind.PAYMENT if info is not None and info.payment else IdentifierKind.HANDLE
    label = info.label if info else "unknown platform"
    reason = f"{how} ({label})" + ("" if valid is not False else "; breaks the user-name rule")
    return Identifier(kind, value, raw, start, end, platform, valid, reason)


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    t = tables()
    low = text.lower()
    same = len(low) == len(text)
    taken: set[int] = set()
    for pat in t.patterns:
        if not any(n in low for n in pat.needles):
            continue
        matches = pat.lower.finditer(low) if same else pat.any_case.finditer(text)
        for m in matches:
            start, end = m.start("name"), m.end("name")
            name = text[start:end].rstrip(".-")
            if start in taken or not _plausible(name, t):
                continue
            platform = platform_for(m.group("plat"))
            at = start > 0 and text[start - 1] == "@"
            raw_start = start - 1 if at else start
            end = start + len(name)
            ident = _make(platform, name, raw_start, end, text[raw_start:end], pat.how, opts)
            if ident is not None:
                taken.add(start)
                yield ident
    if "#" in text:
        for m in t.discord.finditer(text):
            name = m.group("name")
            if name.lower() in _REF_WORDS or name.isdigit():
                continue
            value = f"{name.lower()}#{m.group('tag')}"
            yield Identifier(
                IdentifierKind.HANDLE,
                value,
                m.group(),
                m.start(),
                m.end(),
                "discord",
                True,
                "legacy Discord tag (name#1234)",
            )
    if "@" in text:
        for m in t.bare.finditer(text):
            name = m.group("name")
            if m.start("name") in taken or not _plausible(name, t):
                continue
            ident = _make(None, name, m.start(), m.end(), m.group(), "@name", opts)
            if ident is not None:
                yield ident
