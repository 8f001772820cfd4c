"""IPv4 and IPv6 addresses, validated by :mod:`ipaddress`.

Dotted quads that are really version or build numbers ("version 10.0.19045.1", "v1.2.3.4",
"update 4.2.1.0") are dropped by the words before them and by refusing longer dotted runs;
leading zeros and octets over 255 fail :mod:`ipaddress`. IPv6 candidates need at least two
colons and must parse, so clock times (``12:30:45``) and MAC addresses do not pass. The reason
says whether the address is private, loopback or otherwise not routable on the internet.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from vigil.intel.extract.base import Identifier, IdentifierKind, Options, last_words

IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3}|:)?(?![\w:])"
)
_VERSION_WORDS = frozenset(
    [
        "v",
        "ver",
        "vers",
        "version",
        "versions",
        "build",
        "firmware",
        "fw",
        "ios",
        "android",
        "windows",
        "win",
        "macos",
        "update",
        "upgrade",
        "release",
        "patch",
        "kernel",
        "driver",
        "bios",
        "app",
        "sdk",
        "api",
        "python",
        "node",
        "java",
        "chrome",
    ]
)


def _scope(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.is_loopback:
        return "loopback (this machine only)"
    if ip.is_private:
        return "private network address (not unique on the internet)"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_link_local:
        return "reserved or link-local address"
    return "public address"


def _versionish(text: str, start: int) -> bool:
    words = last_words(text, start, 2, 20)
    if any(w in _VERSION_WORDS for w in words):
        return True
    return start > 0 and text[start - 1] in "vV"


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    if "." in text:
        for m in IPV4.finditer(text):
            if _versionish(text, m.start()):
                continue
            try:
                ip4 = ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            yield Identifier(
                IdentifierKind.IP,
                str(ip4),
                m.group(),
                m.start(),
                m.end(),
                "ipv4",
                None,
                f"IPv4 {_scope(ip4)}",
            )
    if text.count(":") >= 2:
        for m in IPV6.finditer(text):
            raw = m.group()
            if sum(c in "0123456789abcdefABCDEF" for c in raw) < 3:
                continue
            try:
                ip6 = ipaddress.IPv6Address(raw)
            except ValueError:
                continue
            yield Identifier(
                IdentifierKind.IP,
                ip6.compressed,
                raw,
                m.start(),
                m.end(),
                "ipv6",
                None,
                f"IPv6 {_scope(ip6)}",
            )
