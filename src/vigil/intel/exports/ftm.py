"""followthemoney (FtM) JSON lines, as read by OpenAleph and other OCCRP tools.

Every entity is built with ``followthemoney.model`` and checked before it is written: each
property value must survive FtM's own cleaning (an invalid phone, e-mail, IP or country is an
error, not a silent drop), the schema's required properties must be present (Message.sender
excepted, see below), ``model.get_proxy(entity.to_dict())`` must round-trip unchanged, and
every entity reference must point at an entity in the same export.

Mapping (Vigil entity → FtM):

- person → ``Person`` (name)
- account → ``UserAccount`` (username, service, owner → Person, phone/email when the
  platform keys the account by them)
- wallet → ``CryptoWallet`` (cryptoAddress, publicKey, blockchain, currencySymbol)
- bank account → ``BankAccount`` (accountNumber, description with the sort code, country gb)
- postcode → ``Address`` (postalCode, full, country gb)
- phone, e-mail, IP, URL mentioned by an account → one ``Note`` per account (entity → the
  account; phoneMentioned, emailMentioned, ipMentioned; URLs listed in the description,
  as FtM has no URL-mention property)
- an account mentioning another account, wallet, bank account or postcode, and
  possibly-same pairs → ``UnknownLink`` (subject, object, role, description = reasons)
- optional message records → ``Message`` (messageId, bodyText, date, senderAccount,
  phone/email/ipMentioned). FtM also lists ``sender`` (a Person or other legal entity) as
  required; chat accounts rarely have an identified person, so it is set only when the
  account has an owner.

Conversations and cases are not exported as entities: an OpenAleph collection is the case.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from vigil.intel.entities import account_label, canonical_account
from vigil.intel.extract.base import Identifier, IdentifierKind
from vigil.intel.model import Entity, EntityType, Relation, Resolution, make_id

CURRENCY = {"bitcoin": "BTC", "ethereum": "ETH", "monero": "XMR"}
REQUIRED_EXEMPT = {("Message", "sender")}


class ExportError(ValueError):
    """An entity that followthemoney does not accept; names the entity and property."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A message to export as an FtM ``Message`` (only when the case's analyst asks for it)."""

    case_ref: str
    conversation_id: str
    message_id: str
    platform: str
    author_id: str | None
    sent_at: str | None  # ISO 8601
    body: str
    identifiers: tuple[Identifier, ...] = ()


def add(proxy: EntityProxy, prop: str, value: str | None) -> None:
    """Add a value through FtM's cleaning; raise if FtM rejects it."""
    if value is None or value == "":
        return
    p = proxy.schema.get(prop)
    if p is None:
        raise ExportError(f"{proxy.schema.name} has no property {prop!r}")
    cleaned = p.type.clean(value, proxy=proxy)
    if cleaned is None:
        raise ExportError(f"{proxy.schema.name} {proxy.id}: FtM rejects {prop}={value!r}")
    proxy.add(p, [cleaned], cleaned=True)


DESCRIPTION_LIMIT = 60_000
"""Below followthemoney's text limit (65,000 characters per value)."""


def _capped(text: str) -> str:
    """A description short enough for FtM, saying how much was left out."""
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    cut = text.rfind("\n", 0, DESCRIPTION_LIMIT)
    cut = cut if cut > 0 else DESCRIPTION_LIMIT
    rest = text[cut:].count("\n") + 1
    return text[:cut] + f"\n… {rest} more line(s) left out (the full list is in the CSV export)"


def check(proxy: EntityProxy, known_ids: set[str]) -> dict[str, Any]:
    """Validate one finished entity and return its dict (see the module docstring)."""
    data = proxy.to_dict()
    try:
        proxy.schema.validate({"properties": data["properties"]})
    except Exception as exc:  # followthemoney's InvalidData and friends
        raise ExportError(f"{proxy.schema.name} {proxy.id}: FtM rejects it: {exc}") from exc
    for req in proxy.schema.required:
        if not proxy.get(req) and (proxy.schema.name, req) not in REQUIRED_EXEMPT:
            raise ExportError(f"{proxy.schema.name} {proxy.id}: required property {req} missing")
    again = model.get_proxy(data).to_dict()
    if again != data:
        raise ExportError(f"{proxy.schema.name} {proxy.id}: does not round-trip through FtM")
    for prop, value in proxy.itervalues():
        if prop.type.name == "entity" and value not in known_ids:
            raise ExportError(f"{proxy.schema.name} {proxy.id}: {prop.name} -> unknown {value!r}")
    return data


