"""The demo network as plain rows, generated deterministically from a seed (no database).

Arrests and children safeguarded are drawn month by month so that each segment of
``targets.yaml`` sums exactly; immediate custodial terms passed in the published periods are
then adjusted to sum exactly to the target months. Everything else (units, offences,
platforms, outcomes, assessments) follows ``profiles.yaml``. Covert records (personas,
authorisations, operations), referrals and observations are added by :mod:`.generate_covert`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from vigil.cases import risk
from vigil.cases.taxonomy import taxonomy
from vigil.demo import plan

Row = dict[str, Any]
VICTIM_TYPES = ("grooming", "contact", "familial_current", "familial_historic", "live_streaming")


@dataclass
class Network:
    """Rows per table; references between rows are list indices into the other lists."""

    seed: int
    as_of: date
    start: date
    end: date
    units: list[Row] = field(default_factory=list)
    cases: list[Row] = field(default_factory=list)
    suspects: list[Row] = field(default_factory=list)
    identifiers: list[Row] = field(default_factory=list)
    assessments: list[Row] = field(default_factory=list)
    offences: list[Row] = field(default_factory=list)
    outcomes: list[Row] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)
    actions: list[Row] = field(default_factory=list)
    operations: list[Row] = field(default_factory=list)
    personas: list[Row] = field(default_factory=list)
    authorisations: list[Row] = field(default_factory=list)
    reviews: list[Row] = field(default_factory=list)
    renewals: list[Row] = field(default_factory=list)
    referrals: list[Row] = field(default_factory=list)
    referral_files: list[Row] = field(default_factory=list)
    observations: list[Row] = field(default_factory=list)


def _rng(seed: int, stage: str) -> random.Random:
    return random.Random(f"vigil-demo:{seed}:{stage}")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def build_units(net: Network) -> dict[str, float]:
    """The national root, regions and forces; returns force code -> case-load weight."""
    rng = _rng(net.seed, "units")
    net.units.append(
        {
            "code": "NAT-DEMO",
            "name": "Demo national network (fictional)",
            "kind": "national",
            "parent": None,
        }
    )
    forces: dict[str, float] = {}
    for code, name, weight, n_forces in plan.profiles()["regions"]:
        net.units.append(
            {"code": code, "name": f"{name} (fictional)", "kind": "region", "parent": "NAT-DEMO"}
        )
        shares = [rng.uniform(0.6, 1.4) for _ in range(n_forces)]
        for i, share in enumerate(shares, start=1):
            fcode = f"{code}-F{i}"
            net.units.append(
                {
                    "code": fcode,
                    "name": f"Force {code[1:]}{chr(64 + i)} (fictional)",
                    "kind": "force",
                    "parent": code,
                }
            )
            forces[fcode] = weight * share / sum(shares)
    return forces


def _offence(
    net: Network,
    rng: random.Random,
    case: int,
    suspect: int,
    otype: str,
    arrest: date,
    principal: bool,
) -> None:
    tax = taxonomy()
    prof = plan.profiles()["offence_types"][otype]
    forms = tax.offence_types[otype].legal_forms
    form = (
        rng.choices(forms, weights=[3] + [1] * (len(forms) - 1))[0]
        if principal
        else rng.choice(forms)
    )
    category = (
        rng.choices("ABC", weights=[2, 3, 5])[0] if tax.legal_forms[form].image_offence else None
    )
    if otype == "familial_historic":
        start = date(rng.randint(1992, 2003), rng.randint(1, 12), 1)
        end = start + timedelta(days=rng.randint(30, 900))
        platforms = [_pick(rng, prof["platforms"])] if rng.random() < 0.3 else []
    else:
        start = arrest - timedelta(days=rng.randint(20, 240))
        end = arrest - timedelta(days=rng.randint(0, 14))
        n = 1 if rng.random() < 0.6 else 2
        platforms = sorted({_pick(rng, prof["platforms"]) for _ in range(n)})
    net.offences.append(
        {
            "case": case,
            "suspect": suspect,
            "offence_type": otype,
            "legal_form": form,
            "image_category": category,
            "principal": principal,
            "committed_from": start,
            "committed_to": max(start, end),
            "platforms": platforms,
        }
    )


def _assessment(
    net: Network, rng: random.Random, form: risk.RiskForm, suspect: int, otype: str, when: date
) -> None:
    victim = otype in VICTIM_TYPES
    answers: dict[str, bool | str] = {
        "prior_contact_offence": rng.random() < (0.12 if victim else 0.05),
        "prior_online_offence": rng.random() < 0.18,
        "prior_intelligence": rng.random() < 0.25,
        "lives_with_child": rng.random() < (0.35 if otype.startswith("familial") else 0.15),
        "regular_access": rng.random() < 0.2,
        "online_contact_with_child": rng.random() < (0.8 if otype == "grooming" else 0.2),
        "meeting_arranged": rng.random() < (0.3 if otype == "grooming" else 0.05),
        "inducements": rng.random() < (0.35 if otype in ("grooming", "live_streaming") else 0.08),
        "image_offending": rng.choices(
            ["none", "category_c_only", "category_b", "category_a"], weights=[3, 4, 2, 2]
        )[0],
        "substance_misuse": rng.random() < 0.12,
        "countermeasures": rng.random() < (0.4 if otype == "peer_to_peer" else 0.15),
        "mental_health_crisis": rng.random() < 0.06,
    }
    result = risk.assess(form, answers)
    net.assessments.append(
        {
            "suspect": suspect,
            "form_id": result.form_id,
            "form_version": result.form_version,
            "answers": answers,
            "score": result.score,
            "band": result.band,
            "reasons": result.reasons,
            "assessor": f"DS A-{rng.randint(100, 999)}",
            "assessed_at": when,
        }
    )


def _identifiers(
    net: Network, rng: random.Random, suspect: int, platforms: list[str], seen: date
) -> None:
    for p in platforms or ["email"]:
        handle = f"{plan.code_name(rng, 2).lower()}{rng.randint(10, 9999)}"
        net.identifiers.append(
            {
                "suspect": suspect,
                "platform": p,
                "kind": "screen_name",
                "value": handle,
                "first_seen": seen,
            }
        )
    if rng.random() < 0.3:
        net.identifiers.append(
            {
                "suspect": suspect,
                "platform": "sms",
                "kind": "phone",
                "value": f"+44 7700 900{rng.randint(0, 999):03d}",
                "first_seen": seen,
            }
        )
    if rng.random() < 0.25:
        ip = rng.choice(["192.0.2", "198.51.100", "203.0.113"]) + f".{rng.randint(1, 254)}"
        net.identifiers.append(
            {
                "suspect": suspect,
                "platform": platforms[0] if platforms else "email",
                "kind": "ip",
                "value": ip,
                "first_seen": seen,
            }
        )


def _justice(
    net: Network, rng: random.Random, case: int, suspect: int, otype: str, arrest: date
) -> None:
    """Arrest, then charge, conviction and sentence (or NFA) within the demo's window."""
    prof = plan.profiles()["offence_types"][otype]
    net.outcomes.append({"case": case, "suspect": suspect, "kind": "arrest", "on": arrest})
    if rng.random() > 0.82:
        nfa = arrest + timedelta(days=rng.randint(60, 360))
        if nfa <= net.end and rng.random() < 0.6:
            net.outcomes.append({"case": case, "suspect": suspect, "kind": "nfa", "on": nfa})
        return
    charge = arrest + timedelta(days=rng.randint(30, 240))
    if charge > net.end:
        return
    net.outcomes.append({"case": case, "suspect": suspect, "kind": "charge", "on": charge})
    if rng.random() > 0.9:
        return
    conviction = charge + timedelta(days=rng.randint(45, 270))
    if conviction > net.end:
        return
    net.outcomes.append({"case": case, "suspect": suspect, "kind": "conviction", "on": conviction})
    sentenced = conviction + timedelta(days=0 if rng.random() < 0.3 else rng.randint(14, 60))
    if sentenced > net.end:
        return
    row: Row = {"case": case, "suspect": suspect, "kind": "sentence", "on": sentenced}
    roll = rng.random()
    if roll < prof["custody"]:
        months = rng.lognormvariate(math.log(prof["median_months"]), 0.55)
        row.update(custodial_months=max(3, min(prof["max_months"], round(months))), suspended=False)
        row["extended"] = rng.random() < 0.08
    elif roll < prof["custody"] + (1 - prof["custody"]) * 0.6:
        row.update(custodial_months=rng.randint(4, 24), suspended=True)
    else:
        row.update(custodial_months=None, suspended=False)
    row["shpo"] = rng.random() < 0.6
    net.outcomes.append(row)


