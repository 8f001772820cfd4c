"""Referrals out to partners and in from them (CyberTipline import), and platform observations."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.cybertip import CyberTip, parse_cybertip
from vigil.cases.taxonomy import check_term, normalise_platform
from vigil.db.tables.cases import (
    Case,
    PlatformObservation,
    Referral,
    ReferralFile,
    Suspect,
    SuspectIdentifier,
)
from vigil.errors import UserError
from vigil.services.cases import create_case, get_case
from vigil.services.casework.common import check_ref, record_change, unique_or_error
from vigil.services.casework.units import get_unit, set_case_unit
from vigil.services.evidence.exhibits import register_file
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ReferralInfo:
    ref: str
    direction: str
    partner_kind: str
    partner_name: str
    case_ref: str | None
    occurred_on: date
    external_ref: str | None
    incident_type: str | None
    status: str
    summary: str | None
    files: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)


def _info(session: Session, r: Referral) -> ReferralInfo:
    case = session.get(Case, r.case_id) if r.case_id else None
    files = [
        (f.file_name, f.md5, f.sha1)
        for f in session.execute(
            select(ReferralFile).where(ReferralFile.referral_id == r.id).order_by(ReferralFile.id)
        ).scalars()
    ]
    return ReferralInfo(
        r.ref,
        r.direction,
        r.partner_kind,
        r.partner_name,
        case.ref if case else None,
        r.occurred_on,
        r.external_ref,
        r.incident_type,
        r.status,
        r.summary,
        files,
    )


def create_referral(
    ws: Workspace,
    ref: str,
    direction: str,
    partner_kind: str,
    partner_name: str,
    occurred_on: date,
    *,
    case_ref: str | None = None,
    external_ref: str | None = None,
    summary: str | None = None,
    status: str = "open",
) -> ReferralInfo:
    """Record a referral sent to (``out``) or received from (``in``) a partner."""
    if direction not in {"in", "out"}:
        raise UserError("direction is in or out")
    check_term("partner_kinds", partner_kind)
    ref = check_ref(ref, "referral")
    try:
        with ws.transaction() as session:
            case = get_case(session, case_ref) if case_ref else None
            r = Referral(
                ref=ref,
                direction=direction,
                partner_kind=partner_kind,
                partner_name=partner_name,
                case_id=case.id if case else None,
                occurred_on=occurred_on,
                external_ref=external_ref,
                summary=summary,
                status=status,
                created_at=ws.now(),
            )
            session.add(r)
            session.flush()
            record_change(
                ws,
                session,
                "create",
                "referral",
                ref,
                case_ref,
                {
                    "direction": direction,
                    "partner": f"{partner_kind}:{partner_name}",
                    "on": occurred_on,
                },
            )
            return _info(session, r)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "referral", ref) from exc


def list_referrals(
    ws: Workspace, case_ref: str | None = None, direction: str | None = None
) -> list[ReferralInfo]:
    with ws.sessions() as session:
        stmt = select(Referral).order_by(Referral.occurred_on, Referral.ref)
        if case_ref:
            stmt = stmt.where(Referral.case_id == get_case(session, case_ref).id)
        if direction:
            stmt = stmt.where(Referral.direction == direction)
        return [_info(session, r) for r in session.execute(stmt).scalars()]


@dataclass(frozen=True, slots=True)
class TipImport:
    referral: ReferralInfo
    case_ref: str
    exhibit_ref: str
    suspects: list[str]
    identifiers: int


def import_cybertip(
    ws: Workspace, path: Path, *, case_ref: str | None = None, unit_code: str | None = None
) -> TipImport:
    """Import a CyberTipline-shaped JSON report: the report is registered as an exhibit, and a
    case (``CT-<reportId>`` unless given), an incoming referral with the reported file hashes,
    and a suspect per reported person with their identifiers are created."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    tip = parse_cybertip(data, path.name)
    with ws.sessions() as s:
        dup = s.execute(
            select(Referral.ref).where(
                Referral.partner_kind == "ncmec", Referral.external_ref == tip.report_id
            )
        ).scalar_one_or_none()
        if dup is not None:
            raise UserError(f"CyberTipline report {tip.report_id} was already imported as {dup}")
        target = case_ref or f"CT-{check_ref(tip.report_id, 'report')}"
        exists = s.execute(select(Case.id).where(Case.ref == target)).scalar_one_or_none()
        if unit_code:
            get_unit(s, unit_code)
    if exists is None:
        create_case(
            ws, target, f"CyberTipline report {tip.report_id} ({tip.esp_name})", unit_code, None
        )
    reg = register_file(
        ws, target, path, source=f"NCMEC CyberTipline report {tip.report_id}", acquired_by=ws.actor
    )
    return _store_tip(ws, tip, target, reg.exhibit.ref, unit_code)


