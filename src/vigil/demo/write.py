"""Bulk inserts of the demo rows (explicit ids, resolved references).

Rows from :mod:`vigil.demo.generate` refer to each other by list index; the writers map those
indices to the ids given to the inserted rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from vigil.db.tables.access import CaseMember
from vigil.db.tables.cases import (
    Authorisation,
    AuthorisationRenewal,
    AuthorisationReview,
    Case,
    CaseUnit,
    Child,
    Offence,
    OffencePlatform,
    Operation,
    Outcome,
    Persona,
    PersonaHandle,
    PersonaOfficer,
    PlatformObservation,
    Referral,
    ReferralFile,
    RiskAssessment,
    SafeguardingAction,
    Suspect,
    SuspectIdentifier,
    Unit,
)
from vigil.demo.generate import Network


class Ids:
    """Explicit ids for bulk inserts: one past the current maximum of each table. The workspace
    write lock is held, so no other writer can take the same ids; PostgreSQL's sequences are
    moved past them afterwards (:func:`_advance_sequences`)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.used: list[Any] = []

    def insert(self, table: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        top = self.session.execute(select(func.max(table.id))).scalar_one() or 0
        ids = list(range(top + 1, top + 1 + len(rows)))
        self.session.execute(
            insert(table), [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
        )
        self.used.append(table)
        return ids

    def advance_sequences(self) -> None:
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for table in self.used:
            name = table.__tablename__
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )


def _bulk(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), list(rows))


def noon(d: date) -> datetime:
    return datetime.combine(d, time(12), tzinfo=UTC)


