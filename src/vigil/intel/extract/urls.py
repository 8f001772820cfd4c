"""Links: ``http(s)://`` and ``www.`` URLs, bare domains, v3 onion addresses, link shorteners.

Bare domains (``example.com/page``) are taken only with a top-level domain from
``data/links.json``; some of those (``.me``, ``.it``, ``.in``) also need a path, so ``call.me``
or ``do.it`` in a sentence are not links. Profile and payment links (``t.me/name``,
``instagram.com/name``, ``paypal.me/name``, ``wa.me/447...``) become handles, payment accounts
or phone numbers through the rules in that file. Onion v3 addresses have their SHA3 checksum
checked. The canonical value drops the scheme, a leading ``www.`` and a bare trailing ``/``,
and lower-cases the host (paths keep their case: shortener codes are case-sensitive).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from vigil.intel import _data
from vigil.intel.extract import phones
from vigil.intel.extract.base import Identifier, IdentifierKind, Options, strip_trailing
from vigil.intel.extract.codecs import CodecError, onion_v3_check
from vigil.intel.extract.handles import check_username


@dataclass(frozen=True, slots=True)
class _Rule:
    host: str
    path: re.Pattern[str]
    kind: IdentifierKind
    platform: str


@dataclass(frozen=True, slots=True)
class _Tables:
    pattern: re.Pattern[str]
    need_path: frozenset[str]
    shorteners: frozenset[str]
    rules: tuple[_Rule, ...]


@cache
def _tables() -> _Tables:
    data = _data.load("links")
    tlds = sorted(data["bare_tlds"], key=len, reverse=True)
    tld_alt = "|".join(re.escape(t) for t in tlds)
    pattern = re.compile(
        r"(?:(?<![\w@.])(?:https?|ftp)://[^\s<>\"'`]+"
        r"|(?<![\w@./])www\.[^\s<>\"'`]+"
        r"|(?<![\w@.\-/$£€])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
        rf"(?:{tld_alt})(?::\d{{2,5}})?(?![\w-])(?:/[^\s<>\"'`]*)?)",
        re.IGNORECASE,
    )
    rules = tuple(
        _Rule(r["host"], re.compile(r["path"]), IdentifierKind(r["kind"]), r["platform"])
        for r in data["rules"]
    )
    return _Tables(
        pattern, frozenset(data["bare_tlds_need_path"]), frozenset(data["shorteners"]), rules
    )


def canonical(url: str) -> tuple[str, str, str] | None:
    """Return (canonical value, host, path) for a URL with or without scheme."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    try:
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.removeprefix("www.")
    path = "" if parts.path == "/" and not parts.query else parts.path
    value = host + (f":{port}" if port and port not in (80, 443) else "") + path
    if parts.query:
        value += "?" + parts.query
    return value, host, parts.path


def _onion(host: str) -> tuple[bool | None, str]:
    label = host.rsplit(".", 2)[-2]
    if len(label) == 56:
        try:
            onion_v3_check(label)
        except CodecError as exc:
            return False, f"v3 onion address that fails its checksum ({exc})"
        return True, "Tor v3 onion service (checksum verified)"
    if len(label) == 16:
        return None, "Tor v2 onion service (retired by Tor in 2021; cannot be checked)"
    return False, "'.onion' name of impossible length"


def _classify(raw: str, start: int, value: str, host: str, path: str) -> Identifier | None:
    t = _tables()
    end = start + len(raw)
    for rule in t.rules:
        if host != rule.host and not host.endswith("." + rule.host):
            continue
        m = rule.path.match(path)
        if not m:
            continue
        if rule.kind is IdentifierKind.PHONE:
            e164 = phones.to_e164("+" + m.group(1))
            if e164 is None:
                break
            reason = f"{rule.platform} click-to-chat link to a valid number"
            return Identifier(rule.kind, e164, raw, start, end, rule.platform, True, reason)
        name = m.group(1).lower()
        valid = check_username(rule.platform, name)
        if valid is False:
            break
        reason = f"{rule.platform} profile link ({rule.host})"
        return Identifier(rule.kind, name, raw, start, end, rule.platform, valid, reason)
    if host in t.shorteners:
        reason = f"link shortener ({host}): the destination is not known without following it"
        return Identifier(IdentifierKind.URL, value, raw, start, end, host, None, reason)
    return None


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    t = _tables()
    for m in t.pattern.finditer(text):
        raw = strip_trailing(m.group())
        parsed = canonical(raw)
        if parsed is None:
            continue
        value, host, path = parsed
        bare = "://" not in raw and not raw.lower().startswith("www.")
        if bare and host.rsplit(".", 1)[-1] in t.need_path and path in ("", "/"):
            continue
        special = _classify(raw, m.start(), value, host, path)
        if special is not None:
            yield special
            continue
        if host.endswith(".onion"):
            valid, reason = _onion(host)
            if valid is False and not opts.include_invalid:
                continue
            yield Identifier(
                IdentifierKind.URL,
                value,
                raw,
                m.start(),
                m.start() + len(raw),
                "tor",
                valid,
                reason,
            )
            continue
        how = "web address" if not bare else "bare domain with a known top-level domain"
        yield Identifier(
            IdentifierKind.URL, value, raw, m.start(), m.start() + len(raw), None, None, how
        )
