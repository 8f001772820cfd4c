"""Scoring from findings: speaker sides, urgency flags, stage timeline, risk ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.analysis.test_scanner import LowerNormaliser

from vigil.analysis.assess import MsgView, assess
from vigil.analysis.rules import Rule
from vigil.analysis.scanner import Scanner


def rule(
    i: str, cat: str, pat: str, tags: tuple[str, ...], stage: str, w: float, speaker: str = "adult"
) -> Rule:
    return Rule(i, cat, cat, pat, w, stage, "", tags, speaker, f"{cat} cue")


RULES = [
    rule("age_q", "age_identity_probing", r"\bhow old are you\b", ("age_question",), "friendship_forming", 0.5),
    rule("age_d", "age_identity_probing", r"\bi(?:'m| am) \d{1,2}\b", ("age_disclosure",), "friendship_forming", 0.3, "child"),
    rule("secret", "secrecy_exclusivity", r"\bdon'?t tell (?:your|ur) (?:mum|parents)\b", ("secrecy",), "exclusivity", 0.8),
    rule("alone", "supervision_risk_assessment", r"\bare (?:your|ur) parents home\b", ("supervision_check",), "risk_assessment", 0.7),
    rule("meet", "meeting_travel", r"\bcan we meet\b", ("meeting_proposal",), "conclusion_meeting", 0.9),
    rule("when", "meeting_travel", r"\bsaturday at \d{1,2}\b", ("time_reference",), "conclusion_meeting", 0.6, "any"),
    rule("gift", "gifts_inducements", r"\bbuy you a (?:phone|speaker)\b", ("gift_offer",), "relationship_forming", 0.7),
    rule("pay", "third_party_access", r"£\d+ (?:when|for) (?:i|we) meet (?:her|him)\b", ("access_offer", "price_negotiation"), "conclusion_meeting", 1.0),
]  # fmt: skip
SCANNER = Scanner([r.scan_pattern() for r in RULES], engine="python", normaliser=LowerNormaliser())
T0 = datetime(2026, 1, 1, 18, 0, tzinfo=UTC)


def run(lines: list[tuple[str, str]], roles: dict[str, str] | None = None, step: float = 5):
    msgs = [
        MsgView(i + 1, s, T0 + timedelta(minutes=step * i), t) for i, (s, t) in enumerate(lines)
    ]
    hits = SCANNER.scan([m.text for m in msgs])
    return assess(msgs, hits, RULES, roles or {}, msgs[-1].sent_at)


GROOMING = [
    ("a", "hey how old are you"),
    ("c", "i'm 13"),
    ("a", "are your parents home"),
    ("a", "i could buy you a phone"),
    ("a", "don't tell your mum about me"),
    ("a", "can we meet? saturday at 3 by the park"),
]


def test_grooming_conversation_scores_high_with_flags_and_timeline() -> None:
    a = run(GROOMING)
    assert a.sides["c"].side == "child" and a.sides["c"].source == "inferred"
    assert a.sides["a"].side == "adult"
    ids = [f.id for f in a.flags]
    assert ids[0] == "meeting" and set(ids) >= {"meeting", "gift_payment", "secrecy_supervision"}
    meeting = next(f for f in a.flags if f.id == "meeting")
    assert meeting.seqs == (6,)
    assert a.urgency == 3
    assert [e.stage for e in a.timeline][:2] == ["friendship_forming", "risk_assessment"]
    counted = {f.category for f in a.findings if f.counted and not f.context}
    assert len(counted) >= 5
    assert a.risk == 0.0  # assess lists the evidence; the fitted scorer sets the score
    assert all(f.quote for f in a.findings)


def test_cue_from_the_wrong_side_is_not_counted() -> None:
    a = run([("c", "how old are you"), ("c", "i'm 12"), ("a", "ok")])
    age_q = [f for f in a.findings if f.rule_id == "age_q"]
    assert age_q and not age_q[0].counted  # the child asking is not a grooming cue
    assert not [f for f in a.findings if f.counted and not f.context]


def test_no_child_evidence_lowers_urgency() -> None:
    lines = [(s, t.replace("i'm 13", "ok")) for s, t in GROOMING]
    assert run(GROOMING).urgency == 3
    without = run(lines)
    assert without.urgency == 2
    assert all("no child evidence" in f.reason for f in without.flags)
    persona = run(lines, roles={"c": "officer_persona"})
    assert persona.sides["c"].source == "case data"
    assert persona.urgency == 3


def test_weak_evidence_without_a_child_raises_no_urgency() -> None:
    a = run([("a", "can we meet? saturday at 3 by the park"), ("b", "sure")])
    assert [f.severity for f in a.flags] == [0]
    assert a.urgency == 0


def test_third_party_access_is_flagged_first() -> None:
    a = run([("p", "you can see her, £200 when we meet her"), ("x", "i'll buy you a speaker")])
    assert a.flags[0].id == "third_party_access"
    assert a.urgency == 3


def test_age_probing_counts_only_with_child_context() -> None:
    a = run([("a", "how old are you"), ("b", "old enough lol")])
    [f] = [f for f in a.findings if f.rule_id == "age_q"]
    assert not f.counted and "not counted" in f.reason
    assert a.flags == []
    b = run([("a", "how old are you"), ("b", "i'm 13"), ("a", "are your parents home")])
    assert next(f for f in b.findings if f.rule_id == "age_q").counted


def test_bare_age_answer_marks_the_child_side() -> None:
    a = run([("a", "how old are you"), ("c", "13, year 8"), ("a", "ok")])
    assert a.sides["c"].side == "child"
    assert "answering" in a.sides["c"].reasons[0]
    b = run([("a", "how old are you"), ("c", "15 minutes away"), ("a", "ok")])
    assert b.sides["c"].side != "child"
