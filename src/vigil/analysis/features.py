"""Finding features: what an assessed conversation's findings add up to, as named numbers.

Pure. The indicator score is a logistic model over these features whose weights are fitted on
labelled data (:mod:`vigil.analysis.weights`), so how much each finding counts is earned, not
set by hand. Every feature is built from findings you can list, and
:func:`finding_shares` says which findings each feature came from, so ``vigil explain`` can
show how much every finding added.

Features (all zero when nothing is found):

- ``cat.<category>``: log(1 + counted strong findings of the category);
- ``tag.<tag>``: log(1 + counted findings carrying the tag) (weak context cues count here only);
- ``ctx.minor_age`` / ``ctx.adult_age``: someone states an age under 16 / 18 or over;
- ``co.<a>+<b>``: both groups of cues occur (e.g. a minor's age with sexual escalation);
- ``stages``: share of O'Connell stages reached by strong findings;
- with speaker turns: ``who.child_present`` (:func:`child_evidence`), ``who.adult_share`` (share of counted findings said by the adult side) and
  ``who.turns`` (the chat has two or more senders).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from vigil.analysis.assess import Assessment, Finding, MsgView
from vigil.analysis.roles import ADULT, CHILD
from vigil.analysis.rules import OCONNELL_STAGES, WEAK_TAGS

AGE_NUMBER = re.compile(r"\b(\d{1,2})\b")
MINOR_AGE_LIMIT = 16
ADULT_AGE = 18

GROUPS: dict[str, frozenset[str]] = {
    "minor": frozenset({"minor_age"}),
    "sexual": frozenset({"sexual_question", "sexual_remark", "reframing"}),
    "meeting": frozenset({"meeting_proposal", "pickup_offer", "travel_payment", "travel_offer"}),
    "secrecy": frozenset({"secrecy", "delete_request", "exclusivity"}),
    "supervision": frozenset({"supervision_check", "alone_check", "police_check"}),
    "image": frozenset({"image_request", "camera_request"}),
    "gift": frozenset({"gift_offer", "payment_offer", "game_currency", "job_offer"}),
    "platform": frozenset({"platform_move", "phone_number_request"}),
}
"""Groups of tags whose co-occurrence is a feature (``minor`` is a derived tag: see below)."""

TAG_GROUP: dict[str, str] = {t: g for g, members in GROUPS.items() for t in members}

PAIRS: tuple[tuple[str, str], ...] = (
    ("minor", "sexual"),
    ("minor", "meeting"),
    ("minor", "image"),
    ("minor", "supervision"),
    ("meeting", "secrecy"),
    ("meeting", "supervision"),
    ("sexual", "supervision"),
    ("sexual", "meeting"),
    ("image", "secrecy"),
    ("gift", "meeting"),
    ("platform", "image"),
)


def stated_ages(findings: Iterable[Finding]) -> list[int]:
    """Ages stated in age-disclosure findings (the numbers in their quotes)."""
    out: list[int] = []
    for f in findings:
        if "age_disclosure" in f.tags:
            out.extend(int(a) for a in AGE_NUMBER.findall(f.quote))
    return out


def _cue_tags(f: Finding) -> set[str]:
    tags = set(f.tags)
    if "age_disclosure" in tags and any(
        a < MINOR_AGE_LIMIT for a in (int(x) for x in AGE_NUMBER.findall(f.quote))
    ):
        tags.add("minor_age")
    return tags


def counted(a: Assessment) -> list[Finding]:
    """The findings that count as risk (said by a side the cue matters from, not context)."""
    return [f for f in a.findings if f.counted and not f.context]


def is_weak(f: Finding) -> bool:
    """A weak context cue: every tag of it is in :data:`WEAK_TAGS`."""
    return set(f.tags) <= WEAK_TAGS


def child_evidence(a: Assessment) -> bool:
    """A child takes part (case data, a stated age, being addressed as a child), or a third
    party offers access to one."""
    return any(s.side == CHILD for s in a.sides.values()) or any(
        f.counted and {"access_offer", "price_negotiation"} & set(f.tags) for f in a.findings
    )


def feature_names(categories: Sequence[str], tags: Sequence[str]) -> list[str]:
    """Every feature name, in a fixed order, for a taxonomy's categories and tags."""
    names = [f"cat.{c}" for c in sorted(categories)]
    names += [f"tag.{t}" for t in sorted(tags)]
    names += ["ctx.minor_age", "ctx.adult_age"]
    names += [f"co.{a}+{b}" for a, b in PAIRS]
    names += ["stages", "who.child_present", "who.adult_share", "who.turns"]
    return names


