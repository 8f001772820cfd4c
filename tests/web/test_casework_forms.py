"""Case-work forms in the browser and their API twins: each records through the same service as
the command line, with a custody entry in the signed-in person's name; the rules' refusals show
on the form with what was typed kept; roles and cases outside need to know are refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import CASE, WebWorld
from tests.web.seed import csrf_of, sign_in
from tests.web.test_casework_pages import seed_casework
from vigil.db.tables.evidence import CustodyEntry
from vigil.services.access import create_token
from vigil.services.casework.authorisations import grant_authorisation
from vigil.services.casework.children import list_children
from vigil.services.casework.offences import list_offences
from vigil.services.casework.outcomes import list_outcomes
from vigil.services.casework.referrals import list_referrals
from vigil.services.casework.suspects import list_suspects, show_suspect

WORK = f"/cases/{CASE}/work"
Getter = Callable[[str, bool], TestClient]


@pytest.fixture(scope="module")
def client_for(world: WebWorld) -> Getter:
    """A signed-in client per (role, member), made once per module (a TOTP code works once)."""
    seed_casework(world)
    made: dict[tuple[str, bool], TestClient] = {}

    def get(role: str, member: bool) -> TestClient:
        if (role, member) not in made:
            acc = world.accounts[(role, member)]
            c = sign_in(TestClient(world.app), acc.username, acc.password, acc.secret)
            c.follow_redirects = False
            made[(role, member)] = c
        return made[(role, member)]

    return get


def _user(world: WebWorld, role: str, member: bool = True) -> str:
    return world.accounts[(role, member)].username


def post(c: TestClient, path: str, **fields: str) -> object:
    csrf = csrf_of(c.get("/account").text)
    return c.post(path, data={**fields, "csrf_token": csrf})


def entries(world: WebWorld, object_type: str, object_id: str | None = None) -> list[CustodyEntry]:
    with world.ws.sessions() as s:
        stmt = select(CustodyEntry).where(CustodyEntry.object_type == object_type)
        if object_id is not None:
            stmt = stmt.where(CustodyEntry.object_id == object_id)
        return list(s.execute(stmt.order_by(CustodyEntry.seq)).scalars())


def refused_on_form(r: object, form: str, *words: str) -> str:
    """The page re-rendered (400) with the form open, its error and the typed input."""
    assert r.status_code == 400, r.text[:500]
    html: str = r.text
    m = re.search(
        rf'<div class="form-error" role="alert" id="{form}-error">(.*?)</div>', html, re.S
    )
    assert m, f"no error on the {form} form"
    for w in words:
        assert w in html, w
    assert f'<details class="cw-form" id="{form}" open>' in html
    return m.group(1)


# --- opening a case ---------------------------------------------------------------------------


def test_new_case_from_the_browser(world: WebWorld, client_for: Getter) -> None:
    c = client_for("investigator", True)
    assert 'href="/cases/new"' in c.get("/cases").text
    assert c.get("/cases/new").status_code == 200
    r = post(c, "/cases/new", ref="OP-FORM-1", title="Browser-opened case", unit="", tz="UTC")
    assert r.status_code == 303 and r.headers["location"] == "/cases/OP-FORM-1"
    assert c.get("/cases/OP-FORM-1").status_code == 200  # the opener is a member
    [e] = [x for x in entries(world, "case", "OP-FORM-1") if x.action == "create"]
    assert e.actor == _user(world, "investigator")
    # the journey: the new case's work page, empty, and a referral recorded on it
    work = c.get("/cases/OP-FORM-1/work")
    assert work.status_code == 200 and 'id="referral-form"' in work.text
    assert "No suspect recorded." in work.text
    r = post(c, "/cases/OP-FORM-1/work/referrals", ref="REF-NEW-1", direction="out",
             partner_kind="ceop", partner="CEOP")  # fmt: skip
    assert r.status_code == 303
    assert [x.ref for x in list_referrals(world.ws, "OP-FORM-1")] == ["REF-NEW-1"]
    again = post(c, "/cases/new", ref="OP-FORM-1", title="Second try", tz="UTC")
    assert again.status_code == 400 and "already exists" in again.text
    assert 'value="Second try"' in again.text  # what was typed is kept
    bad_zone = post(c, "/cases/new", ref="OP-FORM-2", title="Zone", tz="Mars/Olympus")
    assert bad_zone.status_code == 400 and "unknown time zone" in bad_zone.text


@pytest.mark.parametrize("role", ["disclosure_officer", "auditor"])
def test_roles_that_may_not_open_cases(world: WebWorld, client_for: Getter, role: str) -> None:
    c = client_for(role, True)
    assert 'href="/cases/new"' not in c.get("/cases").text
    assert c.get("/cases/new").status_code == 403
    r = post(c, "/cases/new", ref=f"OP-NO-{role}", title="Not allowed", tz="UTC")
    assert r.status_code == 403
    assert not entries(world, "case", f"OP-NO-{role}")


# --- suspects and risk assessments ----------------------------------------------------------


def test_suspect_form(world: WebWorld, client_for: Getter) -> None:
    c = client_for("analyst", True)
    r = post(c, WORK + "/suspects", ref="S-FORM-1", label="Subject FORM", year_of_birth="1985",
             id_platform_1="Snapchat", id_kind_1="screen_name", id_value_1="form_test_handle")  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("?saved=suspect#suspect")
    s = show_suspect(world.ws, "S-FORM-1")
    assert s.case_ref == CASE and s.identifiers[0].platform == "snapchat"
    [e] = entries(world, "suspect", "S-FORM-1")
    assert e.actor == _user(world, "analyst") and e.case_ref == CASE
    page = c.get(WORK + "?saved=suspect").text
    assert "Suspect recorded." in page and "form_test_handle" in page
    bad = post(c, WORK + "/suspects", ref="S-FORM-2", label="Subject TWO",
               id_platform_1="snapchat", id_kind_1="shoe_size", id_value_1="x")  # fmt: skip
    refused_on_form(bad, "suspect", "unknown identifier kind", 'value="Subject TWO"')
    assert "S-FORM-2" not in [x.ref for x in list_suspects(world.ws, CASE)]


def test_assessment_form(world: WebWorld, client_for: Getter) -> None:
    c = client_for("investigator", True)
    r = post(c, WORK + "/assessments", suspect="S-CW-1", assessor="DS Form",
             q_meeting_arranged="yes", q_lives_with_child="yes")  # fmt: skip
    assert r.status_code == 303
    last = show_suspect(world.ws, "S-CW-1").assessments[-1]
    assert last.assessor == "DS Form" and last.answers["meeting_arranged"] is True
    e = entries(world, "risk_assessment", "S-CW-1")[-1]
    assert e.actor == _user(world, "investigator") and "DS Form" in e.details
    # a suspect of another case is not found from this case's page
    other = post(c, WORK + "/assessments", suspect="S-OTH-1", assessor="DS Form",
                 q_meeting_arranged="yes")  # fmt: skip
    refused_on_form(other, "assessment", "no suspect &#39;S-OTH-1&#39; in case OP-WEB")
    assert not show_suspect(world.ws, "S-OTH-1").assessments


# --- children, offences, outcomes, referrals --------------------------------------------------


def test_child_and_safeguarding_forms(world: WebWorld, client_for: Getter) -> None:
    c = client_for("supervisor", True)
    assert (
        post(c, WORK + "/children", ref="C-FORM-1", age="12", suspect="S-CW-1").status_code == 303
    )
    child = next(x for x in list_children(world.ws, CASE) if x.ref == "C-FORM-1")
    assert child.age_at_time == 12 and child.suspect == "S-CW-1"
    assert entries(world, "child", "C-FORM-1")[0].actor == _user(world, "supervisor")
    old = post(c, WORK + "/children", ref="C-FORM-2", age="19")
    refused_on_form(old, "child", "not a child&#39;s age", 'value="C-FORM-2"')
    r = post(c, WORK + "/safeguarding", child="C-FORM-1", kind="strategy_meeting",
             on="2024-02-01", by="DC Form")  # fmt: skip
    assert r.status_code == 303
    child = next(x for x in list_children(world.ws, CASE) if x.ref == "C-FORM-1")
    assert [a.kind for a in child.actions] == ["strategy_meeting"]
    assert entries(world, "safeguarding", "C-FORM-1")[0].actor == _user(world, "supervisor")
    future = (world.ws.now() + timedelta(days=3)).date().isoformat()
    late = post(c, WORK + "/safeguarding", child="C-FORM-1", kind="other", on=future, by="DC Form")
    refused_on_form(late, "safeguarding", "is in the future")


def test_offence_form(world: WebWorld, client_for: Getter) -> None:
    c = client_for("investigator", True)
    before = len(list_offences(world.ws, CASE))
    r = post(c, WORK + "/offences", suspect="S-CW-1", offence_type="grooming",
             legal_form="sexual_communication", platforms="Snapchat, discord",
             principal="on", committed_from="2023-01-01", committed_to="2023-02-01")  # fmt: skip
    assert r.status_code == 303
    o = list_offences(world.ws, CASE)[-1]
    assert len(list_offences(world.ws, CASE)) == before + 1
    assert o.platforms == ["discord", "snapchat"] and o.principal
    assert entries(world, "offence", str(o.id))[0].actor == _user(world, "investigator")
    backwards = post(c, WORK + "/offences", offence_type="grooming",
                     legal_form="sexual_communication", committed_from="2023-03-01",
                     committed_to="2023-01-01")  # fmt: skip
    refused_on_form(backwards, "offence", "ends before it starts")


def test_outcome_form_applies_the_sentence_rules(world: WebWorld, client_for: Getter) -> None:
    c = client_for("analyst", True)
    too_long = post(c, WORK + "/outcomes", suspect="S-CW-1", kind="sentence", on="2024-01-05",
                    custodial_months="30", suspended="on")  # fmt: skip
    refused_on_form(too_long, "outcome", "at most 24 months", 'value="30"')
    not_sentence = post(c, WORK + "/outcomes", suspect="S-CW-1", kind="arrest",
                        on="2024-01-05", custodial_months="6")  # fmt: skip
    refused_on_form(not_sentence, "outcome", "belong on a sentence")
    typo = post(c, WORK + "/outcomes", suspect="S-CW-1", kind="arrest", on="0202-01-05")
    refused_on_form(typo, "outcome", "outside the years", 'value="0202-01-05"')
    r = post(c, WORK + "/outcomes", suspect="S-CW-1", kind="sentence", on="2024-01-05",
             custodial_months="18", suspended="on", order_SHPO="on")  # fmt: skip
    assert r.status_code == 303
    o = list_outcomes(world.ws, CASE)[-1]
    assert o.sentence is not None and o.sentence.custodial_months == 18
    assert o.sentence.suspended and o.sentence.prevention_orders == ["SHPO"]
    assert entries(world, "outcome", str(o.id))[0].actor == _user(world, "analyst")


def test_referral_form(world: WebWorld, client_for: Getter) -> None:
    c = client_for("investigator", True)
    r = post(c, WORK + "/referrals", ref="REF-FORM-1", direction="out", partner_kind="social_care",
             partner="Example County children's services", on="2024-03-01")  # fmt: skip
    assert r.status_code == 303
    [ref] = [x for x in list_referrals(world.ws, CASE) if x.ref == "REF-FORM-1"]
    assert ref.case_ref == CASE and ref.partner_kind == "social_care"
    [e] = entries(world, "referral", "REF-FORM-1")
    assert e.actor == _user(world, "investigator") and e.case_ref == CASE
    assert "REF-FORM-1" in c.get(WORK).text
    dup = post(c, WORK + "/referrals", ref="REF-FORM-1", direction="in", partner_kind="nca",
               partner="NCA")  # fmt: skip
    refused_on_form(dup, "referral", "already exists")
    unknown = post(c, WORK + "/referrals", ref="REF-FORM-2", direction="out",
                   partner_kind="astrologer", partner="X")  # fmt: skip
    refused_on_form(unknown, "referral", "unknown partner kind")


# --- authorisations ----------------------------------------------------------------------------


def test_authorisation_grant_review_and_cancel(world: WebWorld, client_for: Getter) -> None:
    c = client_for("supervisor", True)
    low = post(c, WORK + "/authorisations", ref="AUTH-FORM-1", persona="P-CW-1", kind="chis",
               operation="OP-CW", officer="Insp Low", rank="inspector")  # fmt: skip
    refused_on_form(low, "grant", "needs the rank superintendent", 'value="Insp Low"')
    elsewhere = post(c, WORK + "/authorisations", ref="AUTH-FORM-1", persona="P-CW-1",
                     kind="chis", operation="OP-CW2", officer="Supt A", rank="superintendent")  # fmt: skip
    refused_on_form(elsewhere, "grant", "no operation &#39;OP-CW2&#39; in case OP-WEB")
    r = post(c, WORK + "/authorisations", ref="AUTH-FORM-1", persona="P-CW-1", kind="chis",
             operation="OP-CW", officer="Supt A", rank="superintendent",
             granted_at="2026-01-05T09:30")  # fmt: skip
    assert r.status_code == 303
    [e] = entries(world, "authorisation", "AUTH-FORM-1")
    assert e.action == "create" and e.actor == _user(world, "supervisor")
    assert '"granted_at": "2026-01-05T09:30:00+00:00"' in e.details  # London in January: UTC
    html = c.get(WORK).text
    assert "AUTH-FORM-1" in html and "AUTH-OTH-1" not in html
    assert (
        post(c, WORK + "/authorisations/review", ref="AUTH-CW-1", reviewer="Supt A").status_code
        == 303
    )
    assert entries(world, "authorisation", "AUTH-CW-1")[-1].details.count("review_at") == 1
    theirs = post(c, WORK + "/authorisations/review", ref="AUTH-OTH-1", reviewer="Supt A")
    refused_on_form(theirs, "review", "no authorisation &#39;AUTH-OTH-1&#39;")
    done = post(c, WORK + "/authorisations/cancel", ref="AUTH-FORM-1", by="Supt A",
                reason="deployment ended")  # fmt: skip
    assert done.status_code == 303
    twice = post(c, WORK + "/authorisations/cancel", ref="AUTH-FORM-1", by="Supt A",
                 reason="again")  # fmt: skip
    refused_on_form(twice, "cancellation", "already cancelled")
    late = post(c, WORK + "/authorisations/review", ref="AUTH-FORM-1", reviewer="Supt A")
    refused_on_form(late, "review", "cannot review")


def test_relevant_source_renewal_rules(world: WebWorld, client_for: Getter) -> None:
    """The renewal the command line refuses (past 12 months without a chief constable and a
    prior judicial approval) is refused on the form, saying which rule; then made properly."""
    granted = world.ws.now() - timedelta(days=300)
    grant_authorisation(world.ws, "AUTH-RS-1", "P-CW-1", "relevant_source", "Supt Grey",
                        "superintendent", granted, operation_ref="OP-CW")  # fmt: skip
    c = client_for("investigator", True)
    r = post(c, WORK + "/authorisations/renew", ref="AUTH-RS-1", officer="Supt Grey",
             rank="superintendent")  # fmt: skip
    refused_on_form(r, "renewal", "Judicial Commissioner", 'value="Supt Grey"')
    approved = (world.ws.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    rank = post(c, WORK + "/authorisations/renew", ref="AUTH-RS-1", officer="Supt Grey",
                rank="superintendent", judicial_approved_at=approved, commissioner="Sir J")  # fmt: skip
    refused_on_form(rank, "renewal", "needs the rank chief_constable")
    ok = post(c, WORK + "/authorisations/renew", ref="AUTH-RS-1", officer="CC Black",
              rank="chief_constable", judicial_approved_at=approved, commissioner="Sir J")  # fmt: skip
    assert ok.status_code == 303
    e = entries(world, "authorisation", "AUTH-RS-1")[-1]
    assert e.action == "update" and e.actor == _user(world, "investigator")
    assert "chief_constable" in e.details


# --- who may record --------------------------------------------------------------------------


def test_read_only_role_sees_the_records_but_no_forms(world: WebWorld, client_for: Getter) -> None:
    c = client_for("disclosure_officer", True)
    page = c.get(WORK)
    assert page.status_code == 200 and "S-CW-1" in page.text and 'id="read-only"' in page.text
    assert '<form method="post" action="/cases/OP-WEB/work/' not in page.text
    r = post(c, WORK + "/suspects", ref="S-DISC-1", label="Not allowed")
    assert r.status_code == 403 and "S-CW-1" not in r.text
    assert "S-DISC-1" not in [s.ref for s in list_suspects(world.ws, CASE)]


READ_ONLY_POSTS = {
    "suspects": {"ref": "S-RO", "label": "Read only"},
    "assessments": {"suspect": "S-CW-1", "assessor": "DS RO", "q_meeting_arranged": "yes"},
    "children": {"ref": "C-RO", "age": "10"},
    "safeguarding": {"child": "C-CW-1", "kind": "other", "by": "DC RO"},
    "offences": {"offence_type": "grooming", "legal_form": "sexual_communication"},
    "outcomes": {"suspect": "S-CW-1", "kind": "arrest"},
    "referrals": {"ref": "REF-RO", "direction": "out", "partner_kind": "nca", "partner": "NCA"},
    "authorisations": {"ref": "AUTH-RO", "persona": "P-CW-1", "kind": "chis",
                       "operation": "OP-CW", "officer": "Supt RO", "rank": "superintendent"},
    "authorisations/review": {"ref": "AUTH-CW-1", "reviewer": "Supt RO"},
    "authorisations/renew": {"ref": "AUTH-CW-1", "officer": "Supt RO", "rank": "superintendent"},
    "authorisations/cancel": {"ref": "AUTH-CW-1", "by": "Supt RO", "reason": "read only"},
}  # fmt: skip


@pytest.mark.parametrize("path", sorted(READ_ONLY_POSTS))
def test_every_form_refuses_a_read_only_member(
    world: WebWorld, client_for: Getter, path: str
) -> None:
    user = _user(world, "disclosure_officer")
    with world.ws.sessions() as s:
        before = s.execute(select(CustodyEntry.seq).where(CustodyEntry.actor == user,
                           CustodyEntry.action.in_(["create", "update"]))).all()  # fmt: skip
    r = post(client_for("disclosure_officer", True), f"{WORK}/{path}", **READ_ONLY_POSTS[path])
    assert r.status_code == 403, r.text[:300]
    with world.ws.sessions() as s:
        after = s.execute(select(CustodyEntry.seq).where(CustodyEntry.actor == user,
                          CustodyEntry.action.in_(["create", "update"]))).all()  # fmt: skip
    assert after == before


@pytest.mark.parametrize("role", ["investigator", "supervisor"])
def test_non_member_is_refused_without_content(
    world: WebWorld, client_for: Getter, role: str
) -> None:
    c = client_for(role, False)
    assert c.get(WORK).status_code == 403
    r = post(c, WORK + "/referrals", ref=f"REF-OUT-{role}", direction="out",
             partner_kind="nca", partner="NCA")  # fmt: skip
    assert r.status_code == 403 and "S-CW-1" not in r.text and "Operation web test" not in r.text
    assert not entries(world, "referral", f"REF-OUT-{role}")


# --- the API twins ------------------------------------------------------------------------------


def test_api_twins(world: WebWorld, client_for: Getter) -> None:
    client_for("investigator", True)  # seeds the case work
    user = _user(world, "investigator")
    token, _ = create_token(world.ws, user, "casework")
    c = TestClient(world.app)
    h = {"Authorization": f"Bearer {token}"}
    r = c.post(f"/api/v1/cases/{CASE}/referrals", headers=h, json={
        "ref": "REF-API-1", "direction": "in", "partner_kind": "industry",
        "partner_name": "Example platform", "on": "2024-04-02"})  # fmt: skip
    assert r.status_code == 201 and r.json()["ref"] == "REF-API-1"
    assert entries(world, "referral", "REF-API-1")[0].actor == user
    bad = c.post(f"/api/v1/cases/{CASE}/outcomes", headers=h, json={
        "suspect": "S-CW-1", "kind": "sentence", "on": "2024-01-01",
        "sentence": {"custodial_months": 30, "suspended": True}})  # fmt: skip
    assert bad.status_code == 400 and "24 months" in bad.json()["detail"]
    work = c.get(f"/api/v1/cases/{CASE}/work", headers=h).json()
    assert "REF-API-1" in [x["ref"] for x in work["referrals"]]
    assert "AUTH-OTH-1" not in [a["ref"] for a in work["authorisations"]]
    made = c.post("/api/v1/cases", headers=h, json={"ref": "OP-API-1", "title": "By API"})
    assert made.status_code == 201 and made.json()["created_by"] == user
    reader, _ = create_token(world.ws, _user(world, "disclosure_officer"), "casework")
    refused = c.post(f"/api/v1/cases/{CASE}/suspects", headers={"Authorization": f"Bearer {reader}"},
                     json={"ref": "S-API-NO", "label": "No"})  # fmt: skip
    assert refused.status_code == 403
    assert "S-API-NO" not in [s.ref for s in list_suspects(world.ws, CASE)]
