"""A small two-case scenario (synthetic, benign) shared by the entity, graph and export tests."""

from __future__ import annotations

import random

from vigil.intel.extract import codecs, extract_identifiers
from vigil.intel.model import AccountSighting, PersonRecord, Sighting

UNITS = {"OP-A": "Unit North", "OP-B": "Unit South"}
WALLET = codecs.b58check_encode(0, random.Random(1).randbytes(20))

# (case, conversation, platform, message id, author, text)
MESSAGES = [
    ("OP-A", "c1", "snapchat", "1", "Bob_99", "call me on 07400 123456 or add me on snap: bob_99"),
    ("OP-A", "c1", "snapchat", "2", "Bob_99", f"send the money to {WALLET}"),
    ("OP-A", "c1", "snapchat", "3", "Bob_99", "my insta is bob.draws, @bob_99 is me too"),
    ("OP-A", "c1", "snapchat", "4", "persona_amy", "ok see you saturday at 3pm"),
    ("OP-A", "c2", "whatsapp", "1", "447400123456", "here is the link bit.ly/3AbCdEf"),
    ("OP-B", "d1", "instagram", "7", "bob.draws", "text me +44 7400 123456"),
    (
        "OP-B",
        "d1",
        "instagram",
        "8",
        "bob.draws",
        f"wallet {WALLET} and sort code 12-34-56 account 12345678",
    ),
    ("OP-B", "d1", "instagram", "9", "kid_kim", "my email is kim@example.org"),
]
ACCOUNTS = [
    AccountSighting("OP-A", "c1", "snapchat", "Bob_99", "Bob", UNITS["OP-A"]),
    AccountSighting("OP-A", "c1", "snapchat", "persona_amy", "Amy", UNITS["OP-A"]),
    AccountSighting("OP-A", "c2", "whatsapp", "447400123456@s.whatsapp.net", None, UNITS["OP-A"]),
    AccountSighting("OP-B", "d1", "instagram", "bob.draws", None, UNITS["OP-B"]),
    AccountSighting("OP-B", "d1", "instagram", "kid_kim", None, UNITS["OP-B"]),
]
PERSONS = [PersonRecord("OP-A", "S1", "Suspect One", (("snapchat", "bob_99"),), "suspect")]


def sightings() -> list[Sighting]:
    out = []
    for case, conv, platform, mid, author, text in MESSAGES:
        for ident in extract_identifiers(text):
            out.append(Sighting(case, conv, mid, author, ident, platform, UNITS[case]))
    return out