def features(a: Assessment, messages: Sequence[MsgView]) -> dict[str, float]:
    """The non-zero features of one assessed conversation."""
    out: dict[str, float] = {}
    risk = counted(a)
    cats: dict[str, int] = {}
    tags: dict[str, int] = {}
    groups: set[str] = set()
    for f in risk:
        if not is_weak(f):  # a category counts its strong cues; weak cues count by tag
            cats[f.category] = cats.get(f.category, 0) + 1
        for t in f.tags:
            tags[t] = tags.get(t, 0) + 1
    for f in a.findings:  # context findings (a child stating an age) count for groups too
        if f.counted or f.context:
            groups.update(TAG_GROUP[t] for t in f.tags if t in TAG_GROUP)
            if "age_disclosure" in f.tags and "minor_age" in _cue_tags(f):
                groups.add("minor")
    for c, n in cats.items():
        out[f"cat.{c}"] = math.log1p(n)
    for t, n in tags.items():
        out[f"tag.{t}"] = math.log1p(n)
    ages = stated_ages(f for f in a.findings if f.counted or f.context)
    if any(x < MINOR_AGE_LIMIT for x in ages):
        out["ctx.minor_age"] = 1.0
    if any(x >= ADULT_AGE for x in ages):
        out["ctx.adult_age"] = 1.0
    for x, y in PAIRS:
        if x in groups and y in groups:
            out[f"co.{x}+{y}"] = 1.0
    stages = {f.stage for f in risk if f.stage in OCONNELL_STAGES and not is_weak(f)}
    if stages:
        out["stages"] = len(stages) / len(OCONNELL_STAGES)
    senders = {m.sender for m in messages if m.sender is not None and not m.is_system}
    if len(senders) >= 2:
        out["who.turns"] = 1.0
        if child_evidence(a):
            out["who.child_present"] = 1.0
        if risk:
            out["who.adult_share"] = sum(1 for f in risk if f.side == ADULT) / len(risk)
    return out


def finding_shares(a: Assessment, feats: Mapping[str, float]) -> dict[str, list[int]]:
    """For each feature, the indexes (into ``a.findings``) of the findings it was built from."""
    out: dict[str, list[int]] = {}
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(a.findings):
        is_risk = f.counted and not f.context
        if is_risk:
            strong = not is_weak(f)
            if strong:
                out.setdefault(f"cat.{f.category}", []).append(i)
            for t in f.tags:
                out.setdefault(f"tag.{t}", []).append(i)
            if strong and f.stage in OCONNELL_STAGES:
                out.setdefault("stages", []).append(i)
        if f.counted or f.context:
            ct = _cue_tags(f)
            if "minor_age" in ct:
                out.setdefault("ctx.minor_age", []).append(i)
            if "age_disclosure" in ct and any(
                int(x) >= ADULT_AGE for x in AGE_NUMBER.findall(f.quote)
            ):
                out.setdefault("ctx.adult_age", []).append(i)
            for g, members in GROUPS.items():
                if ct & members:
                    groups.setdefault(g, []).append(i)
    for x, y in PAIRS:
        if f"co.{x}+{y}" in feats:
            out[f"co.{x}+{y}"] = sorted(set(groups.get(x, []) + groups.get(y, [])))
    return {k: v for k, v in out.items() if k in feats}


_PLAIN = {
    "ctx.minor_age": "someone states an age under 16",
    "ctx.adult_age": "someone states an adult age",
    "stages": "share of grooming stages reached",
    "who.child_present": "a child takes part (case data, stated age, addressed as a child)",
    "who.adult_share": "share of the cues said by the adult side",
    "who.turns": "the chat has two or more senders",
}
_GROUP_WORDS = {
    "minor": "a child's age", "sexual": "sexual talk", "meeting": "a meeting",
    "secrecy": "secrecy", "supervision": "supervision checks", "image": "image requests",
    "gift": "gifts or money", "platform": "moving platform",
}  # fmt: skip


def describe(name: str, categories: Mapping[str, str], tags: Mapping[str, str]) -> str:
    """A feature in words for officers: ``cat.meeting_travel`` -> "Meeting and travel cues"."""
    kind, _, key = name.partition(".")
    if kind == "cat" and key in categories:
        return f"{categories[key]} cues"
    if kind == "tag" and key in tags:
        return str(tags[key]).removeprefix("weak cue: ")
    if kind == "co":
        a, _, b = key.partition("+")
        return f"{_GROUP_WORDS.get(a, a)} together with {_GROUP_WORDS.get(b, b)}"
    return _PLAIN.get(name, name.replace("_", " "))