def finish_sentences(net: Network) -> None:
    """Adjust immediate custodial terms in the target periods to their exact sums, then set
    the licence and notification periods that follow from each final term."""
    rng = _rng(net.seed, "custody")
    for block in plan.targets()["custodial_months"]:
        lo, hi = block["period"]
        idx = [
            i
            for i, o in enumerate(net.outcomes)
            if o["kind"] == "sentence"
            and not o["suspended"]
            and o.get("custodial_months")
            and lo <= o["on"] <= hi
        ]
        months = plan.adjust_to_sum(
            rng, [net.outcomes[i]["custodial_months"] for i in idx], int(block["months"]), 1, 480
        )
        for i, m in zip(idx, months, strict=True):
            net.outcomes[i]["custodial_months"] = m
    for o in net.outcomes:
        if o["kind"] != "sentence":
            continue
        term = o.get("custodial_months")
        immediate = bool(term) and not o["suspended"]
        o["extended_licence_months"] = (
            rng.choice([36, 48, 60, 72, 96]) if immediate and o.pop("extended", False) else None
        )
        o.pop("extended", None)
        if term is None:
            o["notification_months"], o["notification_indefinite"] = 60, False
        elif term >= 30:
            o["notification_months"], o["notification_indefinite"] = None, True
        else:
            o["notification_months"], o["notification_indefinite"] = (
                (120 if term > 6 else 84),
                False,
            )
        o["prevention_orders"] = "SHPO" if o.pop("shpo", False) else None


