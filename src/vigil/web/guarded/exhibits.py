"""One exhibit: its hashes, acquisitions and custody log, and a re-hash on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import NotFound
from vigil.evidence import custody
from vigil.services import audit
from vigil.services.access import Principal, require_case
from vigil.services.evidence import exhibits as evidence_service
from vigil.services.workspace import Workspace


@dataclass(slots=True)
class ExhibitDetail:
    exhibit: dict[str, Any]
    custody: list[dict[str, Any]]


@dataclass(slots=True)
class ExhibitCheck:
    case_ref: str
    ref: str
    ok: bool
    sha256: str
    problems: list[str]
    checked_at: str


def list_exhibits(ws: Workspace, user: Principal, case_ref: str) -> list[dict[str, Any]]:
    with ws.sessions() as s:
        require_case(s, user, case_ref, "read")
    return [evidence_service.exhibit_json(e) for e in evidence_service.list_exhibits(ws, case_ref)]


def exhibit_detail(ws: Workspace, user: Principal, case_ref: str, ref: str) -> ExhibitDetail:
    """Hashes, acquisitions and the custody entries of one exhibit (metadata, no content)."""
    with ws.sessions() as s:
        require_case(s, user, case_ref, "read")
    info, entries = evidence_service.show_exhibit(ws, case_ref, ref)
    return ExhibitDetail(evidence_service.exhibit_json(info), entries)


def verify_exhibit(ws: Workspace, user: Principal, case_ref: str, ref: str) -> ExhibitCheck:
    """Re-hash the stored bytes of one exhibit against its registered digests; logged."""
    now = ws.now()
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        ex = s.execute(
            select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.ref == ref)
        ).scalar_one_or_none()
        if ex is None:
            raise NotFound(f"no exhibit {ref!r} in case {case_ref!r}")
        blob = s.get(Blob, ex.blob_sha256)
        assert blob is not None
        want = (blob.sha256, blob.sha1, blob.md5, blob.size)
    problems: list[str] = []
    if not ws.store.exists(want[0]):
        problems.append("the stored bytes are missing")
    else:
        d = ws.store.rehash(want[0])
        for name, got, was in (
            ("SHA-256", d.sha256, want[0]),
            ("SHA-1", d.sha1, want[1]),
            ("MD5", d.md5, want[2]),
            ("size", str(d.size), str(want[3])),
        ):
            if got != was:
                problems.append(f"{name} is now {got}, registered {was}")
    with ws.transaction() as session:
        audit.record(
            session,
            user,
            "verify",
            audit.Subject("exhibit", ref, case_ref),
            details={"sha256": want[0], "ok": not problems, "problems": problems},
            now=now,
        )
    return ExhibitCheck(case_ref, ref, not problems, want[0], problems, custody.utc_iso(now))
