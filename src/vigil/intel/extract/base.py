"""The identifier record every extractor returns, and small helpers they share."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class IdentifierKind(enum.StrEnum):
    """Families of identifiers. ``valid`` means a checksum or number-plan check passed."""

    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    IP = "ip"
    HANDLE = "handle"
    CRYPTO = "crypto"
    PAYMENT = "payment"
    BANK_ACCOUNT = "bank_account"
    POSTCODE = "postcode"
    MONEY = "money"
    MEETING_TIME = "meeting_time"


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier found in a text.

    ``value`` is the canonical form used for matching (E.164 phone, lower-case e-mail,
    scheme-less URL, user name without ``@``, ...); ``raw`` is the text as written and
    ``start``/``end`` its span in the input. ``platform`` names the service for handles and
    payment accounts (``snapchat``, ``paypal``), the chain for wallets (``bitcoin``) and the
    link service for special URLs (``tor``, ``bit.ly``). ``valid`` is True when a checksum or
    number-plan check passed, False when it failed, and None when the family has no such
    check. ``reason`` says in plain words why the text was taken as this identifier.
    """

    kind: IdentifierKind
    value: str
    raw: str
    start: int
    end: int
    platform: str | None = None
    valid: bool | None = True
    reason: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What two sightings must share to be the same identifier."""
        return (self.kind.value, self.platform or "", self.value)


@dataclass(frozen=True, slots=True)
class Options:
    """Settings shared by every extractor.

    ``region`` is the ISO 3166 code used for numbers written without a country code.
    ``include_invalid`` also returns candidates whose checksum or number-plan check failed
    (with ``valid=False``): useful to spot a mistyped wallet, off by default.
    """

    region: str = "GB"
    include_invalid: bool = False


def words_before(text: str, start: int, width: int = 24) -> str:
    """The lower-cased text in the ``width`` characters before ``start``."""
    return text[max(0, start - width) : start].lower()


_WORD = re.compile(r"[a-z0-9/#]+")


def last_words(text: str, start: int, n: int = 3, width: int = 32) -> list[str]:
    """The last ``n`` lower-cased words before ``start`` (within ``width`` characters)."""
    return _WORD.findall(words_before(text, start, width))[-n:]


def strip_trailing(raw: str, chars: str = ".,;:!?'\")]}>") -> str:
    """Drop sentence punctuation glued to the end of a match, keeping balanced brackets."""
    while raw and raw[-1] in chars:
        if raw[-1] == ")" and raw.count("(") >= raw.count(")"):
            break
        raw = raw[:-1]
    return raw
