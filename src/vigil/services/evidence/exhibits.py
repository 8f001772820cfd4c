"""Registering exhibits, listing and showing them, and reading their content on the record."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Acquisition, Blob, CustodyEntry, Exhibit
from vigil.errors import IntegrityError, NotFound, UserError
from vigil.evidence import custody
from vigil.evidence.mime import guess_mime
from vigil.evidence.refs import format_ref, initials
from vigil.evidence.store import Stored
from vigil.services import access, audit
from vigil.services.access import Principal, record_view, require_case, stated_purpose
from vigil.services.cases import get_case
from vigil.services.casework.cover import CoverCheck, check_capture_time, persona_states
from vigil.services.times import parse_time
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class AcquisitionInfo:
    original_name: str
    original_path: str | None
    source: str
    acquired_by: str
    acquired_at: datetime
    acquired_at_text: str | None
    tz_assumed: str | None
    registered_at: datetime
    registered_by: str
    derived_from: str | None


@dataclass(frozen=True, slots=True)
class ExhibitInfo:
    case_ref: str
    ref: str
    original_name: str
    mime_type: str
    size: int
    sha256: str
    sha1: str
    md5: str
    registered_at: datetime
    tool_version: str
    parent_ref: str | None
    derived_path: str | None
    acquisitions: list[AcquisitionInfo]


@dataclass(frozen=True, slots=True)
class Registered:
    exhibit: ExhibitInfo
    new_exhibit: bool
    new_blob: bool
    cover: CoverCheck | None = None
    """With a persona: the check of its authorisation cover at the capture time."""


def _next_seq(session: Session, case_id: int, officer: str) -> int:
    n = session.execute(
        select(func.max(Exhibit.seq)).where(Exhibit.case_id == case_id, Exhibit.initials == officer)
    ).scalar_one()
    return int(n or 0) + 1


def _exhibit_info(session: Session, ex: Exhibit) -> ExhibitInfo:
    blob = session.get(Blob, ex.blob_sha256)
    case = session.get(Case, ex.case_id)
    assert blob is not None and case is not None
    parent = session.get(Exhibit, ex.parent_exhibit_id) if ex.parent_exhibit_id else None
    acqs = []
    for a in session.execute(
        select(Acquisition).where(Acquisition.exhibit_id == ex.id).order_by(Acquisition.id)
    ).scalars():
        who = session.get(User, a.registered_by_id)
        der = session.get(Exhibit, a.derived_from_exhibit_id) if a.derived_from_exhibit_id else None
        acqs.append(
            AcquisitionInfo(
                a.original_name,
                a.original_path,
                a.source,
                a.acquired_by,
                a.acquired_at,
                a.acquired_at_text,
                a.tz_assumed,
                a.registered_at,
                who.username if who else "?",
                der.ref if der else None,
            )
        )
    return ExhibitInfo(
        case.ref,
        ex.ref,
        ex.original_name,
        ex.mime_type,
        ex.size,
        blob.sha256,
        blob.sha1,
        blob.md5,
        ex.registered_at,
        ex.tool_version,
        parent.ref if parent else None,
        ex.derived_path,
        acqs,
    )


def register_stream(
    ws: Workspace,
    case_ref: str,
    stream: BinaryIO,
    *,
    original_name: str,
    original_path: str | None,
    source: str,
    acquired_by: str,
    acquired_at: str | None = None,
    parent_ref: str | None = None,
    derived_path: str | None = None,
    progress: Callable[[int], None] | None = None,
    persona: str | None = None,
) -> Registered:
    """Store ``stream``'s bytes and register them as an exhibit of ``case_ref``.

    With ``persona``, the bytes were captured by that undercover persona: the capture time is
    checked against the persona's authorisations (:mod:`vigil.services.casework.cover`); a
    capture outside cover is stored all the same, recorded for the supervisor with a custody
    entry, and reported in ``Registered.cover``.

    The same bytes registered again in the same case record a new acquisition of the existing
    exhibit. Nothing is committed unless the bytes are safely in the store first.
    """
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        case_tz = case.default_tz
        parent_id: int | None = None
        if parent_ref is not None:
            parent_id = _get_exhibit(s, case.id, case_ref, parent_ref).id
    officer = initials(acquired_by)
    if acquired_at:
        when, tz_assumed = parse_time(acquired_at, case_tz)
    else:
        when, tz_assumed = ws.now(), None
    if persona is not None:
        with ws.sessions() as s:
            check_persona(s, persona)
    head = stream.read(8192)
    mime = guess_mime(head, original_name)
    stored = ws.store.put_stream(_Prefixed(head, stream), ws.settings.hash_chunk_bytes, progress)
    return _record(
        ws,
        case_ref,
        stored,
        mime=mime,
        officer=officer,
        original_name=original_name,
        original_path=original_path,
        source=source,
        acquired_by=acquired_by,
        when=when,
        when_text=acquired_at,
        tz_assumed=tz_assumed,
        parent_id=parent_id,
        derived_path=derived_path,
        persona=persona,
    )


def check_persona(session: Session, persona: str) -> None:
    """Refuse evidence said to be captured by a persona that is not on record (NotFound).

    Whether the persona was authorised is checked after the evidence is stored, at the time of
    each message or of the capture (:mod:`vigil.services.casework.cover`): nothing is refused
    for that, only recorded."""
    persona_states(session, persona)


def _record(
    ws: Workspace,
    case_ref: str,
    stored: Stored,
    **kw: Any,
) -> Registered:
    with ws.transaction() as session:
        ex, new_exhibit, new_blob = record_in_session(ws, session, case_ref, stored, **kw)
        check = None
        if kw.get("persona") is not None:
            check = check_capture_time(ws, session, case_ref, ex, kw["persona"], kw["when"])
        info = _exhibit_info(session, ex)
    return Registered(info, new_exhibit, new_blob, check)


def record_in_session(
    ws: Workspace,
    session: Session,
    case_ref: str,
    stored: Stored,
    *,
    mime: str,
    officer: str,
    original_name: str,
    original_path: str | None,
    source: str,
    acquired_by: str,
    when: datetime,
    when_text: str | None,
    tz_assumed: str | None,
    parent_id: int | None,
    derived_path: str | None,
    persona: str | None = None,
) -> tuple[Exhibit, bool, bool]:
    """Record stored bytes as an exhibit inside the caller's transaction.

    Returns the exhibit and whether the exhibit and the blob are new.
    """
    d = stored.digests
    now = ws.now()
    custody.lock(session)
    if persona is not None:
        check_persona(session, persona)
    user = ws.ensure_user(session)
    case = get_case(session, case_ref)
    access.require_act(session, ws, "write", case_ref)
    new_blob = session.get(Blob, d.sha256) is None
    if new_blob:
        session.add(Blob(sha256=d.sha256, sha1=d.sha1, md5=d.md5, size=d.size, stored_at=now))
    ex = session.execute(
        select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.blob_sha256 == d.sha256)
    ).scalar_one_or_none()
    new_exhibit = ex is None
    if ex is None:
        n = _next_seq(session, case.id, officer)
        ex = Exhibit(
            case_id=case.id,
            ref=format_ref(ws.settings.exhibit_ref_template, officer, n),
            initials=officer,
            seq=n,
            blob_sha256=d.sha256,
            original_name=original_name,
            mime_type=mime,
            size=d.size,
            parent_exhibit_id=parent_id,
            derived_path=derived_path,
            registered_at=now,
            registered_by_id=user.id,
            tool_version=tool_version(),
        )
        session.add(ex)
        session.flush()
    acq = Acquisition(
        exhibit_id=ex.id,
        original_name=original_name,
        original_path=original_path,
        source=source,
        acquired_by=acquired_by,
        acquired_at=when,
        acquired_at_text=when_text,
        tz_assumed=tz_assumed,
        registered_at=now,
        registered_by_id=user.id,
        derived_from_exhibit_id=parent_id,
        tool_version=tool_version(),
    )
    session.add(acq)
    session.flush()
    if new_exhibit:
        action = "derive" if parent_id is not None else "register"
    else:
        action = "reacquire"
    details: dict[str, Any] = {
        "ref": ex.ref,
        "sha256": d.sha256,
        "sha1": d.sha1,
        "md5": d.md5,
        "size": d.size,
        "original_name": original_name,
        "mime_type": ex.mime_type,
        "source": source,
        "acquired_by": acquired_by,
        "acquired_at": custody.utc_iso(when),
        "acquired_at_text": when_text,
        "tz_assumed": tz_assumed,
        "stored_once": not new_blob,
        "captured_by_persona": persona,
        "acquisition_id": acq.id,
    }
    if parent_id is not None:
        details["derived_from"] = session.get(Exhibit, parent_id).ref  # type: ignore[union-attr]
        details["derived_path"] = derived_path
    audit.record(
        session,
        ws.actor,
        action,
        audit.Subject("exhibit", ex.ref, case.ref),
        details=details,
        now=now,
    )
    return ex, new_exhibit, new_blob


class _Prefixed:
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            if n < 0:
                return out + self._rest.read()
            return out if len(out) >= n else out + self._rest.read(n - len(out))
        return self._rest.read(n)


def register_file(
    ws: Workspace,
    case_ref: str,
    path: Path,
    *,
    source: str,
    acquired_by: str,
    acquired_at: str | None = None,
    progress: Callable[[int], None] | None = None,
    persona: str | None = None,
) -> Registered:
    if not path.exists():
        raise UserError(f"{path}: no such file", hint="check the path")
    if not path.is_file():
        raise UserError(f"{path}: not a regular file", hint="pass files, not folders")
    try:
        fh = path.open("rb")
    except PermissionError as exc:
        raise UserError(f"{path}: permission denied", hint="check the file's permissions") from exc
    with fh:
        return register_stream(
            ws,
            case_ref,
            fh,
            original_name=path.name,
            original_path=str(path.resolve()),
            source=source,
            acquired_by=acquired_by,
            acquired_at=acquired_at,
            progress=progress,
            persona=persona,
        )


def _get_exhibit(session: Session, case_id: int, case_ref: str, ref: str) -> Exhibit:
    ex = session.execute(
        select(Exhibit).where(Exhibit.case_id == case_id, Exhibit.ref == ref)
    ).scalar_one_or_none()
    if ex is None:
        raise NotFound(
            f"no exhibit {ref!r} in case {case_ref!r}",
            hint=f"see `vigil evidence list --case {case_ref}`",
        )
    return ex


def list_exhibits(ws: Workspace, case_ref: str) -> list[ExhibitInfo]:
    with ws.sessions() as session:
        case = get_case(session, case_ref)
        rows = (
            session.execute(select(Exhibit).where(Exhibit.case_id == case.id).order_by(Exhibit.id))
            .scalars()
            .all()
        )
        return [_exhibit_info(session, ex) for ex in rows]


def show_exhibit(
    ws: Workspace, case_ref: str, ref: str
) -> tuple[ExhibitInfo, list[dict[str, Any]]]:
    """An exhibit's details and its custody entries (metadata only: no content is read)."""
    with ws.sessions() as session:
        case = get_case(session, case_ref)
        ex = _get_exhibit(session, case.id, case_ref, ref)
        entries = (
            session.execute(
                select(CustodyEntry)
                .where(CustodyEntry.case_ref == case_ref, CustodyEntry.object_id == ref)
                .order_by(CustodyEntry.seq)
            )
            .scalars()
            .all()
        )
        return _exhibit_info(session, ex), [custody.as_dict(e) for e in entries]


