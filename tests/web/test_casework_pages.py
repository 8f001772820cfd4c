"""Case-work sections on the case page, and the personas page: need to know holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CASE, OTHER, WebWorld
from tests.web.seed import sign_in
from vigil.errors import AccessDenied

pytest.importorskip("vigil.services.casework.personas", reason="case-work services not installed")

#: What only members of OP-WEB may see, and what only members of OP-OTHER may see.
OURS = ["S-CW-1", "Subject one (test)", "sk8r_test_handle", "C-CW-1", "AUTH-CW-1", "P-CW-1"]
THEIRS = ["S-OTH-1", "other_test_handle", "C-OTH-1", "AUTH-OTH-1", "P-OTH-1"]


def seed_casework(world: WebWorld) -> None:
    """A small synthetic set of case-work records on both cases (idempotent per workspace).

    In Oct 2022 - Sep 2023: two arrests, two children safeguarded, one 30-month custodial
    sentence (2.5 years, rounded half up to 3) and one suspended sentence (not counted).
    Outside it: an arrest in May 2021.
    """
    from vigil.services.casework.authorisations import grant_authorisation
    from vigil.services.casework.children import add_safeguarding, create_child
    from vigil.services.casework.operations import create_operation
    from vigil.services.casework.outcomes import Sentence, record_outcome
    from vigil.services.casework.personas import create_persona
    from vigil.services.casework.suspects import assess_suspect, create_suspect
    from vigil.services.casework.units import create_unit, list_units

    ws = world.ws
    if any(u.code == "UCW" for u in list_units(ws)):
        return
    create_unit(ws, "UCW", "Casework test unit", "team")
    create_operation(ws, "OP-CW", "Operation casework", "UCW", case_ref=CASE)
    create_operation(ws, "OP-CW2", "Operation other", "UCW", case_ref=OTHER)
    create_suspect(ws, CASE, "S-CW-1", "Subject one (test)", 1990,
                                     [("snapchat", "screen_name", "sk8r_test_handle")])  # fmt: skip
    assess_suspect(ws, "S-CW-1", {"prior_online_offence": True,
                                                    "regular_access": True}, "DC Test Assessor")  # fmt: skip
    create_suspect(ws, OTHER, "S-OTH-1", "Subject other (test)", None,
                                     [("discord", "screen_name", "other_test_handle")])  # fmt: skip
    create_child(ws, CASE, "C-CW-1", 13, "S-CW-1")
    add_safeguarding(ws, "C-CW-1", "social_care_referral", date(2022, 11, 5),
                                       "DC Test")  # fmt: skip
    add_safeguarding(ws, "C-CW-1", "strategy_meeting", date(2022, 11, 9),
                                       "DC Test")  # fmt: skip
    create_child(ws, OTHER, "C-OTH-1", 12, "S-OTH-1")
    add_safeguarding(ws, "C-OTH-1", "ceop_referral", date(2023, 2, 1), "DC X")
    rec = record_outcome
    rec(ws, "S-CW-1", "arrest", date(2023, 1, 10))
    rec(ws, "S-CW-1", "charge", date(2023, 1, 12))
    rec(ws, "S-CW-1", "conviction", date(2023, 6, 1))
    rec(ws, "S-CW-1", "sentence", date(2023, 7, 3),
        sentence=Sentence(custodial_months=30, notification_indefinite=True))  # fmt: skip
    rec(ws, "S-OTH-1", "arrest", date(2021, 5, 1))
    rec(ws, "S-OTH-1", "arrest", date(2023, 3, 1))
    rec(ws, "S-OTH-1", "sentence", date(2023, 8, 1),
        sentence=Sentence(custodial_months=12, suspended=True))  # fmt: skip
    granted = ws.now() - timedelta(days=27)  # a review falls due within the warning window
    for persona, auth, op in (
        ("P-CW-1", "AUTH-CW-1", "OP-CW"),
        ("P-OTH-1", "AUTH-OTH-1", "OP-CW2"),
    ):
        create_persona(ws, persona, "Sam", 13, "UCW", [("snapchat", persona)])
        grant_authorisation(ws, auth, persona, "chis", "Supt Grey",
                                              "superintendent", granted, operation_ref=op)  # fmt: skip


Getter = Callable[[str, bool], TestClient]


@pytest.fixture(scope="module")
def client_for(world: WebWorld) -> Getter:
    """A signed-in client per (role, member), made once per module (a TOTP code works once)."""
    seed_casework(world)
    made: dict[tuple[str, bool], TestClient] = {}

    def get(role: str, member: bool) -> TestClient:
        if (role, member) not in made:
            acc = world.accounts[(role, member)]
            c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret, step=1)
            c.follow_redirects = False
            made[(role, member)] = c
        return made[(role, member)]

    return get


def test_case_page_shows_casework_to_a_member(client_for: Getter) -> None:
    r = client_for("investigator", True).get(f"/cases/{CASE}")
    assert r.status_code == 200
    html = r.text
    for text in OURS[:5]:
        assert text in html, text
    assert "DC Test Assessor" in html  # the latest assessment's assessor
    assert "30 months custody" in html and "notification indefinite" in html
    assert "2022-11-05" in html  # the first safeguarding action's date
    assert "Referral to children" in html  # the action's label from the vocabulary
    # the timeline carries the outcomes and safeguarding actions
    timeline = html.split('class="timeline"', 1)[1]
    assert "Arrest: suspect S-CW-1" in timeline and "child C-CW-1" in timeline
    for text in THEIRS:
        assert text not in html, text


def test_case_api_carries_the_sections(client_for: Getter) -> None:
    r = client_for("analyst", True).get(f"/api/v1/cases/{CASE}")
    assert r.status_code == 200
    keys = {s["key"]: s for s in r.json()["sections"]}
    assert {"suspects", "children", "outcomes"} <= set(keys)
    row = keys["suspects"]["data"]["rows"][0]
    assert row["ref"] == "S-CW-1" and row["band"] and row["assessor"] == "DC Test Assessor"


@pytest.mark.parametrize("role", ["investigator", "supervisor", "analyst"])
def test_case_page_refused_to_a_non_member_without_content(client_for: Getter, role: str) -> None:
    r = client_for(role, False).get(f"/cases/{CASE}")
    assert r.status_code == 403
    for text in OURS:
        assert text not in r.text, text


def test_auditor_member_does_not_get_casework_sections(client_for: Getter) -> None:
    r = client_for("auditor", True).get(f"/cases/{CASE}")
    assert r.status_code == 403
    assert "S-CW-1" not in r.text


def test_personas_page_is_need_to_know(client_for: Getter) -> None:
    ours = client_for("investigator", True).get("/personas")
    assert ours.status_code == 200
    assert "P-CW-1" in ours.text and "AUTH-CW-1" in ours.text and "OP-CW" in ours.text
    assert "review" in ours.text.lower()  # the warning of a review falling due
    assert "AUTH-OTH-1" not in ours.text and "P-OTH-1" not in ours.text
    theirs = client_for("investigator", False).get("/personas")
    assert theirs.status_code == 200
    assert "AUTH-OTH-1" in theirs.text and "AUTH-CW-1" not in theirs.text


def test_personas_api_matches_the_page(client_for: Getter) -> None:
    rows = client_for("supervisor", True).get("/api/v1/personas").json()
    assert [p["ref"] for p in rows] == ["P-CW-1"]
    auth = rows[0]["authorisations"][0]
    assert auth["ref"] == "AUTH-CW-1" and auth["case_ref"] == CASE
    assert auth["next_review_due"] and auth["expires_at"] and auth["warnings"]


def test_case_personas_reads_only_the_case_and_matches_my_personas(
    world: WebWorld, client_for: Getter
) -> None:
    """The case page's personas section is what the personas page lists for the case, read
    for the case alone (with a second authorisation, cancelled, to cover more states)."""
    from vigil.services.access import get_user as user_row
    from vigil.services.access import principal_of
    from vigil.services.casework.authorisations import cancel_authorisation, grant_authorisation
    from vigil.services.casework.sections import case_personas, my_personas

    ws = world.ws
    if "AUTH-CW-2" not in {a.ref for p in my_personas(ws, _admin(world)) for a in p.authorisations}:
        at = ws.now() - timedelta(days=60)
        grant_authorisation(ws, "AUTH-CW-2", "P-CW-1", "directed_surveillance", "Supt Grey",
                            "superintendent", at, operation_ref="OP-CW")  # fmt: skip
        cancel_authorisation(ws, "AUTH-CW-2", "Supt Grey", at + timedelta(days=5), "ended")
    for role in ("investigator", "supervisor", "disclosure_officer", "analyst"):
        with ws.sessions() as s:
            user = principal_of(user_row(s, world.accounts[(role, True)].username), "test")
        fast = case_personas(ws, user, CASE)
        slow = [
            replace(p, authorisations=[a for a in p.authorisations if a.case_ref == CASE])
            for p in my_personas(ws, user)
        ]
        assert fast == [p for p in slow if p.authorisations], role
        with pytest.raises(AccessDenied):  # not on the other case: refused, as before
            case_personas(ws, user, OTHER)
    assert any(len(p.authorisations) == 2 for p in case_personas(ws, _admin(world), CASE))


def _admin(world: WebWorld) -> Any:
    from vigil.services.access import get_user as user_row
    from vigil.services.access import principal_of

    with world.ws.sessions() as s:
        return principal_of(user_row(s, world.accounts[("supervisor", True)].username), "t")