def _make(schema: str, eid: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = eid
    return proxy


def _entity(
    e: Entity, owners: dict[str, list[str]], keys: dict[str, dict[str, str]]
) -> EntityProxy | None:
    if e.type is EntityType.PERSON:
        p = _make("Person", e.id)
        add(p, "name", e.label)
        return p
    if e.type is EntityType.ACCOUNT:
        p = _make("UserAccount", e.id)
        add(p, "username", e.value)
        add(p, "service", e.platform or "unknown")
        add(p, "name", e.label)
        for owner in owners.get(e.id, []):
            add(p, "owner", owner)
        add(p, "phone", keys.get(e.id, {}).get("phone"))
        add(p, "email", keys.get(e.id, {}).get("email"))
        return p
    if e.type is EntityType.WALLET:
        p = _make("CryptoWallet", e.id)
        for prop in ("cryptoAddress", "publicKey", "name"):
            add(p, prop, e.value)
        add(p, "blockchain", e.platform)
        add(p, "currencySymbol", CURRENCY.get(e.platform or ""))
        return p
    if e.type is EntityType.BANK_ACCOUNT:
        p = _make("BankAccount", e.id)
        sort_code, number = e.value.split(" ", 1)
        add(p, "accountNumber", number)
        add(p, "name", e.value)
        add(p, "description", f"UK sort code {sort_code}")
        add(p, "country", "gb")
        return p
    if e.type is EntityType.POSTCODE:
        p = _make("Address", e.id)
        for prop in ("postalCode", "full", "name"):
            add(p, prop, e.value)
        add(p, "country", "gb")
        return p
    return None


_NOTE_PROP = {
    EntityType.PHONE: "phoneMentioned",
    EntityType.EMAIL: "emailMentioned",
    EntityType.IP: "ipMentioned",
}
_LINK_TARGETS = {
    EntityType.ACCOUNT,
    EntityType.WALLET,
    EntityType.BANK_ACCOUNT,
    EntityType.POSTCODE,
}


def entities(res: Resolution, messages: Iterable[MessageRecord] = ()) -> Iterator[EntityProxy]:
    """Build (unvalidated) FtM entities for a resolution."""
    ents = res.entities
    owners: dict[str, list[str]] = defaultdict(list)
    keys: dict[str, dict[str, str]] = defaultdict(dict)
    notes: dict[str, list[tuple[Entity, list[str]]]] = defaultdict(list)
    links = []
    for lk in res.links.values():
        src, tgt = ents[lk.source], ents[lk.target]
        if lk.relation is Relation.USES:
            owners[tgt.id].append(src.id)
        elif lk.relation in (Relation.HAS_PHONE, Relation.HAS_EMAIL):
            keys[src.id]["phone" if tgt.type is EntityType.PHONE else "email"] = tgt.value
        elif lk.relation is Relation.MENTIONED and src.type is EntityType.ACCOUNT:
            if tgt.type in _LINK_TARGETS:
                links.append(lk)
            elif tgt.type in (*_NOTE_PROP, EntityType.URL):
                notes[src.id].append((tgt, lk.reasons))
        elif lk.relation is Relation.POSSIBLY_SAME:
            links.append(lk)
    for e in ents.values():
        proxy = _entity(e, owners, keys)
        if proxy is not None:
            yield proxy
    for account_id, mentioned in notes.items():
        note = _make("Note", make_id("ftm-note", account_id))
        add(note, "entity", account_id)
        add(note, "name", f"Identifiers mentioned by {ents[account_id].label}")
        lines = []
        for tgt, reasons in mentioned:
            prop = _NOTE_PROP.get(tgt.type)
            if prop:
                add(note, prop, tgt.value)
            lines.append(f"{tgt.type.value} {tgt.value}: {reasons[0]}")
        add(note, "description", _capped("\n".join(lines)))
        yield note
    for lk in links:
        link = _make("UnknownLink", make_id("ftm-link", lk.source, lk.target, lk.relation.value))
        add(link, "subject", lk.source)
        add(link, "object", lk.target)
        add(link, "role", lk.relation.value.replace("_", " "))
        add(link, "description", "\n".join(lk.reasons))
        yield link
    yield from _messages(res, messages, owners)


def _messages(
    res: Resolution, messages: Iterable[MessageRecord], owners: dict[str, list[str]]
) -> Iterator[EntityProxy]:
    for m in messages:
        msg = _make("Message", make_id("message", m.case_ref, m.conversation_id, m.message_id))
        add(msg, "messageId", m.message_id)
        add(msg, "bodyText", m.body)
        add(msg, "date", m.sent_at)
        if m.author_id:
            plat, pid, _ = canonical_account(m.platform, m.author_id)
            acc_id = make_id(EntityType.ACCOUNT.value, plat, pid)
            if acc_id in res.entities:
                add(msg, "senderAccount", acc_id)
                for owner in owners.get(acc_id, []):
                    add(msg, "sender", owner)
            add(msg, "name", f"message {m.message_id} from {account_label(plat, pid)}")
        for ident in m.identifiers:
            prop = {IdentifierKind.PHONE: "phoneMentioned", IdentifierKind.EMAIL: "emailMentioned",
                    IdentifierKind.IP: "ipMentioned"}.get(ident.kind)  # fmt: skip
            if prop:
                add(msg, prop, ident.value)
        yield msg


def export(res: Resolution, messages: Iterable[MessageRecord] = ()) -> Iterator[str]:
    """Yield one validated JSON line per entity (raises :class:`ExportError` on the first bad one)."""
    proxies = list(entities(res, messages))
    known = {p.id for p in proxies if p.id}
    for proxy in proxies:
        yield json.dumps(check(proxy, known), sort_keys=True, ensure_ascii=False) + "\n"


def render(res: Resolution, messages: Iterable[MessageRecord] = ()) -> str:
    return "".join(export(res, messages))