def dedupe_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[int, str, str, str]] = set()
    out = []
    for r in rows:
        key = (r["suspect"], r["platform"], r["kind"], r["value"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def write_people(
    ids: Ids, net: Network, now: datetime, user_id: int, actor: str
) -> tuple[dict[str, int], list[int], list[int]]:
    """Units, cases, suspects and what hangs off them; returns the ids of units (by code), cases, operations."""
    session = ids.session
    unit_ids: dict[str, int] = {}
    for u in net.units:  # parents come before children
        [uid] = ids.insert(
            Unit,
            [
                {
                    "code": u["code"],
                    "name": u["name"],
                    "kind": u["kind"],
                    "parent_id": unit_ids.get(u["parent"]) if u["parent"] else None,
                    "created_at": now,
                }
            ],
        )
        unit_ids[u["code"]] = uid
    case_ids = ids.insert(
        Case,
        [
            {
                "ref": c["ref"],
                "title": c["title"],
                "unit": c["unit"],
                "default_tz": "Europe/London",
                "created_at": noon(c["created"]),
                "created_by_id": user_id,
            }
            for c in net.cases
        ],
    )
    # whoever opens a case is on it, as through the case service
    _bulk(
        session,
        CaseMember,
        [{"case_id": i, "user_id": user_id, "added_at": now, "added_by": actor} for i in case_ids],
    )
    _bulk(
        session,
        CaseUnit,
        [{"case_id": case_ids[i], "unit_id": unit_ids[c["unit"]]} for i, c in enumerate(net.cases)],
    )
    op_ids = ids.insert(
        Operation,
        [
            {
                "ref": o["ref"],
                "name": o["name"],
                "unit_id": unit_ids[o["unit"]],
                "case_id": case_ids[o["case"]],
                "opened_on": o["opened_on"],
                "closed_on": o["closed_on"],
                "created_at": now,
            }
            for o in net.operations
        ],
    )
    sus_ids = ids.insert(
        Suspect,
        [
            {
                "ref": s["ref"],
                "case_id": case_ids[s["case"]],
                "label": s["label"],
                "year_of_birth": s["year_of_birth"],
                "notes": None,
                "created_at": now,
            }
            for s in net.suspects
        ],
    )
    _bulk(
        session,
        SuspectIdentifier,
        [
            {
                "suspect_id": sus_ids[i["suspect"]],
                "platform": i["platform"],
                "kind": i["kind"],
                "value": i["value"],
                "participant_id": None,
                "first_seen": noon(i["first_seen"]),
                "source": "demo",
            }
            for i in dedupe_ids(net.identifiers)
        ],
    )
    _bulk(
        session,
        RiskAssessment,
        [
            {
                "suspect_id": sus_ids[a["suspect"]],
                "form_id": a["form_id"],
                "form_version": a["form_version"],
                "answers": json.dumps(a["answers"], sort_keys=True),
                "score": a["score"],
                "band": a["band"],
                "reasons": json.dumps(a["reasons"]),
                "assessor": a["assessor"],
                "assessed_at": noon(a["assessed_at"]),
                "created_at": now,
            }
            for a in net.assessments
        ],
    )
    child_ids = ids.insert(
        Child,
        [
            {
                "ref": c["ref"],
                "case_id": case_ids[c["case"]],
                "suspect_id": sus_ids[c["suspect"]],
                "age_at_time": c["age"],
                "notes": None,
                "created_at": now,
            }
            for c in net.children
        ],
    )
    _bulk(
        session,
        SafeguardingAction,
        [
            {
                "child_id": child_ids[a["child"]],
                "kind": a["kind"],
                "action_on": a["on"],
                "detail": None,
                "recorded_by": a["by"],
                "created_at": now,
            }
            for a in net.actions
        ],
    )
    off_ids = ids.insert(
        Offence,
        [
            {
                "case_id": case_ids[o["case"]],
                "suspect_id": sus_ids[o["suspect"]],
                "child_id": None,
                "offence_type": o["offence_type"],
                "legal_form": o["legal_form"],
                "image_category": o["image_category"],
                "principal": o["principal"],
                "committed_from": o["committed_from"],
                "committed_to": o["committed_to"],
                "notes": None,
                "created_at": now,
            }
            for o in net.offences
        ],
    )
    _bulk(
        session,
        OffencePlatform,
        [
            {"offence_id": off_ids[i], "platform": p}
            for i, o in enumerate(net.offences)
            for p in o["platforms"]
        ],
    )
    _bulk(
        session,
        Outcome,
        [
            {
                "case_id": case_ids[o["case"]],
                "suspect_id": sus_ids[o["suspect"]],
                "kind": o["kind"],
                "occurred_on": o["on"],
                "detail": None,
                "custodial_months": o.get("custodial_months"),
                "suspended": bool(o.get("suspended", False)),
                "extended_licence_months": o.get("extended_licence_months"),
                "notification_months": o.get("notification_months"),
                "notification_indefinite": bool(o.get("notification_indefinite", False)),
                "prevention_orders": o.get("prevention_orders"),
                "created_at": now,
            }
            for o in net.outcomes
        ],
    )
    return unit_ids, case_ids, op_ids


def write_covert(
    ids: Ids,
    net: Network,
    now: datetime,
    actor: str,
    refs: tuple[dict[str, int], list[int], list[int]],
) -> None:
    """Personas, authorisations (reviews, renewals), referrals and observations."""
    session = ids.session
    unit_ids, case_ids, op_ids = refs
    persona_ids = ids.insert(
        Persona,
        [
            {
                "ref": p["ref"],
                "name_used": p["name_used"],
                "claimed_age": p["claimed_age"],
                "unit_id": unit_ids[p["unit"]],
                "notes": "fictional demo persona",
                "created_at": now,
            }
            for p in net.personas
        ],
    )
    _bulk(
        session,
        PersonaHandle,
        [
            {"persona_id": persona_ids[i], "platform": pl, "handle": h}
            for i, p in enumerate(net.personas)
            for pl, h in p["handles"]
        ],
    )
    _bulk(
        session,
        PersonaOfficer,
        [
            {"persona_id": persona_ids[i], "officer": o, "role": r}
            for i, p in enumerate(net.personas)
            for o, r in p["officers"]
        ],
    )
    auth_ids = ids.insert(
        Authorisation,
        [
            {
                "ref": a["ref"],
                "persona_id": persona_ids[a["persona"]],
                "operation_id": op_ids[a["operation"]] if a["operation"] is not None else None,
                "kind": a["kind"],
                "urgent_oral": a["urgent_oral"],
                "authorising_officer": a["officer"],
                "authorising_rank": a["rank"],
                "granted_at": a["granted_at"],
                "expires_at": a["expires_at"],
                "review_every_days": a["review_every_days"],
                "judicial_approved_at": a["judicial_approved_at"],
                "judicial_commissioner": a["judicial_commissioner"],
                "cancelled_at": a["cancelled_at"],
                "cancelled_by": a["cancelled_by"],
                "cancel_reason": a["cancel_reason"],
                "notes": None,
                "created_at": now,
            }
            for a in net.authorisations
        ],
    )
    _bulk(
        session,
        AuthorisationReview,
        [
            {
                "authorisation_id": auth_ids[r["auth"]],
                "reviewed_at": r["reviewed_at"],
                "reviewer": r["reviewer"],
                "notes": None,
            }
            for r in net.reviews
        ],
    )
    _bulk(
        session,
        AuthorisationRenewal,
        [
            {
                "authorisation_id": auth_ids[r["auth"]],
                "renewed_at": r["renewed_at"],
                "authorising_officer": r["officer"],
                "authorising_rank": r["rank"],
                "previous_expires_at": r["previous"],
                "new_expires_at": r["new"],
                "judicial_approved_at": r["judicial_approved_at"],
                "judicial_commissioner": r["judicial_commissioner"],
                "notes": None,
            }
            for r in net.renewals
        ],
    )
    ref_ids = ids.insert(
        Referral,
        [
            {
                "ref": r["ref"],
                "direction": r["direction"],
                "partner_kind": r["partner_kind"],
                "partner_name": r["partner_name"],
                "case_id": case_ids[r["case"]],
                "occurred_on": r["on"],
                "external_ref": r["external_ref"],
                "incident_type": r["incident_type"],
                "incident_at": None,
                "summary": None,
                "status": r["status"],
                "created_at": now,
            }
            for r in net.referrals
        ],
    )
    _bulk(
        session,
        ReferralFile,
        [
            {
                "referral_id": ref_ids[f["referral"]],
                "file_name": f["file_name"],
                "md5": f["md5"],
                "sha1": f["sha1"],
                "detail": None,
            }
            for f in net.referral_files
        ],
    )
    _bulk(
        session,
        PlatformObservation,
        [
            {
                "case_id": case_ids[o["case"]],
                "kind": o["kind"],
                "platform": o["platform"],
                "to_platform": o["to"],
                "category": o["category"],
                "observed_at": o["at"],
                "source": "demo",
                "recorded_by": actor,
                "created_at": now,
            }
            for o in net.observations
        ],
    )
    ids.advance_sequences()
