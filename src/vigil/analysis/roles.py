"""Who said it: participant sides from case data, or inferred from what each one says."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ADULT, CHILD, UNKNOWN = "adult", "child", "unknown"

# Roles from case data and the side of the conversation they are on.
ROLE_SIDE: dict[str, str] = {
    "suspect": ADULT,
    "third_party": ADULT,
    "child": CHILD,
    "officer_persona": CHILD,  # an undercover officer poses as the child
}

ADULT_TAGS = frozenset(
    {
        "age_question", "location_question", "school_question", "real_check", "flattery",
        "secrecy", "delete_request", "exclusivity", "supervision_check", "alone_check",
        "isolation", "gift_offer", "payment_offer", "game_currency", "job_offer",
        "image_request", "camera_request", "sexual_question", "reframing", "compliance_test",
        "meeting_proposal", "pickup_offer", "travel_payment", "threat", "sextortion",
        "access_offer", "price_negotiation", "police_check",
    }
)  # fmt: skip
ADDRESSED_AS_CHILD = frozenset({"supervision_check", "alone_check", "isolation", "school_question"})
AGE = re.compile(r"\b(\d{1,2})\b")
CHILD_AGE_LIMIT = 16


@dataclass(frozen=True, slots=True)
class Cue:
    """What one finding says about its speaker: (speaker, tags, quote, message seq)."""

    speaker: str
    tags: tuple[str, ...]
    quote: str
    seq: int


@dataclass(slots=True)
class SideInference:
    platform_id: str
    side: str
    source: str  # "case data" | "inferred" | "none"
    reasons: list[str] = field(default_factory=list)


def infer_sides(
    participants: Iterable[str], known: Mapping[str, str], cues: Sequence[Cue]
) -> dict[str, SideInference]:
    """Each participant's side, with the reasons: case data first, then inference."""
    out: dict[str, SideInference] = {}
    adult: dict[str, list[str]] = {}
    child: dict[str, list[str]] = {}
    for c in cues:
        tags = set(c.tags)
        if "age_disclosure" in tags:
            ages = [int(a) for a in AGE.findall(c.quote)]
            if ages and min(ages) < CHILD_AGE_LIMIT:
                child.setdefault(c.speaker, []).append(
                    f"message {c.seq}: states an age under {CHILD_AGE_LIMIT} ({c.quote!r})"
                )
            elif ages and min(ages) >= 18:
                adult.setdefault(c.speaker, []).append(
                    f"message {c.seq}: states an adult age ({c.quote!r})"
                )
        for t in sorted(tags & ADULT_TAGS):
            adult.setdefault(c.speaker, []).append(
                f"message {c.seq}: {t.replace('_', ' ')} ({c.quote!r})"
            )
    people = list(dict.fromkeys(participants))
    for pid in people:
        role = known.get(pid)
        if role in ROLE_SIDE:
            out[pid] = SideInference(pid, ROLE_SIDE[role], "case data", [f"recorded as {role}"])
            continue
        a, ch = adult.get(pid, []), child.get(pid, [])
        if len(ch) > 0 and len(ch) >= len(a):
            out[pid] = SideInference(pid, CHILD, "inferred", ch[:5])
        elif len(a) >= 2 and len(a) > len(ch):
            out[pid] = SideInference(pid, ADULT, "inferred", a[:5])
        else:
            out[pid] = SideInference(pid, UNKNOWN, "none", ["not enough to infer"])
    if len(people) == 2:
        p, q = people
        for x, y in ((p, q), (q, p)):  # addressed as a child living with parents
            said = {t for c in cues if c.speaker == y for t in c.tags} & ADDRESSED_AS_CHILD
            if out[x].side == UNKNOWN and len(said) >= 2:
                out[x] = SideInference(
                    x, CHILD, "inferred",
                    [f"{y} addresses them as a child living with parents ({', '.join(sorted(said))})"],
                )  # fmt: skip
        # the other person talking with a child is on the adult side
        for x, y in ((p, q), (q, p)):
            if out[x].side == UNKNOWN and out[y].side == CHILD:
                out[x] = SideInference(
                    x,
                    ADULT,
                    "inferred",
                    [f"the other person in a two-person chat with {y} (child side)"],
                )
    return out
