"""Risk bands come from the YAML form (weights, thresholds, override rules), not from code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.cases import risk
from vigil.errors import ParseError, UserError
from vigil.services.casework.suspects import assess_suspect, create_suspect, show_suspect
from vigil.services.workspace import Workspace


@pytest.fixture(scope="module")
def form() -> risk.RiskForm:
    return risk.load_form()


def _weights(form: risk.RiskForm) -> dict[str, int]:
    return {q.id: q.weight for q in form.questions if q.type == "yes_no"}


def test_packaged_form_has_the_four_kirat_areas(form: risk.RiskForm) -> None:
    sections = {q.section for q in form.questions}
    assert sections == {
        "previous_sexual_offending",
        "access_to_children",
        "current_facilitators",
        "other_factors",
    }
    assert form.band_order == ["Low", "Medium", "High", "Very High"]


def test_no_answers_is_low(form: risk.RiskForm) -> None:
    r = risk.assess(form, {})
    assert r.score == 0 and r.band == "Low" and len(r.unanswered) == len(form.questions)


def test_band_follows_the_score_thresholds(form: risk.RiskForm) -> None:
    w = _weights(form)
    thresholds = dict(form.bands)
    # pick yes answers adding up to exactly the Medium threshold, without triggering rules
    answers: dict[str, bool | str] = {"prior_online_offence": True, "inducements": True}
    expected = w["prior_online_offence"] + w["inducements"]
    r = risk.assess(form, answers)
    assert r.score == expected
    band = next(b for b, m in form.bands if expected >= m)
    assert r.band == band
    assert thresholds["Medium"] <= expected < thresholds["High"]
    assert any("prior_online_offence" in x for x in r.reasons)


def test_choice_answers_carry_their_option_weight(form: risk.RiskForm) -> None:
    q = form.question("image_offending")
    r = risk.assess(form, {"image_offending": "category_a"})
    assert r.score == q.options["category_a"]


def test_override_rule_raises_the_band_with_its_reason(form: risk.RiskForm) -> None:
    r = risk.assess(form, {"meeting_arranged": True, "lives_with_child": True})
    w = _weights(form)
    assert r.score == w["meeting_arranged"] + w["lives_with_child"]
    assert r.score < dict(form.bands)["Very High"]
    assert r.band == "Very High"
    assert any("meeting_with_household_access" in x for x in r.reasons)


def test_bad_answers_are_refused(form: risk.RiskForm) -> None:
    with pytest.raises(UserError, match="no question"):
        risk.assess(form, {"shoe_size": True})
    with pytest.raises(UserError, match="one of"):
        risk.assess(form, {"image_offending": "category_z"})
    with pytest.raises(UserError, match="yes or no"):
        risk.parse_answer(form.question("lives_with_child"), "maybe")


def test_form_is_configurable_without_code(tmp_path: Path) -> None:
    custom = tmp_path / "form.yaml"
    custom.write_text(
        """
id: local-form
version: "7"
sections:
  - id: only
    questions:
      - {id: a, text: First factor, type: yes_no, weight: 5}
      - {id: b, text: Second factor, type: yes_no, weight: 1}
bands:
  - {band: Very High, min_score: 6}
  - {band: Medium, min_score: 5}
  - {band: Low, min_score: 0}
rules:
  - {id: b_alone, when_all: {b: true}, band_at_least: Medium, reason: b matters}
""",
        encoding="utf-8",
    )
    f = risk.load_form(custom)
    assert risk.assess(f, {"a": True}).band == "Medium"
    assert risk.assess(f, {"a": True, "b": True}).band == "Very High"
    assert risk.assess(f, {"b": True}).band == "Medium"
    assert risk.assess(f, {}).band == "Low"


def test_broken_form_names_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: '1'\nsections: []\nbands:\n  - {band: Low, min_score: 3}\n")
    with pytest.raises(ParseError, match="bands"):
        risk.load_form(bad)


def test_assessment_is_stored_with_inputs_assessor_and_date(ws: Workspace) -> None:
    create_suspect(
        ws, "OP-TEST", "S-1", "Subject ONE", identifiers=[("snapchat", "screen_name", "abc")]
    )
    got = assess_suspect(
        ws, "S-1", {"meeting_arranged": True, "lives_with_child": True}, "DS Assessor"
    )
    info = show_suspect(ws, "S-1")
    [stored] = info.assessments
    assert stored.band == got.band == "Very High"
    assert stored.answers == {"meeting_arranged": True, "lives_with_child": True}
    assert stored.assessor == "DS Assessor" and stored.assessed_at == got.assessed_at
    assert info.band == "Very High"
    assert json.dumps(stored.reasons)  # reasons kept as a list of strings
