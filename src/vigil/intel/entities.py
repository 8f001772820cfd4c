"""Entity resolution: sightings of identifiers and accounts become entities and links.

Rules (each merge and link records which one applied and why):

1. **Identical canonical value** — every sighting of the same kind and canonical value is one
   entity, within and across cases: ``07400 123456`` and ``+44 7400 123456`` are both
   ``+447400123456``. The entity id is the SHA-1 of type, platform and value, so two
   workspaces compute the same id for the same number without exchanging anything else.
2. **Handle is a participant** — a handle mentioned in a message (``snap: bob_99``) and an
   account taking part in a conversation on that platform with that id are one account.
3. **Phone- or e-mail-keyed accounts** — on platforms that key accounts by phone number
   (WhatsApp, Signal, SMS) the account is linked to the phone entity (``has_phone``); an
   account id that is an e-mail address is linked to that address. Linked, not merged: an
   account is not a phone.
4. **Person records** — a person recorded on a case is linked to the accounts attributed to
   them (``uses``). People are never merged automatically, only their accounts.
5. **Same user name, platform unknown** — ``@bob_99`` with no platform and the Snapchat
   account ``bob_99`` get a ``possibly_same`` link for an analyst to confirm; never a merge.

Money amounts and meeting times are facts about messages, not entities; they are skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from vigil.intel.extract import phones
from vigil.intel.extract.base import IdentifierKind
from vigil.intel.extract.handles import platform_for, tables
from vigil.intel.model import (
    AccountSighting,
    Entity,
    EntityType,
    Evidence,
    Link,
    Merge,
    PersonRecord,
    Relation,
    Resolution,
    Sighting,
    make_id,
)

ENTITY_OF_KIND: dict[IdentifierKind, EntityType] = {
    IdentifierKind.PHONE: EntityType.PHONE,
    IdentifierKind.EMAIL: EntityType.EMAIL,
    IdentifierKind.URL: EntityType.URL,
    IdentifierKind.IP: EntityType.IP,
    IdentifierKind.HANDLE: EntityType.ACCOUNT,
    IdentifierKind.PAYMENT: EntityType.ACCOUNT,
    IdentifierKind.CRYPTO: EntityType.WALLET,
    IdentifierKind.BANK_ACCOUNT: EntityType.BANK_ACCOUNT,
    IdentifierKind.POSTCODE: EntityType.POSTCODE,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_MAX_EVIDENCE = 50  # per link; the count keeps the true total


def canonical_platform(platform: str | None) -> str:
    """Platform key as used in entity ids (``Insta`` → ``instagram``; unknown → lower case)."""
    if not platform:
        return ""
    return platform_for(platform) or platform.strip().lower()


def canonical_account(platform: str, platform_id: str) -> tuple[str, str, str | None]:
    """(platform, account id, E.164 phone or None) for an account as a platform names it."""
    plat = canonical_platform(platform)
    pid = platform_id.strip()
    info = tables().platforms.get(plat)
    if info is not None and info.id_is_phone:
        digits = re.sub(r"[^\d+]", "", pid.split("@", 1)[0])
        e164 = phones.to_e164(digits if digits.startswith("+") else "+" + digits)
        if e164 is None:
            e164 = phones.to_e164(digits)
        if e164 is not None:
            return plat, e164, e164
    return plat, pid.lstrip("@").lower(), None


def account_label(platform: str, value: str) -> str:
    info = tables().platforms.get(platform)
    if info is not None:
        return f"{info.label}: {value}"
    return f"{platform}: {value}" if platform else f"@{value}"


class _Builder:
    def __init__(self) -> None:
        self.res = Resolution()
        self.rules: dict[str, set[str]] = defaultdict(set)
        self.convs: dict[str, set[str]] = defaultdict(set)

    def entity(
        self, etype: EntityType, value: str, label: str, case_ref: str, platform: str = ""
    ) -> Entity:
        eid = make_id(etype.value, platform, value)
        ent = self.res.entities.get(eid)
        if ent is None:
            ent = Entity(eid, etype, value, label, platform or None)
            self.res.entities[eid] = ent
        ent.cases.add(case_ref)
        ent.observations += 1
        return ent

    def link(self, src: str, tgt: str, rel: Relation, reason: str, ev: Evidence) -> None:
        key = (src, tgt, rel)
        lk = self.res.links.get(key)
        if lk is None:
            lk = self.res.links[key] = Link(src, tgt, rel)
        if reason not in lk.reasons:
            lk.reasons.append(reason)
        if len(lk.evidence) < _MAX_EVIDENCE and ev not in lk.evidence:
            lk.evidence.append(ev)
        lk.count += 1

    def conversation(self, case_ref: str, conv_id: str) -> Entity:
        case = self.entity(EntityType.CASE, case_ref, case_ref, case_ref)
        conv = self.entity(
            EntityType.CONVERSATION, f"{case_ref}/{conv_id}", f"conversation {conv_id}", case_ref
        )
        self.link(
            conv.id, case.id, Relation.IN_CASE, "conversation held in the case", Evidence(case_ref)
        )
        return conv

    def account(self, case_ref: str, platform: str, platform_id: str) -> Entity:
        plat, pid, e164 = canonical_account(platform, platform_id)
        acc = self.entity(EntityType.ACCOUNT, pid, account_label(plat, pid), case_ref, plat)
        acc.raw_forms.add(platform_id)
        ev = Evidence(case_ref)
        if e164 is not None:
            ph = self.entity(EntityType.PHONE, e164, e164, case_ref)
            self.link(
                acc.id,
                ph.id,
                Relation.HAS_PHONE,
                f"{acc.label}: the platform keys accounts by phone number",
                ev,
            )
        elif _EMAIL.match(pid):
            em = self.entity(EntityType.EMAIL, pid, pid, case_ref)
            self.link(acc.id, em.id, Relation.HAS_EMAIL, "the account id is an e-mail address", ev)
        return acc


def resolve(
    accounts: Iterable[AccountSighting] = (),
    sightings: Iterable[Sighting] = (),
    persons: Iterable[PersonRecord] = (),
) -> Resolution:
    """Resolve accounts, identifier sightings and person records into entities and links."""
    b = _Builder()
    for a in accounts:
        conv = b.conversation(a.case_ref, a.conversation_id)
        acc = b.account(a.case_ref, a.platform, a.platform_id)
        if a.display_name:
            acc.properties.setdefault("display_name", a.display_name)
        ev = Evidence(a.case_ref, a.conversation_id)
        b.link(acc.id, conv.id, Relation.PARTICIPANT, "takes part in the conversation", ev)
        b.rules[acc.id].add("participant")
        b.convs[acc.id].add(f"{a.case_ref}/{a.conversation_id}")
    for s in sightings:
        etype = ENTITY_OF_KIND.get(s.identifier.kind)
        if etype is None:
            continue
        ident = s.identifier
        conv = b.conversation(s.case_ref, s.conversation_id)
        plat = canonical_platform(ident.platform) if etype is EntityType.ACCOUNT else ""
        if etype is EntityType.WALLET:
            plat = ident.platform or ""
        label = account_label(plat, ident.value) if etype is EntityType.ACCOUNT else ident.value
        target = b.entity(etype, ident.value, label, s.case_ref, plat)
        target.raw_forms.add(ident.raw)
        b.rules[target.id].add("mentioned")
        ev = Evidence(s.case_ref, s.conversation_id, s.message_id)
        if s.participant_platform_id and s.platform:
            author = b.account(s.case_ref, s.platform, s.participant_platform_id)
            b.link(
                author.id,
                target.id,
                Relation.MENTIONED,
                f"{ident.reason}; written by {author.label}",
                ev,
            )
        else:
            b.link(conv.id, target.id, Relation.MENTIONED, f"{ident.reason}; author unknown", ev)
    for p in persons:
        person = b.entity(EntityType.PERSON, f"{p.case_ref}/{p.person_id}", p.name, p.case_ref)
        if p.role:
            person.properties["role"] = p.role
        for platform, pid in p.accounts:
            acc = b.account(p.case_ref, platform, pid)
            reason = f"recorded on case {p.case_ref} as using {acc.label}"
            b.link(person.id, acc.id, Relation.USES, reason, Evidence(p.case_ref))
    _possibly_same(b)
    b.res.merges = _merges(b)
    return b.res


def _possibly_same(b: _Builder) -> None:
    by_name: dict[str, list[Entity]] = defaultdict(list)
    for e in b.res.entities.values():
        if e.type is EntityType.ACCOUNT:
            by_name[e.value].append(e)
    for name, group in by_name.items():
        unknown = [e for e in group if not e.platform]
        known = [e for e in group if e.platform]
        for u in unknown:
            for k in known:
                reason = f"user name '{name}' is a {k.label.split(':')[0]} account; the @{name} mention names no platform"
                for case in sorted(u.cases & k.cases) or sorted(u.cases)[:1]:
                    b.link(u.id, k.id, Relation.POSSIBLY_SAME, reason, Evidence(case))


def _merges(b: _Builder) -> list[Merge]:
    out = []
    for eid, rules in b.rules.items():
        e = b.res.entities[eid]
        cases = tuple(sorted(e.cases))
        if "participant" in rules and "mentioned" in rules:
            convs = ", ".join(sorted(b.convs[eid])[:3])
            reason = (f"the handle {e.value} mentioned in messages is the {e.label.split(':')[0]} "
                      f"account {e.value} taking part in {convs}")  # fmt: skip
            out.append(Merge(eid, e.label, "handle-is-participant", reason, cases))
        if e.observations > 1 and (len(e.raw_forms) > 1 or len(cases) > 1):
            forms = ", ".join(repr(f) for f in sorted(e.raw_forms)[:4])
            reason = f"{e.observations} observations (written {forms}) share the canonical value {e.value}"
            if len(cases) > 1:
                reason += f"; seen in cases {', '.join(cases)}"
            out.append(Merge(eid, e.label, "identical-value", reason, cases))
    return out
