"""CyberTipline-shaped reports: parsing, and the import creating a case, referral, suspect."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from vigil.cases.cybertip import parse_cybertip
from vigil.errors import ParseError, UserError
from vigil.evidence import custody
from vigil.services.casework.referrals import import_cybertip
from vigil.services.casework.suspects import find_by_identifier, show_suspect
from vigil.services.evidence.exhibits import list_exhibits
from vigil.services.workspace import Workspace

SAMPLE = Path(__file__).parent / "fixtures" / "cybertip_sample.json"
BENIGN = [
    "benign test file one: a photo of a red bicycle",
    "benign test file two: a screenshot of a weather app",
]


def test_sample_hashes_are_of_benign_text() -> None:
    data = json.loads(SAMPLE.read_text())
    for f, text in zip(data["uploadedFiles"], BENIGN, strict=True):
        assert f["sha1"] == hashlib.sha1(text.encode()).hexdigest()
        assert f["md5"].lower() == hashlib.md5(text.encode()).hexdigest()


def test_parse_sample() -> None:
    tip = parse_cybertip(SAMPLE.read_bytes(), SAMPLE.name)
    assert tip.report_id == "990000123" and tip.platform == "example_chat"
    assert tip.incident_type.startswith("Online Enticement")
    [person] = tip.people
    kinds = sorted((i.kind, i.value) for i in person.identifiers)
    assert ("email", "reported.user@example.invalid") in kinds
    assert ("ip", "2001:db8::17") in kinds and ("user_id", "u-771203") in kinds
    assert [f.md5 for f in tip.files][1] == "614220bf40d7c6234e56f92f722dcff0"  # lower-cased


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.pop("reportId"), "reportId"),
        (lambda d: d["uploadedFiles"][0].update(md5="xyz"), "uploadedFiles[0].md5"),
        (
            lambda d: d["reportedPeople"][0]["ipCaptureEvents"][0].update(ipAddress="999.1.1.1"),
            "ipAddress",
        ),
        (lambda d: d["incidentSummary"].update(incidentDateTime="30/04/2023"), "incidentDateTime"),
    ],
)
def test_bad_reports_name_the_field(change: object, where: str) -> None:
    data = json.loads(SAMPLE.read_text())
    change(data)  # type: ignore[operator]
    with pytest.raises(ParseError, match=where.replace("[", r"\[").replace("]", r"\]")):
        parse_cybertip(json.dumps(data).encode(), "x.json")


def test_not_json_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not JSON"):
        parse_cybertip(b"\x00\x01", "x.json")


def test_import_creates_case_referral_suspect_and_exhibit(ws: Workspace) -> None:
    got = import_cybertip(ws, SAMPLE)
    assert got.case_ref == "CT-990000123"
    r = got.referral
    assert r.direction == "in" and r.partner_kind == "ncmec" and r.external_ref == "990000123"
    assert sorted(f[2] or "" for f in r.files) == sorted(
        hashlib.sha1(t.encode()).hexdigest() for t in BENIGN
    )
    [sref] = got.suspects
    s = show_suspect(ws, sref)
    assert s.case_ref == "CT-990000123"
    values = {(i.kind, i.value) for i in s.identifiers}
    assert {
        ("screen_name", "skater_dan_99"),
        ("phone", "+44 7700 900123"),
        ("ip", "198.51.100.23"),
    } <= values
    assert got.identifiers == len(s.identifiers) == 6
    exhibits = list_exhibits(ws, "CT-990000123")
    assert [e.sha256 for e in exhibits] == [hashlib.sha256(SAMPLE.read_bytes()).hexdigest()]
    with ws.sessions() as session:
        log = custody.all_entries(session, "CT-990000123")
    assert {"register", "create"} <= {e["action"] for e in log}
    assert find_by_identifier(ws, "skater_dan_99")[0].ref == sref


def test_import_twice_is_refused(ws: Workspace) -> None:
    import_cybertip(ws, SAMPLE)
    with pytest.raises(UserError, match="already imported"):
        import_cybertip(ws, SAMPLE)


def test_import_into_an_existing_case(ws: Workspace) -> None:
    got = import_cybertip(ws, SAMPLE, case_ref="OP-TEST")
    assert got.case_ref == "OP-TEST" and got.referral.case_ref == "OP-TEST"
