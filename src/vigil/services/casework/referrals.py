"""Referrals out to partners and in from them (CyberTipline import), and platform observations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.cases.cybertip import HEX, CyberTip, parse_cybertip
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
from vigil.services.casework.common import (
    Change,
    check_each,
    check_new_refs,
    check_ref,
    fetch_by_ref,
    record_change,
    record_changes,
    unique_or_error,
)
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


@dataclass(frozen=True, slots=True)
class ReferralFileRecord:
    """A file named in a referral, by its hashes (MD5, SHA-1 or both, lower-case hex)."""

    file_name: str | None
    md5: str | None = None
    sha1: str | None = None


@dataclass(frozen=True, slots=True)
class ReferralRecord:
    """A referral to record (:func:`create_referrals`): what :func:`create_referral` takes,
    and (as a CyberTipline import records them) the incident type and the reported files."""

    ref: str
    direction: str
    partner_kind: str
    partner_name: str
    occurred_on: date
    case_ref: str | None = None
    external_ref: str | None = None
    summary: str | None = None
    status: str = "open"
    incident_type: str | None = None
    files: Sequence[ReferralFileRecord] = ()


def _checked_file(f: ReferralFileRecord) -> ReferralFileRecord:
    """The hashes lower-cased, checked as a CyberTipline import checks them."""
    hashes: dict[str, str | None] = {}
    for algo, pattern in HEX.items():
        v = getattr(f, algo)
        v = v.lower() if v else None
        if v is not None and not pattern.match(v):
            raise UserError(f"bad {algo.upper()} {v!r} for file {f.file_name!r}")
        hashes[algo] = v
    if not hashes["md5"] and not hashes["sha1"]:
        raise UserError(f"file {f.file_name!r} has no hash", hint="give its MD5 or SHA-1")
    return ReferralFileRecord(f.file_name, hashes["md5"], hashes["sha1"])


def _checked(rec: ReferralRecord) -> ReferralRecord:
    if rec.direction not in {"in", "out"}:
        raise UserError("direction is in or out")
    check_term("partner_kinds", rec.partner_kind)
    ref = check_ref(rec.ref, "referral")
    return replace(rec, ref=ref, files=[_checked_file(f) for f in rec.files])


def _new(ws: Workspace, rec: ReferralRecord, case: Case | None) -> Referral:
    return Referral(
        ref=rec.ref,
        direction=rec.direction,
        partner_kind=rec.partner_kind,
        partner_name=rec.partner_name,
        case_id=case.id if case else None,
        occurred_on=rec.occurred_on,
        external_ref=rec.external_ref,
        incident_type=rec.incident_type,
        summary=rec.summary,
        status=rec.status,
        created_at=ws.now(),
    )


def _files(r: Referral, rec: ReferralRecord) -> list[ReferralFile]:
    return [
        ReferralFile(referral_id=r.id, file_name=f.file_name, md5=f.md5, sha1=f.sha1)
        for f in rec.files
    ]


def _recorded(rec: ReferralRecord) -> Change:
    details: dict[str, Any] = {
        "direction": rec.direction,
        "partner": f"{rec.partner_kind}:{rec.partner_name}",
        "on": rec.occurred_on,
    }
    if rec.files:
        details["files"] = len(rec.files)
    return Change("create", "referral", rec.ref, rec.case_ref, details)


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
    rec = _checked(
        ReferralRecord(
            ref,
            direction,
            partner_kind,
            partner_name,
            occurred_on,
            case_ref,
            external_ref,
            summary,
            status,
        )
    )
    try:
        with ws.transaction() as session:
            case = get_case(session, case_ref) if case_ref else None
            r = _new(ws, rec, case)
            session.add(r)
            session.flush()
            record_changes(ws, session, [_recorded(rec)])
            return _info(session, r)
    except SAIntegrityError as exc:
        raise unique_or_error(exc, "referral", rec.ref) from exc


def create_referrals(ws: Workspace, session: Session, records: Sequence[ReferralRecord]) -> None:
    """:func:`create_referral` for many referrals inside the caller's transaction: the same
    checks (nothing is written if one record is refused), one ``create`` entry per referral
    (which counts its files, if any)."""
    recs = check_each(records, _checked, "referral")
    check_new_refs(session, Referral.ref, [r.ref for r in recs], "referral")
    cases = fetch_by_ref(session, Case.ref, (r.case_ref for r in recs), get_case)
    rows = [_new(ws, r, cases[r.case_ref] if r.case_ref else None) for r in recs]
    session.add_all(rows)
    session.flush()
    session.add_all(f for row, rec in zip(rows, recs, strict=True) for f in _files(row, rec))
    session.flush()
    record_changes(ws, session, [_recorded(r) for r in recs])


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


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    """An observation to record (:func:`add_observations`), as :func:`add_observation` takes it."""

    case_ref: str
    kind: str
    platform: str
    observed_at: datetime
    category: str | None = None
    to_platform: str | None = None
    source: str = "officer"


def _checked_observation(rec: ObservationRecord) -> ObservationRecord:
    """The record with its platforms normalised, or a UserError."""
    check_term("observation_kinds", rec.kind)
    if rec.kind == "indicator" and not rec.category:
        raise UserError("an indicator observation needs --category")
    if rec.kind == "migration" and not rec.to_platform:
        raise UserError("a migration observation needs --to-platform")
    plat = normalise_platform(rec.platform)
    to = normalise_platform(rec.to_platform) if rec.to_platform else None
    return replace(rec, platform=plat, to_platform=to)


def _observation(ws: Workspace, rec: ObservationRecord, case: Case) -> PlatformObservation:
    return PlatformObservation(
        case_id=case.id,
        kind=rec.kind,
        platform=rec.platform,
        to_platform=rec.to_platform,
        category=rec.category,
        observed_at=rec.observed_at,
        source=rec.source,
        recorded_by=ws.actor,
        created_at=ws.now(),
    )


def _observed(rec: ObservationRecord) -> Change:
    return Change(
        "create",
        "observation",
        f"{rec.kind}:{rec.platform}",
        rec.case_ref,
        {"category": rec.category, "to": rec.to_platform},
    )


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
    rec = _checked_observation(
        ObservationRecord(case_ref, kind, platform, observed_at, category, to_platform, source)
    )
    with ws.transaction() as session:
        session.add(_observation(ws, rec, get_case(session, case_ref)))
        session.flush()
        record_changes(ws, session, [_observed(rec)])
    return ObservationInfo(
        case_ref, kind, rec.platform, rec.to_platform, category, observed_at, source
    )


def add_observations(ws: Workspace, session: Session, records: Sequence[ObservationRecord]) -> None:
    """:func:`add_observation` for many observations inside the caller's transaction: the same
    checks (nothing is written if one record is refused), one ``create`` entry each."""
    recs = check_each(records, _checked_observation, "observation")
    cases = fetch_by_ref(session, Case.ref, (r.case_ref for r in recs), get_case)
    session.add_all(_observation(ws, r, cases[r.case_ref]) for r in recs)
    session.flush()
    record_changes(ws, session, [_observed(r) for r in recs])
