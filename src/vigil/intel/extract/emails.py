"""E-mail addresses, plain (``name@example.com``) or spelled out (``name at example dot com``).

A plain address needs a dotted domain ending in a 2-24 letter top-level domain, so ``meet
@ 5``, ``me@home`` and ``@name`` are not addresses. Spelled-out addresses are taken only with
the word ``dot`` and a common top-level domain. The value is lower-cased (mail providers
treat the local part case-insensitively in practice; the raw text keeps the original).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vigil.intel.extract.base import Identifier, IdentifierKind, Options

PLAIN = re.compile(
    r"(?<![\w.+%-])(?P<local>[A-Za-z0-9._%+-]{1,64})@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
    r"(?![\w-])"
)
SPELLED = re.compile(
    r"(?<![\w.])(?P<local>[A-Za-z0-9][A-Za-z0-9._+-]{0,63})\s*[\[(]?\s*(?:@|\bat\b)\s*[\])]?\s*"
    r"(?P<host>[A-Za-z0-9][A-Za-z0-9-]{0,62})\s*[\[(]?\s*\bdot\b\s*[\])]?\s*"
    r"(?P<tld>com|net|org|co\s*(?:\.|\bdot\b)\s*uk|uk|io|me)\b",
    re.IGNORECASE,
)


def valid_local(local: str) -> bool:
    return not (local.startswith(".") or local.endswith(".") or ".." in local)


def extract(text: str, opts: Options) -> Iterator[Identifier]:
    for m in PLAIN.finditer(text):
        local, domain = m.group("local"), m.group("domain")
        if not valid_local(local):
            continue
        yield Identifier(
            IdentifierKind.EMAIL,
            f"{local}@{domain}".lower(),
            m.group(),
            m.start(),
            m.end(),
            valid=None,
            reason="e-mail address (local part @ dotted domain)",
        )
    if "dot" not in text.lower():
        return
    for m in SPELLED.finditer(text):
        local = m.group("local")
        if not valid_local(local) or local.lower() in {"me", "i", "us", "him", "her", "them"}:
            continue
        tld = re.sub(r"\s*(?:\.|\bdot\b)\s*", ".", m.group("tld").lower())
        yield Identifier(
            IdentifierKind.EMAIL,
            f"{local}@{m.group('host')}.{tld}".lower(),
            m.group(),
            m.start(),
            m.end(),
            valid=None,
            reason="e-mail address spelled out with 'at' and 'dot' to evade filters",
        )