def _store_tip(
    ws: Workspace, tip: CyberTip, case_ref: str, exhibit_ref: str, unit_code: str | None
) -> TipImport:
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        if unit_code:
            set_case_unit(ws, session, case, get_unit(session, unit_code))
        received = (tip.reported_at or ws.now()).date()
        r = Referral(
            ref=f"REF-IN-CT-{tip.report_id}",
            direction="in",
            partner_kind="ncmec",
            partner_name="NCMEC CyberTipline",
            case_id=case.id,
            occurred_on=received,
            external_ref=tip.report_id,
            incident_type=tip.incident_type,
            incident_at=tip.incident_at,
            summary=f"reported by {tip.esp_name}; exhibit {exhibit_ref}",
            status="received",
            created_at=ws.now(),
        )
        session.add(r)
        session.flush()
        for f in tip.files:
            session.add(
                ReferralFile(
                    referral_id=r.id,
                    file_name=f.file_name,
                    md5=f.md5,
                    sha1=f.sha1,
                    detail=json.dumps(f.detail, sort_keys=True),
                )
            )
        suspects, n_ids = [], 0
        for i, person in enumerate(tip.people, start=1):
            sref = f"CT-{tip.report_id}-S{i}"
            sus = Suspect(
                ref=sref,
                case_id=case.id,
                label=f"Reported user {person.label}",
                created_at=ws.now(),
            )
            session.add(sus)
            session.flush()
            seen: set[tuple[str, str]] = set()
            for ident in person.identifiers:
                if (ident.kind, ident.value) in seen:
                    continue
                seen.add((ident.kind, ident.value))
                session.add(
                    SuspectIdentifier(
                        suspect_id=sus.id,
                        platform=tip.platform,
                        kind=ident.kind,
                        value=ident.value,
                        first_seen=ident.first_seen,
                        source=f"CyberTipline {tip.report_id}"
                        + (f" ({ident.note})" if ident.note else ""),
                    )
                )
                n_ids += 1
            suspects.append(sref)
            record_change(
                ws,
                session,
                "create",
                "suspect",
                sref,
                case_ref,
                {"from": f"CyberTipline {tip.report_id}", "identifiers": len(seen)},
            )
        session.flush()
        record_change(
            ws,
            session,
            "create",
            "referral",
            r.ref,
            case_ref,
            {
                "direction": "in",
                "partner": "ncmec",
                "report": tip.report_id,
                "files": len(tip.files),
                "exhibit": exhibit_ref,
            },
        )
        return TipImport(_info(session, r), case_ref, exhibit_ref, suspects, n_ids)


@dataclass(frozen=True, slots=True)
class ObservationInfo:
    case_ref: str
    kind: str
    platform: str
    to_platform: str | None
    category: str | None
    observed_at: datetime
    source: str


def add_observation(
    ws: Workspace,
    case_ref: str,
    kind: str,
    platform: str,
    observed_at: datetime,
    *,
    category: str | None = None,
    to_platform: str | None = None,
    source: str = "officer",
) -> ObservationInfo:
    """Record an indicator category seen on a platform, or a move from one platform to another."""
    check_term("observation_kinds", kind)
    if kind == "indicator" and not category:
        raise UserError("an indicator observation needs --category")
    if kind == "migration" and not to_platform:
        raise UserError("a migration observation needs --to-platform")
    plat = normalise_platform(platform)
    to = normalise_platform(to_platform) if to_platform else None
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        session.add(
            PlatformObservation(
                case_id=case.id,
                kind=kind,
                platform=plat,
                to_platform=to,
                category=category,
                observed_at=observed_at,
                source=source,
                recorded_by=ws.actor,
                created_at=ws.now(),
            )
        )
        session.flush()
        record_change(
            ws,
            session,
            "create",
            "observation",
            f"{kind}:{plat}",
            case_ref,
            {"category": category, "to": to},
        )
    return ObservationInfo(case_ref, kind, plat, to, category, observed_at, source)