@contextmanager
def open_content(
    ws: Workspace, case_ref: str, ref: str, purpose: str, action: str = "view"
) -> Iterator[BinaryIO]:
    """Open an exhibit's bytes. The access is logged (who, when, why) before any byte is read."""
    if not purpose or not purpose.strip():
        raise UserError(
            "a purpose is required to read exhibit content", hint="pass --purpose 'why you need it'"
        )
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        access.require_act(session, ws, "read", case_ref)
        ex = _get_exhibit(session, case.id, case_ref, ref)
        sha = ex.blob_sha256
        check_registered_bytes(session, case_ref, ref, sha)
        audit.record(
            session,
            ws.actor,
            action,
            audit.Subject("exhibit", ref, case_ref),
            purpose=purpose.strip(),
            details={"sha256": sha},
            now=ws.now(),
        )
    if not ws.store.exists(sha):
        raise NotFound(
            f"the bytes of exhibit {ref} are missing from the store",
            hint="run `vigil evidence verify`",
        )
    with ws.store.open(sha) as fh:
        yield fh


def check_registered_bytes(session: Session, case_ref: str, ref: str, sha: str) -> None:
    """Refuse to show an exhibit whose row no longer points at the bytes its custody entry
    registered (a database edited by hand: ``vigil evidence verify`` names it)."""
    entry = session.execute(
        select(CustodyEntry.seq, CustodyEntry.details)
        .where(
            CustodyEntry.object_type == "exhibit",
            CustodyEntry.object_id == ref,
            CustodyEntry.case_ref == case_ref,
            CustodyEntry.action.in_(("register", "derive")),
        )
        .order_by(CustodyEntry.seq)
        .limit(1)
    ).first()
    registered = json.loads(entry.details).get("sha256") if entry is not None else None
    if registered != sha:
        why = (
            f"custody entry {entry.seq} registered {registered}"
            if entry is not None
            else "no custody entry registered it"
        )
        raise IntegrityError(
            f"exhibit {ref} of case {case_ref} now points at stored bytes {sha}, but {why}: "
            "the database was changed outside Vigil, so its content is not shown",
            hint="run `vigil evidence verify` and tell the evidence custodian",
        )


