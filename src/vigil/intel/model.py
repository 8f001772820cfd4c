"""Input and output shapes for entity resolution, cross-case hits and the link graph.

Inputs are plain rows the services read from the database: :class:`Sighting` (an identifier
found in a message), :class:`AccountSighting` (an account taking part in a conversation) and
:class:`PersonRecord` (a person recorded on a case with the accounts attributed to them).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field

from vigil.intel.extract.base import Identifier


def make_id(*parts: str) -> str:
    """Deterministic entity id from content: SHA-1 of the parts (followthemoney style).

    The same kind and canonical value give the same id in every case and on every machine,
    which is what lets two units' data meet without sharing anything else.
    """
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


class EntityType(enum.StrEnum):
    PERSON = "person"
    ACCOUNT = "account"
    PHONE = "phone"
    EMAIL = "email"
    WALLET = "wallet"
    URL = "url"
    IP = "ip"
    BANK_ACCOUNT = "bank_account"
    POSTCODE = "postcode"
    CONVERSATION = "conversation"
    CASE = "case"


class Relation(enum.StrEnum):
    IN_CASE = "in_case"  # conversation -> case
    PARTICIPANT = "participant"  # account -> conversation
    MENTIONED = "mentioned"  # account (author) or conversation -> identifier
    USES = "uses"  # person -> account (from case records)
    HAS_PHONE = "has_phone"  # account -> phone (the platform keys accounts by number)
    HAS_EMAIL = "has_email"  # account -> e-mail (the account id is an address)
    POSSIBLY_SAME = "possibly_same"  # same user name, platform unknown on one side


@dataclass(frozen=True, slots=True)
class Sighting:
    """An identifier found in one message (or participant/attachment field) of a case."""

    case_ref: str
    conversation_id: str
    message_id: str | None
    participant_platform_id: str | None  # the author, when known
    identifier: Identifier
    platform: str | None = None  # the conversation's platform (whatsapp, snapchat, ...)
    unit: str | None = None  # the unit holding the case


@dataclass(frozen=True, slots=True)
class AccountSighting:
    """An account taking part in a conversation of a case."""

    case_ref: str
    conversation_id: str
    platform: str
    platform_id: str
    display_name: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person recorded on a case (suspect, victim, ...) with the accounts attributed to them."""

    case_ref: str
    person_id: str
    name: str
    accounts: tuple[tuple[str, str], ...] = ()  # (platform, platform id)
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where an observation was made. Content never travels with it, only references."""

    case_ref: str
    conversation_id: str | None = None
    message_id: str | None = None


@dataclass(slots=True)
class Entity:
    """A resolved thing: a person, an account, a phone number, a wallet, ..."""

    id: str
    type: EntityType
    value: str  # canonical value (E.164, user name, address, case ref, ...)
    label: str
    platform: str | None = None  # service for accounts, chain for wallets
    cases: set[str] = field(default_factory=set)
    raw_forms: set[str] = field(default_factory=set)
    properties: dict[str, str] = field(default_factory=dict)
    observations: int = 0


@dataclass(slots=True)
class Link:
    """A relation between two entities with the reasons and evidence behind it."""

    source: str
    target: str
    relation: Relation
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    count: int = 0


@dataclass(frozen=True, slots=True)
class Merge:
    """Why several observations were taken to be one entity."""

    entity_id: str
    label: str
    rule: str  # identical-value, handle-is-participant
    reason: str
    cases: tuple[str, ...]


@dataclass(slots=True)
class Resolution:
    """Entities, the links between them, and every merge with its reason."""

    entities: dict[str, Entity] = field(default_factory=dict)
    links: dict[tuple[str, str, Relation], Link] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)

    def of_type(self, t: EntityType) -> list[Entity]:
        return [e for e in self.entities.values() if e.type is t]
