"""Findings, who said what, stage timeline and urgency flags: everything a score is built from.

Pure: takes messages, scanner hits and rules; returns an :class:`Assessment`. The score itself
is not set here: :mod:`vigil.analysis.score` turns the findings into features and weighs them
with weights fitted on labelled data (``risk`` stays 0 until it does). A score is a lead for a
trained person, never a verdict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise

from vigil.analysis.roles import ADULT, CHILD, UNKNOWN, Cue, SideInference, infer_sides
from vigil.analysis.rules import OCONNELL_STAGES, WEAK_TAGS, Rule
from vigil.analysis.scanner import Hit

MIN_STRONG_CATEGORIES = 2
"""Without a child in view, a flag keeps any urgency only with strong cues of this many categories."""
ANSWER_WINDOW = 3  # messages after an age question in which a bare age counts as the answer
_NUMBER_WORDS = (
    "nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
)
AGE_ANSWER = re.compile(
    r"^\W*(?:i'?m |im |i am )?(?:only |just |nearly |almost |like )?(\d{1,2}|"
    + _NUMBER_WORDS
    + r")"
    r"(?: ?(?:yrs?|years?(?: old)?|yo|y/o))?(?: ?(?:[fm]|girl|boy|female|male))?"
    r"(?:\W{0,3}(?:in )?(?:year|yr|grade) \d{1,2})?"
    r"\W*(?:(?:and |n )?(?:u|you|wbu|hbu|lol|haha|why)\W*)?$",
    re.IGNORECASE,
)
SCHOOL_YEAR_ANSWER = re.compile(
    r"^\W*(?:i'?m in |im in |in )?(?:year|yr|grade) (\d{1,2})\b", re.IGNORECASE
)
AGE_TRIGGERS = frozenset({"age_question", "age_disclosure", "identity_claim", "school_question"})
_WORD_AGES = {w: i for i, w in enumerate(_NUMBER_WORDS.split("|"), start=9)}
FLAG_WINDOW = 3  # messages either side within which a meeting and its time or place pair up


@dataclass(frozen=True, slots=True)
class MsgView:
    seq: int
    sender: str | None
    sent_at: datetime | None
    text: str
    is_system: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    category: str
    seq: int
    start: int
    end: int
    quote: str
    tags: tuple[str, ...]
    stage: str
    weight: float
    sender: str | None
    side: str
    counted: bool
    reason: str
    context: bool = False  # a cue that tells who someone is (e.g. a child stating an age), not risk


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    label: str
    severity: int  # 3 act now, 2 high, 1 elevated
    seqs: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class StageEntry:
    stage: str
    seq: int
    sent_at: datetime | None
    rule_id: str
    quote: str


@dataclass(frozen=True, slots=True)
class Component:
    value: float
    explanation: str


@dataclass(slots=True)
class Assessment:
    risk: float
    urgency: int
    flags: list[Flag] = field(default_factory=list)
    timeline: list[StageEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sides: dict[str, SideInference] = field(default_factory=dict)
    components: dict[str, Component] = field(default_factory=dict)


FLAG_RULES: tuple[tuple[str, str, int, frozenset[str]], ...] = (
    ("third_party_access", "third party offering access to a child", 3,
     frozenset({"access_offer", "price_negotiation"})),
    ("travel", "travel or pick-up offered", 3, frozenset({"pickup_offer", "travel_payment", "travel_offer"})),
    ("threat", "threats or sextortion", 3, frozenset({"threat", "sextortion"})),
    ("gift_payment", "gift or payment offered", 2,
     frozenset({"gift_offer", "payment_offer", "game_currency", "travel_payment", "livestream_payment", "job_offer"})),
    ("image_request", "image requests", 2, frozenset({"image_request", "camera_request"})),
)  # fmt: skip
SECRECY = frozenset({"secrecy", "delete_request", "exclusivity"})
SUPERVISION = frozenset({"supervision_check", "alone_check"})


def _counts(rule: Rule, side: str) -> bool:
    if rule.speaker == "adult":
        return side in (ADULT, UNKNOWN)
    if rule.speaker == "child":
        return side in (CHILD, UNKNOWN)
    return True


def _flags(counted: Sequence[Finding]) -> list[Flag]:
    adult = [f for f in counted if f.side != CHILD]
    out: list[Flag] = []
    proposals = [f for f in adult if "meeting_proposal" in f.tags]
    anchors = [f for f in adult if {"time_reference", "place_reference"} & set(f.tags)]
    anchors += [
        f
        for f in counted
        if f.side == CHILD and {"time_reference", "place_reference"} & set(f.tags)
    ]
    paired = sorted({
        s for p in proposals for a in anchors if abs(a.seq - p.seq) <= FLAG_WINDOW for s in (p.seq, a.seq)
    })  # fmt: skip
    if paired:
        out.append(
            Flag(
                "meeting",
                "meeting proposed with a time or place",
                3,
                tuple(paired),
                "a meeting is proposed and a time or place is given nearby",
            )
        )
    for fid, label, sev, tags in FLAG_RULES:
        seqs = sorted({f.seq for f in adult if tags & set(f.tags)})
        if seqs:
            out.append(Flag(fid, label, sev, tuple(seqs), f"{label}: {len(seqs)} message(s)"))
    sec = sorted({f.seq for f in adult if SECRECY & set(f.tags)})
    sup = sorted({f.seq for f in adult if SUPERVISION & set(f.tags)})
    if sec and sup:
        out.append(
            Flag(
                "secrecy_supervision",
                "secrecy together with supervision checks",
                2,
                tuple(sorted(set(sec) | set(sup))),
                "asks for secrecy and checks who is watching",
            )
        )
    return sorted(out, key=lambda f: (-f.severity, f.seqs[0]))


def _age_answers(messages: Sequence[MsgView], cues: Sequence[Cue]) -> list[Cue]:
    """A bare age (or UK school year) given straight after someone else's question about age
    or school, or after their own stated age, is an age disclosure."""
    out: list[Cue] = []
    pos = {m.seq: i for i, m in enumerate(messages)}
    done: set[int] = set()
    for c in cues:
        if not AGE_TRIGGERS & set(c.tags) or c.seq not in pos:
            continue
        i = pos[c.seq]
        for m in messages[i + 1 : i + 1 + ANSWER_WINDOW]:
            if m.sender is None or m.sender == c.speaker or m.seq in done:
                continue
            text = m.text.strip()
            age = 0
            if hit := AGE_ANSWER.match(text):
                raw = hit.group(1).lower()
                age = int(raw) if raw.isdigit() else _WORD_AGES.get(raw, 0)
            elif hit := SCHOOL_YEAR_ANSWER.match(text):
                age = int(hit.group(1)) + 5  # UK school year n is mostly age n+4 to n+5
            if age:
                done.add(m.seq)
                out.append(
                    Cue(m.sender, ("age_disclosure",), f"{text} (answering: age {age})", m.seq)
                )
                break
    return out


PROBING_TAGS = frozenset({"age_question", "location_question", "gender_question", "real_check"})
CHILD_CONTEXT_TAGS = frozenset(
    {"school_question", "school_mention", "supervision_check", "alone_check", "alone_mention"}
)
PROBING_NOTE = (
    " (not counted: adult chat rooms ask this all the time; it counts with a child's age, "
    "school or supervision context in the chat)"
)
_MINOR_AGE = re.compile(r"\b(?:[4-9]|1[0-5])\b")


def _probing_needs_context(
    findings: list[Finding], sides: Mapping[str, SideInference]
) -> list[Finding]:
    """Age and identity probing counts only when the chat holds some sign of a child."""
    probing = [i for i, f in enumerate(findings) if f.counted and PROBING_TAGS.issuperset(f.tags)]
    if not probing:
        return findings
    context = any(s.side == CHILD for s in sides.values()) or any(
        not CHILD_CONTEXT_TAGS.isdisjoint(f.tags)
        or ("age_disclosure" in f.tags and _MINOR_AGE.search(f.quote))
        for f in findings
    )
    if context:
        return findings
    out = list(findings)
    for i in probing:
        out[i] = replace(out[i], counted=False, reason=out[i].reason + PROBING_NOTE)
    return out


CHILD_REFERENCE_TAGS = frozenset({"access_offer", "price_negotiation"})


def _child_evidence(sides: Mapping[str, SideInference], counted: Sequence[Finding]) -> bool:
    """A child takes part, or one is being discussed (a third party offering access)."""
    return any(s.side == CHILD for s in sides.values()) or any(
        CHILD_REFERENCE_TAGS & set(f.tags) for f in counted
    )


def assess(
    messages: Sequence[MsgView],
    hits: Sequence[Sequence[Hit]],
    rules: Sequence[Rule],
    known_roles: Mapping[str, str],
    now: datetime | None = None,
) -> Assessment:
    """Assess one conversation. ``hits[i]`` are the scanner hits of ``messages[i]``."""
    raw: list[tuple[MsgView, Hit, Rule]] = [
        (m, h, rules[h.pattern])
        for m, hs in zip(messages, hits, strict=True)
        for h in hs
        if not m.is_system
    ]
    cues = [Cue(m.sender, r.tags, h.quote, m.seq) for m, h, r in raw if m.sender is not None]
    cues += _age_answers(messages, cues)
    people = [m.sender for m in messages if m.sender is not None]
    sides = infer_sides(people, known_roles, cues)
    findings: list[Finding] = []
    for m, h, r in raw:
        side = sides[m.sender].side if m.sender in sides else UNKNOWN
        findings.append(
            Finding(
                r.id,
                r.category,
                m.seq,
                h.start,
                h.end,
                h.quote,
                r.tags,
                r.stage,
                r.weight,
                m.sender,
                side,
                _counts(r, side),
                r.explanation,
                context=r.speaker == "child",
            )
        )
    findings = _probing_needs_context(findings, sides)
    counted = [f for f in findings if f.counted and not f.context]
    a = Assessment(risk=0.0, urgency=0, findings=findings, sides=sides)
    if not counted:
        return a
    times = {m.seq: m.sent_at for m in messages}
    timeline: dict[str, StageEntry] = {}
    for f in sorted(counted, key=lambda f: f.seq):
        if f.stage and f.stage not in timeline:
            timeline[f.stage] = StageEntry(f.stage, f.seq, times.get(f.seq), f.rule_id, f.quote)
    a.timeline = sorted(timeline.values(), key=lambda e: e.seq)
    a.components = _components(counted, a.timeline, times, now, sides)
    child = _child_evidence(sides, counted)
    a.flags = _flags(counted)
    if not child:  # without a child in view a flag is one level less urgent, or not at all
        strong = {f.category for f in counted if not set(f.tags) <= WEAK_TAGS}
        weak = len(strong) < MIN_STRONG_CATEGORIES
        a.flags = [
            Flag(
                f.id,
                f.label,
                0 if weak else f.severity - 1,
                f.seqs,
                "no child evidence in this chat, urgency lowered; " + f.reason,
            )
            for f in a.flags
        ]
    a.urgency = max((f.severity for f in a.flags), default=0)
    return a


def _components(
    counted: Sequence[Finding],
    timeline: Sequence[StageEntry],
    times: Mapping[int, datetime | None],
    now: datetime | None,
    sides: Mapping[str, SideInference],
) -> dict[str, Component]:
    cats = sorted({f.category for f in counted})
    stages = [e.stage for e in timeline if e.stage in OCONNELL_STAGES]
    order = [OCONNELL_STAGES.index(s) for s in stages]
    in_order = sum(1 for x, y in pairwise(order) if y > x)
    progression = len(set(stages)) / len(OCONNELL_STAGES)
    if len(order) > 1:
        progression *= 0.75 + 0.25 * in_order / (len(order) - 1)
    stamped = sorted(t for f in counted if (t := times.get(f.seq)) is not None)
    escalation = 0.0
    speed_text = "fewer than two stages, or no times"
    if len(set(stages)) >= 2 and len(stamped) >= 2:
        days = max((stamped[-1] - stamped[0]).total_seconds() / 86400, 1 / 24)
        per_day = (len(set(stages)) - 1) / days
        escalation = 1 - math.exp(-per_day / 2)
        speed_text = f"{len(set(stages))} stages over {days:.1f} day(s)"
    recency = 0.5
    rec_text = "no message times"
    if stamped and now is not None:
        age = max((now - stamped[-1]).total_seconds() / 86400, 0.0)
        recency = math.exp(-age / 14)
        rec_text = f"last counted cue {age:.1f} day(s) before the reference time"
    child = [s.platform_id for s in sides.values() if s.side == CHILD]
    return {
        "categories": Component(float(len(cats)), ", ".join(cats)),
        "progression": Component(progression, f"stages reached in order: {', '.join(stages)}"),
        "escalation": Component(escalation, speed_text),
        "recency": Component(recency, rec_text),
        "child_present": Component(1.0 if child else 0.0,
                                   f"child side: {', '.join(child)}" if child else "no evidence a child is in the chat"),
    }  # fmt: skip