def exhibit_json(info: ExhibitInfo) -> dict[str, Any]:
    """A JSON-ready form of an exhibit (used by the CLI ``--json`` output and bundles)."""

    def t(d: datetime) -> str:
        return custody.utc_iso(d)

    return {
        "case": info.case_ref,
        "ref": info.ref,
        "original_name": info.original_name,
        "mime_type": info.mime_type,
        "size": info.size,
        "sha256": info.sha256,
        "sha1": info.sha1,
        "md5": info.md5,
        "registered_at": t(info.registered_at),
        "tool_version": info.tool_version,
        "parent_ref": info.parent_ref,
        "derived_path": info.derived_path,
        "acquisitions": [
            {
                "original_name": a.original_name,
                "original_path": a.original_path,
                "source": a.source,
                "acquired_by": a.acquired_by,
                "acquired_at": t(a.acquired_at),
                "acquired_at_text": a.acquired_at_text,
                "tz_assumed": a.tz_assumed,
                "registered_at": t(a.registered_at),
                "registered_by": a.registered_by,
                "derived_from": a.derived_from,
            }
            for a in info.acquisitions
        ],
    }


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True)


# --- Exhibits as a signed-in person sees them: membership checked, a re-hash on request -------


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


def case_exhibits(ws: Workspace, user: Principal, case_ref: str) -> list[dict[str, Any]]:
    with ws.sessions() as s:
        require_case(s, user, case_ref, "read")
    return [exhibit_json(e) for e in list_exhibits(ws, case_ref)]


def exhibit_detail(ws: Workspace, user: Principal, case_ref: str, ref: str) -> ExhibitDetail:
    """Hashes, acquisitions and the custody entries of one exhibit (metadata, no content);
    the view is logged with the purpose stated for the case, if any."""
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        purpose = stated_purpose(s, user, case.id, ws.now())
    info, entries = show_exhibit(ws, case_ref, ref)
    with ws.transaction() as s:
        record_view(
            s, user, case_ref, object_type="exhibit", object_id=ref, purpose=purpose,
            details={"page": "exhibit details (metadata)", "sha256": info.sha256}, now=ws.now(),
        )  # fmt: skip
    return ExhibitDetail(exhibit_json(info), entries)


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
