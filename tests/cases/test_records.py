"""Records: units and operations, suspects, children, offences, outcomes, referrals; every
create or update is on the custody log."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.errors import NotFound, UserError
from vigil.evidence import custody
from vigil.services.cases import create_case, show_case
from vigil.services.casework.children import add_safeguarding, create_child
from vigil.services.casework.offences import add_offence
from vigil.services.casework.operations import close_operation, create_operation, list_operations
from vigil.services.casework.outcomes import Sentence, list_outcomes, record_outcome
from vigil.services.casework.referrals import create_referral, list_referrals
from vigil.services.casework.suspects import add_identifier, create_suspect
from vigil.services.casework.units import create_unit, list_units
from vigil.services.workspace import Workspace


@pytest.fixture()
def tree(ws: Workspace) -> Workspace:
    create_unit(ws, "NAT", "National", "national")
    create_unit(ws, "R1", "Region 1", "region", "NAT")
    create_unit(ws, "R1-F1", "Force 1", "force", "R1")
    return ws


def _log(ws: Workspace) -> list[tuple[str, str, str]]:
    with ws.sessions() as s:
        return [(e["action"], e["object_type"], e["object_id"]) for e in custody.all_entries(s)]


def test_units_form_a_tree(tree: Workspace) -> None:
    units = {u.code: u for u in list_units(tree)}
    assert units["R1-F1"].path == "NAT > R1 > R1-F1"
    with pytest.raises(UserError, match="already exists"):
        create_unit(tree, "R1", "Again", "region")
    with pytest.raises(UserError, match="unknown unit kind"):
        create_unit(tree, "X", "X", "galaxy")
    with pytest.raises(NotFound):
        create_unit(tree, "X", "X", "force", "NOPE")


def test_operation_gives_its_case_a_unit(tree: Workspace) -> None:
    op = create_operation(tree, "OP-ALDER", "Operation Alder", "R1-F1", "OP-TEST", date(2024, 1, 2))
    assert op.case_ref == "OP-TEST" and op.unit == "R1-F1"
    assert show_case(tree, "OP-TEST").unit == "R1-F1"
    assert [o.ref for o in list_operations(tree, "NAT")] == ["OP-ALDER"]
    closed = close_operation(tree, "OP-ALDER", date(2024, 6, 1))
    assert closed.closed_on == date(2024, 6, 1)
    log = _log(tree)
    assert ("create", "operation", "OP-ALDER") in log and ("update", "operation", "OP-ALDER") in log
    assert ("create", "case_unit", "OP-TEST") in log


def test_children_and_safeguarding(ws: Workspace) -> None:
    create_suspect(ws, "OP-TEST", "S-1", "Subject ONE")
    c = create_child(ws, "OP-TEST", "CH-1", 13, "S-1")
    assert c.suspect == "S-1"
    add_safeguarding(ws, "CH-1", "strategy_meeting", date(2024, 2, 3), "DC W")
    c = add_safeguarding(ws, "CH-1", "social_care_referral", date(2024, 2, 1), "DC W")
    assert c.safeguarded_on == date(2024, 2, 1) and len(c.actions) == 2
    with pytest.raises(UserError, match="not a child's age"):
        create_child(ws, "OP-TEST", "CH-2", 19)
    with pytest.raises(UserError, match="unknown safeguarding action"):
        add_safeguarding(ws, "CH-1", "hug", date(2024, 2, 3), "DC W")
    log = _log(ws)
    assert ("create", "child", "CH-1") in log and log.count(("create", "safeguarding", "CH-1")) == 2


def test_offences_follow_the_taxonomy(ws: Workspace) -> None:
    create_suspect(ws, "OP-TEST", "S-1", "Subject ONE")
    o = add_offence(
        ws, "OP-TEST", "peer_to_peer", "distributing_images", suspect_ref="S-1", image_category="B",
        platforms=["Telegram", "P2P network"], principal=True,
    )  # fmt: skip
    assert o.platforms == ["p2p_network", "telegram"] and o.image_category == "B"
    with pytest.raises(UserError, match="needs an image category"):
        add_offence(ws, "OP-TEST", "peer_to_peer", "making_images", suspect_ref="S-1")
    with pytest.raises(UserError, match="not an image offence"):
        add_offence(ws, "OP-TEST", "grooming", "sexual_communication", image_category="A")
    with pytest.raises(UserError, match="unknown offence type"):
        add_offence(ws, "OP-TEST", "burglary", "sexual_communication")
    create_case(ws, "OP-B", "Another", None, "UTC")
    with pytest.raises(UserError, match="not in case"):
        add_offence(ws, "OP-B", "grooming", "sexual_communication", suspect_ref="S-1")


def test_outcomes_and_sentence_rules(ws: Workspace) -> None:
    create_suspect(ws, "OP-TEST", "S-1", "Subject ONE")
    record_outcome(ws, "S-1", "arrest", date(2023, 1, 5))
    s = Sentence(
        custodial_months=96,
        extended_licence_months=72,
        notification_indefinite=True,
        prevention_orders=["SHPO"],
    )
    got = record_outcome(ws, "S-1", "sentence", date(2023, 9, 1), sentence=s)
    assert got.sentence == s
    with pytest.raises(UserError, match="at most 24 months"):
        record_outcome(
            ws, "S-1", "sentence", date(2023, 9, 1), sentence=Sentence(30, suspended=True)
        )
    with pytest.raises(UserError, match="belong on a sentence"):
        record_outcome(ws, "S-1", "arrest", date(2023, 9, 1), sentence=Sentence(12))
    with pytest.raises(UserError, match="unknown prevention order"):
        record_outcome(
            ws,
            "S-1",
            "sentence",
            date(2023, 9, 1),
            sentence=Sentence(12, prevention_orders=["ASBO"]),
        )
    with pytest.raises(UserError, match="in the future"):
        record_outcome(ws, "S-1", "arrest", date(2999, 1, 1))
    kinds = [o.kind for o in list_outcomes(ws, suspect_ref="S-1")]
    assert kinds == ["arrest", "sentence"]
    assert _log(ws).count(("create", "outcome", "1")) == 1


def test_referrals_and_identifiers(ws: Workspace) -> None:
    create_referral(
        ws, "REF-1", "out", "industry", "Platform T&S", date(2024, 1, 1), case_ref="OP-TEST"
    )
    with pytest.raises(UserError, match="unknown partner kind"):
        create_referral(ws, "REF-2", "out", "astrologer", "X", date(2024, 1, 1))
    assert [r.ref for r in list_referrals(ws, "OP-TEST", "out")] == ["REF-1"]
    create_suspect(ws, "OP-TEST", "S-1", "Subject ONE")
    add_identifier(ws, "S-1", "Snapchat", "screen_name", "abc")
    with pytest.raises(UserError, match="already has"):
        add_identifier(ws, "S-1", "snapchat", "screen_name", "abc")
    with pytest.raises(NotFound, match="participant"):
        add_identifier(ws, "S-1", "snapchat", "user_id", "1", participant_id=999)
    assert ("update", "suspect", "S-1") in _log(ws)
