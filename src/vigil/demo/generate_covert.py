"""Demo rows for covert work and partners: operations, personas and their authorisations
(reviews, renewals with Judicial Commissioner approval, cancellations), referrals in and out,
and platform observations (indicator categories and migrations)."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta

from vigil.cases import authorisation as authrules
from vigil.demo import plan
from vigil.demo.generate import Network, Row, _rng

REVIEW_DAYS = 28


def _at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=UTC)


def build_operations(net: Network, rng: random.Random) -> None:
    """Undercover-led cases (most grooming, some live-streaming and contact) get an operation."""
    share = {"grooming": 0.5, "live_streaming": 0.4, "contact": 0.2}
    last_on: dict[int, date] = {}
    for o in net.outcomes:
        last_on[o["case"]] = max(last_on.get(o["case"], o["on"]), o["on"])
    for i, c in enumerate(net.cases):
        if rng.random() < share.get(c["type"], 0.0):
            closed = last_on.get(i)
            net.operations.append(
                {
                    "ref": f"OP-{plan.code_name(rng)}-{i + 1}",
                    "name": f"Operation {plan.code_name(rng, 2).title()} (fictional)",
                    "unit": c["unit"],
                    "case": i,
                    "opened_on": c["created"],
                    "closed_on": closed
                    if closed and closed < net.end - timedelta(days=90)
                    else None,
                }
            )


def _chain(net: Network, rng: random.Random, persona: int, start: date, stop: date | None) -> None:
    """A relevant-source authorisation from ``start``, reviewed every 28 days and renewed each
    year (Chief Constable, prior Judicial Commissioner approval) until ``stop`` or ``as_of``."""
    granted = _at(start)
    expires = authrules.add_months(granted, 12)
    auth = len(net.authorisations)
    row: Row = {
        "ref": f"AUTH-RS-{persona + 1:03d}-{start.year}",
        "persona": persona,
        "operation": None,
        "kind": "relevant_source",
        "urgent_oral": False,
        "officer": f"Supt P-{rng.randint(100, 999)}",
        "rank": "superintendent",
        "granted_at": granted,
        "review_every_days": REVIEW_DAYS,
        "judicial_approved_at": None,
        "judicial_commissioner": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "cancel_reason": None,
    }
    end = _at(stop) if stop else _at(net.as_of)
    t = granted
    overdue = stop is None and rng.random() < 0.15
    while True:
        nxt = t + timedelta(days=REVIEW_DAYS - rng.randint(0, 3))
        if nxt >= end or (overdue and nxt + timedelta(days=REVIEW_DAYS) >= end):
            break
        if nxt >= expires - timedelta(days=20):
            renewed_at = expires - timedelta(days=rng.randint(7, 19))
            if renewed_at >= end:
                break
            approved = renewed_at - timedelta(days=rng.randint(3, 12))
            new_expiry = authrules.add_months(expires, 12)
            net.renewals.append(
                {
                    "auth": auth,
                    "renewed_at": renewed_at,
                    "officer": f"CC R-{rng.randint(10, 99)}",
                    "rank": "chief_constable",
                    "previous": expires,
                    "new": new_expiry,
                    "judicial_approved_at": approved,
                    "judicial_commissioner": "Judicial Commissioner (demo)",
                }
            )
            row["judicial_approved_at"], row["judicial_commissioner"] = (
                approved,
                "Judicial Commissioner (demo)",
            )
            expires = new_expiry
        net.reviews.append({"auth": auth, "reviewed_at": nxt, "reviewer": row["officer"]})
        t = nxt
    if stop is not None:
        row.update(
            cancelled_at=min(_at(stop), expires - timedelta(hours=1)),
            cancelled_by=row["officer"],
            cancel_reason="deployment ended",
        )
    row["expires_at"] = expires
    net.authorisations.append(row)


def build_personas(net: Network, rng: random.Random) -> None:
    """Personas per region, each deployed under a chain of authorisations; about half are
    still deployed at ``as_of`` (so some reviews and expiries are due)."""
    regions = [u["code"] for u in net.units if u["kind"] == "region"]
    platforms = list(plan.profiles()["offence_types"]["grooming"]["platforms"])
    horizon = (net.as_of - date(2019, 1, 1)).days
    for region in regions:
        for _ in range(rng.randint(8, 14)):
            i = len(net.personas)
            name = plan.code_name(rng, 2).title()
            handles = [
                (p, f"{name.lower()}_{rng.randint(10, 99)}")
                for p in rng.sample(platforms, rng.randint(1, 3))
            ]
            officers = [
                (f"DS C-{rng.randint(1000, 9999)}", "controller"),
                (f"DC O-{rng.randint(1000, 9999)}", "operator"),
            ]
            if rng.random() < 0.5:
                officers.append((f"DC O-{rng.randint(1000, 9999)}", "operator"))
            net.personas.append(
                {
                    "ref": f"P-{region}-{i + 1:03d}",
                    "name_used": name,
                    "claimed_age": rng.randint(12, 15),
                    "unit": region,
                    "handles": handles,
                    "officers": officers,
                }
            )
            start = date(2019, 1, 1) + timedelta(days=rng.randint(0, max(1, horizon - 420)))
            stop = None
            if rng.random() < 0.45:
                stop = start + timedelta(days=rng.randint(90, 900))
                if stop >= net.as_of:
                    stop = None
            _chain(net, rng, i, start, stop)


def build_surveillance(net: Network, rng: random.Random) -> None:
    """Some operations also hold a 3-month directed-surveillance authorisation for a persona
    of their region (a few granted urgently and orally, for 72 hours)."""
    by_region: dict[str, list[int]] = {}
    for i, p in enumerate(net.personas):
        by_region.setdefault(p["unit"], []).append(i)
    parent = {u["code"]: u["parent"] for u in net.units}
    rules = authrules.load_rules()
    for j, op in enumerate(net.operations):
        if rng.random() > 0.3:
            continue
        persona = rng.choice(by_region[parent[op["unit"]]])
        urgent = rng.random() < 0.05
        granted = _at(op["opened_on"], 9)
        net.authorisations.append(
            {
                "ref": f"AUTH-DS-{j + 1:05d}",
                "persona": persona,
                "operation": j,
                "kind": "directed_surveillance",
                "urgent_oral": urgent,
                "officer": f"{'Insp' if urgent else 'Supt'} D-{rng.randint(100, 999)}",
                "rank": "inspector" if urgent else "superintendent",
                "granted_at": granted,
                "expires_at": authrules.initial_expiry(
                    rules.kind("directed_surveillance"), granted, urgent
                ),
                "review_every_days": REVIEW_DAYS,
                "judicial_approved_at": None,
                "judicial_commissioner": None,
                "cancelled_at": None,
                "cancelled_by": None,
                "cancel_reason": None,
            }
        )


def _sha(text: str, algo: str) -> str:
    return hashlib.new(algo, text.encode()).hexdigest()


def build_referrals(net: Network, rng: random.Random) -> None:
    """CyberTipline reports opening peer-to-peer cases, referrals from CEOP, and referrals out."""
    partners_out = [
        ("force", "Another force (fictional)"),
        ("nca", "National Crime Agency"),
        ("industry", "Platform trust and safety team"),
        ("social_care", "Children's social care"),
    ]
    for i, c in enumerate(net.cases):
        if c["type"] == "peer_to_peer" and rng.random() < 0.45:
            tip = str(100000000 + rng.randint(0, 899999999))
            net.referrals.append(
                {
                    "ref": f"REF-IN-{i + 1:05d}",
                    "direction": "in",
                    "partner_kind": "ncmec",
                    "partner_name": "NCMEC CyberTipline",
                    "case": i,
                    "on": c["created"],
                    "external_ref": tip,
                    "incident_type": "Apparent child sexual abuse material (reported hashes only)",
                    "status": "actioned",
                }
            )
            for k in range(rng.randint(1, 3)):
                benign = f"vigil demo placeholder {tip}-{k}"
                net.referral_files.append(
                    {
                        "referral": len(net.referrals) - 1,
                        "file_name": f"upload_{k + 1}.bin",
                        "md5": _sha(benign, "md5"),
                        "sha1": _sha(benign, "sha1"),
                    }
                )
        elif rng.random() < 0.15:
            net.referrals.append(
                {
                    "ref": f"REF-IN-{i + 1:05d}",
                    "direction": "in",
                    "partner_kind": "ceop",
                    "partner_name": "CEOP",
                    "case": i,
                    "on": c["created"],
                    "external_ref": None,
                    "incident_type": None,
                    "status": "actioned",
                }
            )
        if rng.random() < 0.25:
            kind, name = rng.choice(partners_out)
            on = min(net.end, c["created"] + timedelta(days=rng.randint(20, 200)))
            net.referrals.append(
                {
                    "ref": f"REF-OUT-{i + 1:05d}",
                    "direction": "out",
                    "partner_kind": kind,
                    "partner_name": name,
                    "case": i,
                    "on": on,
                    "external_ref": None,
                    "incident_type": None,
                    "status": "sent",
                }
            )


def build_observations(net: Network, rng: random.Random) -> None:
    """Indicator categories seen on the first platform of grooming and live-streaming cases,
    and moves to another platform; one category only appears from its start date on."""
    prof = plan.profiles()
    cats = prof["indicator_categories"]
    late = prof["late_categories"]
    moves = prof["migrations"]
    done: set[int] = set()
    for o in net.offences:
        case = o["case"]
        if (
            case in done
            or not o["principal"]
            or o["offence_type"] not in ("grooming", "live_streaming")
            or not o["platforms"]
        ):
            continue
        done.add(case)
        first = o["platforms"][0]
        seen = _at(o["committed_from"], 20)
        pool = cats[o["offence_type"]]
        for cat in rng.sample(pool, rng.randint(2, min(5, len(pool)))):
            net.observations.append(
                {
                    "case": case,
                    "kind": "indicator",
                    "platform": first,
                    "category": cat,
                    "to": None,
                    "at": seen + timedelta(days=rng.randint(0, 20)),
                }
            )
        for cat, since in late.items():
            if o["committed_from"] >= since and rng.random() < 0.15:
                net.observations.append(
                    {
                        "case": case,
                        "kind": "indicator",
                        "platform": first,
                        "category": cat,
                        "to": None,
                        "at": seen,
                    }
                )
        if first in moves and rng.random() < 0.35:
            net.observations.append(
                {
                    "case": case,
                    "kind": "migration",
                    "platform": first,
                    "category": None,
                    "to": rng.choice(moves[first]),
                    "at": seen + timedelta(days=rng.randint(1, 30)),
                }
            )


def build(net: Network) -> None:
    rng = _rng(net.seed, "covert")
    build_operations(net, rng)
    build_personas(net, rng)
    build_surveillance(net, rng)
    build_referrals(net, rng)
    build_observations(net, rng)
