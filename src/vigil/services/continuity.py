"""Continuity statements from the custody log (``vigil statement``): a draft for the officer,
and each version they save kept as an exhibit derived from the one it is about."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vigil.db.tables.access import User
from vigil.db.tables.evidence import Acquisition, Blob, CustodyEntry, Exhibit
from vigil.errors import NotFound, UserError
from vigil.reports import continuity as mg
from vigil.services import access
from vigil.services.conversation_csv import local_time_text, zone_of
from vigil.services.evidence.exhibits import register_stream
from vigil.services.workspace import Workspace

STATEMENT_PATH = "continuity statement v"
"""``derived_path`` prefix of a saved statement (followed by its version number)."""
MAX_STATEMENT_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Saved:
    exhibit_ref: str
    version: int
    sha256: str


def _details(raw: str) -> dict[str, Any]:
    try:
        d = json.loads(raw)
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def draft(ws: Workspace, case_ref: str, exhibit_ref: str, officer: str | None = None) -> str:
    """The draft statement about ``exhibit_ref`` for ``officer`` (default: who acquired it)."""
    with ws.transaction() as s:
        user = access.acting(s, ws)
        case = access.require_case(s, user, case_ref, "read")
        ex = s.execute(
            select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.ref == exhibit_ref)
        ).scalar_one_or_none()
        if ex is None:
            raise NotFound(f"no exhibit {exhibit_ref!r} in case {case_ref}")
        zone = zone_of(case.default_tz)
        blob = s.get(Blob, ex.blob_sha256)
        assert blob is not None
        acqs = list(
            s.execute(
                select(Acquisition).where(Acquisition.exhibit_id == ex.id).order_by(Acquisition.id)
            ).scalars()
        )
        registrar = s.get(User, ex.registered_by_id)
        entries = s.execute(
            select(CustodyEntry)
            .where(CustodyEntry.object_id == ex.ref, CustodyEntry.case_ref == case.ref)
            .order_by(CustodyEntry.seq)
        ).scalars()
        handled = []
        for e in entries:
            if e.action in ("register",):
                continue
            d = _details(e.details)
            detail = None
            if e.action == "verify":
                detail = "they matched" if d.get("ok", True) else "they did NOT match"
            elif e.action == "export" and d.get("format"):
                detail = f"as {d['format']}"
            handled.append(mg.Handled(e.recorded_at[:19].replace("T", " ") + " UTC", e.actor,
                                      e.action, e.purpose, detail))  # fmt: skip
        derived = [
            (d.ref, d.original_name)
            for d in s.execute(
                select(Exhibit).where(Exhibit.parent_exhibit_id == ex.id).order_by(Exhibit.id)
            ).scalars()
        ]
        facts = mg.Facts(
            officer=officer or (acqs[0].acquired_by if acqs else ws.actor),
            case_ref=case.ref,
            exhibit_ref=ex.ref,
            name=ex.original_name,
            mime=ex.mime_type,
            size=blob.size,
            sha256=blob.sha256,
            sha1=blob.sha1,
            md5=blob.md5,
            registered_at=local_time_text(ex.registered_at, zone),
            registered_by=(registrar.display_name or registrar.username) if registrar else "",
            tool_version=ex.tool_version,
            zone=case.default_tz or "UTC",
            acquisitions=[
                mg.Acquired(
                    local_time_text(a.acquired_at, zone),
                    a.acquired_by,
                    a.source,
                    a.original_name,
                    a.original_path,
                )
                for a in acqs
            ],
            handled=handled,
            derived=derived,
        )
    return mg.draft(facts)


def save(ws: Workspace, case_ref: str, exhibit_ref: str, path: Path) -> Saved:
    """Register the officer's edited statement as the next version, derived from the exhibit."""
    if not path.is_file():
        raise UserError(f"{path}: no such file", hint="give the statement file you edited")
    if path.stat().st_size > MAX_STATEMENT_BYTES:
        raise UserError(f"{path}: larger than a statement ({MAX_STATEMENT_BYTES:,} bytes)")
    with ws.sessions() as s:
        user = access.acting(s, ws)
        case = access.require_case(s, user, case_ref, "write")
        ex = s.execute(
            select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.ref == exhibit_ref)
        ).scalar_one_or_none()
        if ex is None:
            raise NotFound(f"no exhibit {exhibit_ref!r} in case {case_ref}")
        earlier = s.execute(
            select(Exhibit.derived_path).where(
                Exhibit.parent_exhibit_id == ex.id,
                Exhibit.derived_path.like(STATEMENT_PATH + "%"),
            )
        ).scalars()
        version = 1 + max((int(p[len(STATEMENT_PATH) :]) for p in earlier if p), default=0)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        same = s.execute(
            select(Exhibit.ref).where(Exhibit.case_id == case.id, Exhibit.blob_sha256 == sha)
        ).scalar_one_or_none()
        if same is not None:
            raise UserError(
                f"{path}: the same bytes are already exhibit {same}",
                hint="edit the statement before saving a new version",
            )
    with path.open("rb") as fh:
        reg = register_stream(
            ws,
            case_ref,
            fh,
            original_name=path.name,
            original_path=str(path.resolve()),
            source=f"continuity statement about exhibit {exhibit_ref}, version {version}",
            acquired_by=ws.actor,
            parent_ref=exhibit_ref,
            derived_path=f"{STATEMENT_PATH}{version}",
        )
    return Saved(reg.exhibit.ref, version, reg.exhibit.sha256)
