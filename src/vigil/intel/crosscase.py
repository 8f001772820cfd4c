"""Cross-case hits: an identifier or account seen in more than one case.

A hit tells the investigators of one case that the same identifier appears in another case,
and names only that case's reference and holding unit so they can contact its officer in
charge. It never carries the other case's messages, conversations, participants or spans:
:class:`Hit` has no field that could hold them. The service layer applies need-to-know on
top (who may see hits at all, and audit of every hit shown).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vigil.intel.entities import ENTITY_OF_KIND, canonical_account, canonical_platform
from vigil.intel.extract.base import IdentifierKind
from vigil.intel.model import AccountSighting, EntityType, Sighting, make_id

# Kinds that identify a person or their property well enough to be worth a call to another
# unit. URLs, IPs and postcodes are shared by too many innocent people to raise by default.
HIT_KINDS: frozenset[IdentifierKind] = frozenset(
    {
        IdentifierKind.PHONE,
        IdentifierKind.EMAIL,
        IdentifierKind.HANDLE,
        IdentifierKind.PAYMENT,
        IdentifierKind.CRYPTO,
        IdentifierKind.BANK_ACCOUNT,
    }
)


@dataclass(frozen=True, slots=True)
class CaseHolder:
    """Another case holding the identifier: its reference and unit, nothing else."""

    case_ref: str
    unit: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    """For ``case_ref``: the identifier ``value`` also appears in ``others``."""

    case_ref: str
    entity_id: str
    kind: str  # entity type: phone, email, account, wallet, bank_account
    value: str
    platform: str | None
    others: tuple[CaseHolder, ...]

    def notice(self) -> str:
        """The sentence shown to the case's investigators."""
        what = (
            f"{self.platform} {self.kind} {self.value}"
            if self.platform
            else f"{self.kind} {self.value}"
        )
        held = "; ".join(
            f"a case held by {o.unit or 'an unnamed unit'} ({o.case_ref})" for o in self.others
        )
        return f"{what} also appears in {held} — contact its officer in charge."


def cross_case_hits(
    sightings: Iterable[Sighting] = (),
    accounts: Iterable[AccountSighting] = (),
    *,
    units: Mapping[str, str] | None = None,
    kinds: Iterable[IdentifierKind] = HIT_KINDS,
    for_case: str | None = None,
) -> list[Hit]:
    """Every identifier or account found in two or more cases, one hit per case.

    ``units`` maps case references to their holding unit (overriding ``Sighting.unit``).
    ``for_case`` keeps only the hits to show that case (e.g. after a new ingest).
    """
    wanted = frozenset(kinds)
    where: dict[tuple[str, str, str], dict[str, str | None]] = defaultdict(dict)
    for s in sightings:
        etype = ENTITY_OF_KIND.get(s.identifier.kind)
        if etype is None or s.identifier.kind not in wanted:
            continue
        plat = s.identifier.platform or ""
        if etype is EntityType.ACCOUNT:
            plat = canonical_platform(plat)
        if etype is EntityType.ACCOUNT and not plat:
            continue  # a bare @name names no platform: too weak for a call to another unit
        if etype not in (EntityType.ACCOUNT, EntityType.WALLET):
            plat = ""
        key = (etype.value, plat, s.identifier.value)
        where[key].setdefault(s.case_ref, s.unit)
    for a in accounts:
        plat, pid, e164 = canonical_account(a.platform, a.platform_id)
        where[(EntityType.ACCOUNT.value, plat, pid)].setdefault(a.case_ref, a.unit)
        if e164 is not None and IdentifierKind.PHONE in wanted:
            where[(EntityType.PHONE.value, "", e164)].setdefault(a.case_ref, a.unit)
    hits: list[Hit] = []
    for (type_name, plat, value), cases in sorted(where.items()):
        if len(cases) < 2:
            continue
        for case_ref in sorted(cases):
            if for_case is not None and case_ref != for_case:
                continue
            others = tuple(
                CaseHolder(c, (units or {}).get(c, u))
                for c, u in sorted(cases.items())
                if c != case_ref
            )
            eid = make_id(type_name, plat, value)
            hits.append(Hit(case_ref, eid, type_name, value, plat or None, others))
    return hits
