"""Maltego table-import CSV, with the column mapping to use in Maltego's import wizard.

One row per link. Every row has exactly two filled entity columns (the two ends of the link)
plus the link's label and reasons, so Maltego's "Import Graph from Table" wizard creates both
entities and the link between them. :data:`MAPPING` is the mapping to choose in the wizard's
column-mapping step (also printed in docs/intel.md); entity values are the canonical values
(E.164 phone numbers, lower-case addresses), so repeated imports merge in Maltego.
"""

from __future__ import annotations

import csv
import io

from vigil.intel.model import Entity, EntityType, Resolution

# (column header, Maltego entity type or link property, what goes in it)
MAPPING: tuple[tuple[str, str, str], ...] = (
    ("Person", "maltego.Person", "name recorded on the case"),
    ("Alias", "maltego.Alias", "account user name (platform in the Platform column)"),
    ("Alias (other end)", "maltego.Alias", "second account when both ends are accounts"),
    ("Phone Number", "maltego.PhoneNumber", "E.164 number"),
    ("Email Address", "maltego.EmailAddress", "lower-case address"),
    ("URL", "maltego.URL", "canonical URL (no scheme)"),
    ("IPv4 Address", "maltego.IPv4Address", "dotted quad"),
    ("IPv6 Address", "maltego.IPv6Address", "compressed form"),
    ("Crypto Address", "maltego.CryptocurrencyAddress", "wallet address (chain in Platform)"),
    ("Bank Account", "maltego.Phrase", "UK sort code and account number"),
    ("Postcode", "maltego.Location", "UK postcode"),
    ("Conversation", "maltego.Phrase", "case reference / conversation id"),
    ("Case", "maltego.Phrase", "case reference"),
    ("Platform", "property of the Alias or Crypto Address", "service or chain"),
    ("Link Label", "link label", "relation (mentioned, participant, uses, ...)"),
    ("Link Reasons", "link property 'reasons'", "why Vigil made the link"),
    ("Link Count", "link property 'count'", "how many observations"),
)
HEADERS = [m[0] for m in MAPPING]
_COLUMN = {
    EntityType.PERSON: "Person",
    EntityType.ACCOUNT: "Alias",
    EntityType.PHONE: "Phone Number",
    EntityType.EMAIL: "Email Address",
    EntityType.URL: "URL",
    EntityType.WALLET: "Crypto Address",
    EntityType.BANK_ACCOUNT: "Bank Account",
    EntityType.POSTCODE: "Postcode",
    EntityType.CONVERSATION: "Conversation",
    EntityType.CASE: "Case",
}


def _column(e: Entity) -> str:
    if e.type is EntityType.IP:
        return "IPv6 Address" if ":" in e.value else "IPv4 Address"
    return _COLUMN[e.type]


def render(res: Resolution) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, HEADERS, lineterminator="\n")
    w.writeheader()
    for lk in res.links.values():
        src, tgt = res.entities[lk.source], res.entities[lk.target]
        row = dict.fromkeys(HEADERS, "")
        a, b = _column(src), _column(tgt)
        if a == b:
            b = "Alias (other end)" if a == "Alias" else b
        row[a] = src.label if src.type is EntityType.PERSON else src.value
        row[b] = tgt.label if tgt.type is EntityType.PERSON else tgt.value
        row["Platform"] = next((e.platform for e in (src, tgt) if e.platform), "") or ""
        row["Link Label"] = lk.relation.value.replace("_", " ")
        row["Link Reasons"] = " | ".join(lk.reasons)
        row["Link Count"] = str(lk.count)
        w.writerow(row)
    return out.getvalue()