def build_people(net: Network, forces: dict[str, float]) -> None:
    """Cases, suspects, offences, identifiers, assessments and outcomes, from monthly arrests."""
    rng = _rng(net.seed, "people")
    form = risk.load_form()
    types = {k: float(v["weight"]) for k, v in plan.profiles()["offence_types"].items()}
    region_of = {u["code"]: u["parent"] for u in net.units if u["kind"] == "force"}
    seq = 0
    for month, count in plan.monthly(_rng(net.seed, "arrests"), "arrests").items():
        open_cases: dict[tuple[str, str], int] = {}
        for _ in range(count):
            force, otype = _pick(rng, forces), _pick(rng, types)
            arrest = plan.day_in(rng, month)
            key = (force, otype)
            if key in open_cases and rng.random() < 0.2:
                case = open_cases[key]
            else:
                seq += 1
                created = arrest - timedelta(days=rng.randint(10, 180))
                net.cases.append(
                    {
                        "ref": f"UC-{region_of[force]}-{created.year}-{seq:05d}",
                        "title": f"{taxonomy().type_label(otype)} investigation {plan.code_name(rng)} (fictional)",
                        "unit": force,
                        "created": created,
                        "type": otype,
                    }
                )
                case = len(net.cases) - 1
                open_cases[key] = case
            suspect = len(net.suspects)
            net.suspects.append(
                {
                    "ref": f"S-{arrest.year}-{suspect + 1:05d}",
                    "case": case,
                    "label": f"Subject {plan.code_name(rng)}",
                    "year_of_birth": arrest.year - rng.randint(18, 70),
                    "type": otype,
                    "arrest": arrest,
                }
            )
            _offence(net, rng, case, suspect, otype, arrest, principal=True)
            if rng.random() < 0.3:
                _offence(net, rng, case, suspect, otype, arrest, principal=False)
            plats = net.offences[-1]["platforms"]
            _identifiers(net, rng, suspect, plats, net.offences[-1]["committed_from"])
            _assessment(
                net,
                rng,
                form,
                suspect,
                otype,
                net.cases[case]["created"] + timedelta(days=rng.randint(1, 9)),
            )
            _justice(net, rng, case, suspect, otype, arrest)
    finish_sentences(net)


def build_children(net: Network) -> None:
    """Children safeguarded month by month; every action of a child falls in one month."""
    rng = _rng(net.seed, "children")
    by_month: dict[plan.Month, list[int]] = {}
    for i, s in enumerate(net.suspects):
        if s["type"] in VICTIM_TYPES:
            by_month.setdefault((s["arrest"].year, s["arrest"].month), []).append(i)
    months = list(by_month)
    seq = 0
    for month, count in plan.monthly(_rng(net.seed, "children-months"), "children").items():
        near = [m for m in months if abs((m[0] * 12 + m[1]) - (month[0] * 12 + month[1])) <= 2]
        pool = [s for m in near for s in by_month[m]] or [s for m in months for s in by_month[m]]
        for _ in range(count):
            seq += 1
            suspect = rng.choice(pool)
            otype = net.suspects[suspect]["type"]
            age = rng.randint(4, 12) if otype.startswith("familial") else rng.randint(9, 17)
            child = len(net.children)
            first = plan.day_in(rng, month)
            net.children.append(
                {
                    "ref": f"CH-{month[0]}-{seq:05d}",
                    "case": net.suspects[suspect]["case"],
                    "suspect": suspect,
                    "age": age,
                }
            )
            n = rng.choices([1, 2, 3], weights=[55, 33, 12])[0]
            kinds = [
                rng.choices(
                    ["social_care_referral", "ceop_referral", "strategy_meeting", "other"],
                    weights=[6, 2, 1, 1],
                )[0]
            ]
            kinds += ["strategy_meeting", "other"][: n - 1]
            last_day = date(month[0], month[1], plan.month_days(month))
            for j, kind in enumerate(kinds):
                on = first if j == 0 else min(last_day, first + timedelta(days=rng.randint(0, 10)))
                net.actions.append(
                    {"child": child, "kind": kind, "on": on, "by": f"DC W-{rng.randint(100, 999)}"}
                )


def generate(seed: int, as_of: date) -> Network:
    """The whole demo network for ``seed`` (``as_of`` anchors the personas still deployed)."""
    from vigil.demo import generate_covert

    t = plan.targets()
    net = Network(seed=seed, as_of=as_of, start=t["start"], end=t["end"])
    forces = build_units(net)
    build_people(net, forces)
    build_children(net)
    generate_covert.build(net)
    return net
