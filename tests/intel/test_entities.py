"""Entity resolution: deterministic ids, merges with reasons, links, within and across cases."""

from __future__ import annotations

from tests.intel.scenario import ACCOUNTS, PERSONS, WALLET, sightings
from vigil.intel.entities import canonical_account, resolve
from vigil.intel.model import EntityType, Relation, make_id


def test_ids_are_deterministic_and_content_based() -> None:
    a = resolve(ACCOUNTS, sightings(), PERSONS)
    b = resolve(list(reversed(ACCOUNTS)), list(reversed(sightings())), PERSONS)
    assert set(a.entities) == set(b.entities)
    phone = make_id("phone", "", "+447400123456")
    assert a.entities[phone].value == "+447400123456"
    assert make_id("phone", "", "+447400123456") != make_id("phone", "", "+447400123457")


def test_same_number_written_two_ways_in_two_cases_is_one_entity() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    phones = res.of_type(EntityType.PHONE)
    assert [p.value for p in phones] == ["+447400123456"]
    assert phones[0].cases == {"OP-A", "OP-B"}
    (merge,) = [m for m in res.merges if m.entity_id == phones[0].id]
    assert merge.rule == "identical-value"
    assert "'07400 123456'" in merge.reason and "'+44 7400 123456'" in merge.reason
    assert "OP-A, OP-B" in merge.reason


def test_handle_mentioned_is_the_participant_account() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    snap = res.entities[make_id("account", "snapchat", "bob_99")]
    assert snap.label == "Snapchat: bob_99"
    rules = {m.rule for m in res.merges if m.entity_id == snap.id}
    assert "handle-is-participant" in rules
    insta = res.entities[make_id("account", "instagram", "bob.draws")]
    assert insta.cases == {"OP-A", "OP-B"}  # mentioned in A, takes part in B


def test_whatsapp_account_is_linked_to_its_phone_not_merged() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    assert canonical_account("whatsapp", "447400123456@s.whatsapp.net") == (
        "whatsapp", "+447400123456", "+447400123456"
    )  # fmt: skip
    wa = make_id("account", "whatsapp", "+447400123456")
    phone = make_id("phone", "", "+447400123456")
    link = res.links[(wa, phone, Relation.HAS_PHONE)]
    assert "keys accounts by phone number" in link.reasons[0]
    assert res.entities[wa].type is EntityType.ACCOUNT


def test_person_uses_account_and_bare_handle_is_only_possibly_same() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    person = make_id("person", "", "OP-A/S1")
    snap = make_id("account", "snapchat", "bob_99")
    assert (person, snap, Relation.USES) in res.links
    bare = make_id("account", "", "bob_99")
    link = res.links[(bare, snap, Relation.POSSIBLY_SAME)]
    assert "names no platform" in link.reasons[0]
    assert not any(m.entity_id == bare and m.rule == "handle-is-participant" for m in res.merges)


def test_mentions_carry_reason_author_and_message_reference() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    wallet = make_id("wallet", "bitcoin", WALLET)
    author = make_id("account", "snapchat", "bob_99")
    link = res.links[(author, wallet, Relation.MENTIONED)]
    assert "base58check checksum verified" in link.reasons[0]
    assert "written by Snapchat: bob_99" in link.reasons[0]
    assert [(e.case_ref, e.conversation_id, e.message_id) for e in link.evidence] == [
        ("OP-A", "c1", "2")
    ]


def test_money_and_meeting_times_are_not_entities() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    assert {e.type for e in res.entities.values()} <= set(EntityType)
    assert not [e for e in res.entities.values() if "saturday" in e.value]
