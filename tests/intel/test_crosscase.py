"""Cross-case hits: each case learns only the other case's reference and unit."""

from __future__ import annotations

import dataclasses

from tests.intel.scenario import ACCOUNTS, UNITS, WALLET, sightings
from vigil.intel.crosscase import Hit, cross_case_hits
from vigil.intel.extract.base import IdentifierKind


def test_hits_for_phone_wallet_and_account_in_both_cases() -> None:
    hits = cross_case_hits(sightings(), ACCOUNTS)
    found = {(h.case_ref, h.kind, h.platform, h.value) for h in hits}
    assert found == {
        ("OP-A", "phone", None, "+447400123456"), ("OP-B", "phone", None, "+447400123456"),
        ("OP-A", "wallet", "bitcoin", WALLET), ("OP-B", "wallet", "bitcoin", WALLET),
        ("OP-A", "account", "instagram", "bob.draws"), ("OP-B", "account", "instagram", "bob.draws"),
    }  # fmt: skip
    for h in hits:
        (other,) = h.others
        assert other.case_ref != h.case_ref
        assert other.unit == UNITS[other.case_ref]


def test_a_hit_cannot_carry_content() -> None:
    assert [f.name for f in dataclasses.fields(Hit)] == [
        "case_ref", "entity_id", "kind", "value", "platform", "others"
    ]  # fmt: skip
    texts = [s.identifier.raw for s in sightings()] + ["c1", "d1", "bob_99", "kid_kim"]
    for h in cross_case_hits(sightings(), ACCOUNTS):
        shown = repr(h) + h.notice()
        assert "message" not in repr(h).lower()
        for conv in ("'c1'", "'d1'", "'c2'"):
            assert conv not in shown
        assert "send the money" not in shown and "text me" not in shown
    assert texts  # the scenario did contain content that could have leaked


def test_notice_wording() -> None:
    (h,) = [h for h in cross_case_hits(sightings(), ACCOUNTS, for_case="OP-B") if h.kind == "phone"]
    assert h.notice() == (
        "phone +447400123456 also appears in a case held by Unit North (OP-A) — "
        "contact its officer in charge."
    )


def test_for_case_and_units_override() -> None:
    hits = cross_case_hits(sightings(), ACCOUNTS, for_case="OP-A", units={"OP-B": "Regional Hub"})
    assert {h.case_ref for h in hits} == {"OP-A"}
    assert {o.unit for h in hits for o in h.others} == {"Regional Hub"}


def test_identifiers_in_one_case_only_give_no_hit() -> None:
    only_a = [s for s in sightings() if s.case_ref == "OP-A"]
    assert cross_case_hits(only_a, [a for a in ACCOUNTS if a.case_ref == "OP-A"]) == []


def test_weak_identifiers_are_not_raised_by_default() -> None:
    s = sightings()
    a_url = next(x for x in s if x.identifier.kind is IdentifierKind.URL)
    copied = dataclasses.replace(a_url, case_ref="OP-B", unit=UNITS["OP-B"])
    assert not [h for h in cross_case_hits([*s, copied]) if h.kind == "url"]
    with_urls = cross_case_hits([*s, copied], kinds=[IdentifierKind.URL])
    assert {h.kind for h in with_urls} == {"url"}
