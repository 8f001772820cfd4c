"""Writing the demo rows through the case-work services, as a user's actions would.

Rows from :mod:`vigil.demo.generate` refer to each other by list index; here they become the
services' records, which refer to each other by reference (case, suspect, child, persona,
operation, authorisation), and go through the services' batch entry points: the same checks
and one custody/audit entry per record, as the command line and the web write them, all in
the caller's one transaction. Nothing here inserts into a table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from vigil.demo.generate import Network, Row
from vigil.services.cases import CaseRecord, create_cases
from vigil.services.casework import (
    authorisations,
    children,
    offences,
    operations,
    outcomes,
    personas,
    referrals,
    suspects,
    units,
)
from vigil.services.workspace import Workspace

TZ = "Europe/London"


def noon(d: date) -> datetime:
    return datetime.combine(d, time(12), tzinfo=UTC)


def write_people(ws: Workspace, session: Session, net: Network) -> None:
    """Units, cases (each in its force), operations, suspects with identifiers and risk
    assessments, offences, outcomes, children and their safeguarding."""
    units.create_units(
        ws,
        session,
        [units.UnitRecord(u["code"], u["name"], u["kind"], u["parent"]) for u in net.units],
    )
    create_cases(ws, session, [CaseRecord(c["ref"], c["title"], c["unit"], TZ) for c in net.cases])
    units.assign_cases(ws, session, [(c["ref"], c["unit"]) for c in net.cases])
    case_ref = _refs(net.cases)
    operations.create_operations(
        ws,
        session,
        [
            operations.OperationRecord(
                o["ref"], o["name"], o["unit"], case_ref(o["case"]), o["opened_on"]
            )
            for o in net.operations
        ],
    )
    operations.close_operations(
        ws, session, [(o["ref"], o["closed_on"]) for o in net.operations if o["closed_on"]]
    )
    ids: list[list[suspects.IdentifierRecord]] = [[] for _ in net.suspects]
    for i in net.identifiers:
        ids[i["suspect"]].append(
            suspects.IdentifierRecord(
                i["platform"], i["kind"], i["value"], noon(i["first_seen"]), "demo"
            )
        )
    suspects.create_suspects(
        ws,
        session,
        [
            suspects.SuspectRecord(
                case_ref(s["case"]), s["ref"], s["label"], s["year_of_birth"], ids[n]
            )
            for n, s in enumerate(net.suspects)
        ],
    )
    suspect_ref = _refs(net.suspects)
    suspects.assess_suspects(
        ws,
        session,
        [
            suspects.AssessmentRecord(
                suspect_ref(a["suspect"]), a["answers"], a["assessor"], noon(a["assessed_at"])
            )
            for a in net.assessments
        ],
    )
    offences.add_offences(
        ws,
        session,
        [
            offences.OffenceRecord(
                case_ref(o["case"]),
                o["offence_type"],
                o["legal_form"],
                suspect_ref(o["suspect"]),
                o["image_category"],
                o["platforms"],
                o["principal"],
                o["committed_from"],
                o["committed_to"],
            )
            for o in net.offences
        ],
    )
    outcomes.record_outcomes(
        ws,
        session,
        [
            outcomes.OutcomeRecord(
                suspect_ref(o["suspect"]), o["kind"], o["on"], None, _sentence(o)
            )
            for o in net.outcomes
        ],
    )
    children.create_children(
        ws,
        session,
        [
            children.ChildRecord(case_ref(c["case"]), c["ref"], c["age"], suspect_ref(c["suspect"]))
            for c in net.children
        ],
    )
    child_ref = _refs(net.children)
    children.add_safeguarding_actions(
        ws,
        session,
        [
            children.SafeguardingRecord(child_ref(a["child"]), a["kind"], a["on"], a["by"])
            for a in net.actions
        ],
    )


def write_covert(ws: Workspace, session: Session, net: Network) -> None:
    """Personas, their authorisations (grants, reviews, renewals, cancellations, in the order
    they happened), referrals (with reported files) and platform observations."""
    personas.create_personas(
        ws,
        session,
        [
            personas.PersonaRecord(
                p["ref"],
                p["name_used"],
                p["claimed_age"],
                p["unit"],
                p["handles"],
                p["officers"],
                "fictional demo persona",
            )
            for p in net.personas
        ],
    )
    authorisations.record_authorisations(ws, session, auth_events(net))
    case_ref = _refs(net.cases)
    referral_files: list[list[referrals.ReferralFileRecord]] = [[] for _ in net.referrals]
    for f in net.referral_files:
        referral_files[f["referral"]].append(
            referrals.ReferralFileRecord(f["file_name"], f["md5"], f["sha1"])
        )
    referrals.create_referrals(
        ws,
        session,
        [
            referrals.ReferralRecord(
                r["ref"],
                r["direction"],
                r["partner_kind"],
                r["partner_name"],
                r["on"],
                case_ref(r["case"]),
                r["external_ref"],
                None,
                r["status"],
                r["incident_type"],
                referral_files[n],
            )
            for n, r in enumerate(net.referrals)
        ],
    )
    referrals.add_observations(
        ws,
        session,
        [
            referrals.ObservationRecord(
                case_ref(o["case"]),
                o["kind"],
                o["platform"],
                o["at"],
                o["category"],
                o["to"],
                "demo",
            )
            for o in net.observations
        ],
    )


def auth_events(net: Network) -> list[authorisations.AuthEvent]:
    """Each authorisation's grant, then its reviews and renewals in time order, then its
    cancellation: the order in which the officers would have recorded them."""
    later: list[list[tuple[datetime, authorisations.AuthEvent]]] = [[] for _ in net.authorisations]
    refs = [a["ref"] for a in net.authorisations]
    for r in net.reviews:
        later[r["auth"]].append(
            (
                r["reviewed_at"],
                authorisations.Review(refs[r["auth"]], r["reviewer"], r["reviewed_at"]),
            )
        )
    for r in net.renewals:
        renewal = authorisations.Renewal(
            refs[r["auth"]],
            r["officer"],
            r["rank"],
            r["renewed_at"],
            r["judicial_approved_at"],
            r["judicial_commissioner"],
        )
        later[r["auth"]].append((r["renewed_at"], renewal))
    out: list[authorisations.AuthEvent] = []
    op_ref = _refs(net.operations)
    for n, a in enumerate(net.authorisations):
        out.append(
            authorisations.Grant(
                a["ref"],
                net.personas[a["persona"]]["ref"],
                a["kind"],
                a["officer"],
                a["rank"],
                a["granted_at"],
                a["urgent_oral"],
                op_ref(a["operation"]) if a["operation"] is not None else None,
                a["review_every_days"],
            )
        )
        out.extend(e for _, e in sorted(later[n], key=lambda x: x[0]))
        if a["cancelled_at"] is not None:
            out.append(
                authorisations.Cancellation(
                    a["ref"], a["cancelled_by"], a["cancelled_at"], a["cancel_reason"]
                )
            )
    return out


def _sentence(o: Row) -> outcomes.Sentence | None:
    if o["kind"] != "sentence":
        return None
    return outcomes.Sentence(
        o.get("custodial_months"),
        bool(o.get("suspended", False)),
        o.get("extended_licence_months"),
        o.get("notification_months"),
        bool(o.get("notification_indefinite", False)),
        [o["prevention_orders"]] if o.get("prevention_orders") else [],
    )


def _refs(rows: list[Row]) -> Callable[[int], str]:
    """The reference of the row at a list index."""
    return lambda i: str(rows[i]["ref"])
