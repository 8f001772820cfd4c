"""Capture sessions: start (a live authorisation is required), stop, the current session,
contemporaneous notes, and listing. Each act writes one custody entry."""

from __future__ import annotations

import platform as _platform
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.access import User
from vigil.db.tables.capture import Capture, CaptureNote, CaptureSession
from vigil.db.tables.cases import Case, Persona
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.evidence import custody
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.casework.authorisations import live_authorisation
from vigil.services.casework.personas import get_persona
from vigil.services.workspace import Workspace

NOTE_MAX = 20_000
"""Characters in one note (a longer note is refused, never cut)."""


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A capture session as the CLI, the report and the tests see it."""

    ref: str
    case_ref: str
    persona_ref: str
    platform: str
    officer: str
    officer_name: str
    device: str
    tool_version: str
    authorisation_ref: str
    started_at: datetime
    stopped_at: datetime | None
    captures: int
    notes: int

    @property
    def open(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True, slots=True)
class NoteInfo:
    session_ref: str
    seq: int
    text: str
    noted_at: datetime
    noted_by: str


def default_device() -> str:
    """The capturing machine as the operating system names it."""
    u = _platform.uname()
    return f"{u.node} ({u.system} {u.release}, {u.machine})"


def session_info(s: Session, cs: CaptureSession) -> SessionInfo:
    case = s.get(Case, cs.case_id)
    persona = s.get(Persona, cs.persona_id)
    officer = s.get(User, cs.officer_id)
    assert case is not None and persona is not None and officer is not None
    n_caps = s.execute(
        select(func.count(Capture.id)).where(Capture.session_id == cs.id)
    ).scalar_one()
    n_notes = s.execute(
        select(func.count(CaptureNote.id)).where(CaptureNote.session_id == cs.id)
    ).scalar_one()
    return SessionInfo(
        cs.ref, case.ref, persona.ref, cs.platform, officer.username, cs.officer_name,
        cs.device, cs.tool_version, cs.authorisation_ref, cs.started_at, cs.stopped_at,
        int(n_caps), int(n_notes),
    )  # fmt: skip


def open_session_of(s: Session, user_id: int) -> CaptureSession | None:
    return s.execute(
        select(CaptureSession).where(CaptureSession.open_for_id == user_id)
    ).scalar_one_or_none()


def current(s: Session, ws: Workspace) -> tuple[CaptureSession, str]:
    """The acting officer's open session and its case, checked as still theirs to write in;
    UserError when they have none open."""
    user = access.acting(s, ws)
    cs = open_session_of(s, user.user_id)
    if cs is None:
        raise UserError(
            f"{user.username} has no capture session open",
            hint="start one with `vigil capture start --case C --persona P --platform NAME`",
        )
    case = s.get(Case, cs.case_id)
    assert case is not None
    access.require_act(s, ws, "write", case.ref)
    return cs, case.ref


def get_session(s: Session, ws: Workspace, ref: str | None, need: access.Need) -> CaptureSession:
    """A session by reference (need-to-know on its case), or the acting officer's newest."""
    user = access.acting(s, ws)
    if ref is None:
        cs = s.execute(
            select(CaptureSession)
            .where(CaptureSession.officer_id == user.user_id)
            .order_by(CaptureSession.started_at.desc(), CaptureSession.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if cs is None:
            raise NotFound(f"{user.username} has no capture sessions", hint="pass --session REF")
    else:
        cs = s.execute(select(CaptureSession).where(CaptureSession.ref == ref)).scalar_one_or_none()
        if cs is None:
            raise NotFound(f"no capture session {ref!r}", hint="see `vigil capture list`")
    case = s.get(Case, cs.case_id)
    assert case is not None
    access.require_act(s, ws, need, case.ref)
    return cs


def start_session(
    ws: Workspace,
    case_ref: str,
    persona_ref: str,
    platform: str,
    *,
    officer_name: str | None = None,
    device: str | None = None,
) -> SessionInfo:
    """Open a capture session for the acting officer. Refused (AccessDenied, with every
    reason) unless an authorisation of the persona covering the case is live now; refused
    (UserError) while the officer has another session open."""
    platform = platform.strip()
    if not platform:
        raise UserError("the platform is empty", hint="pass --platform NAME, e.g. snapchat")
    now = ws.now()
    try:
        with ws.transaction() as s:
            custody.lock(s)
            user = access.require_act(s, ws, "write", case_ref)
            case = get_case(s, case_ref)
            already = open_session_of(s, user.user_id)
            if already is not None:
                raise UserError(
                    f"{user.username} already has capture session {already.ref} open",
                    hint="stop it first with `vigil capture stop`",
                )
            persona = get_persona(s, persona_ref)
            try:
                auth_ref = live_authorisation(s, case_ref, persona_ref, now)
            except AccessDenied as exc:
                raise AccessDenied(
                    f"capture session not started: {exc.message}",
                    hint="a session needs an authorisation of the persona live now "
                    "(see `vigil authorisation list`)",
                ) from exc
            seq = (
                int(
                    s.execute(
                        select(func.max(CaptureSession.seq)).where(
                            CaptureSession.case_id == case.id
                        )
                    ).scalar_one()
                    or 0
                )
                + 1
            )
            cs = CaptureSession(
                ref=f"{case.ref}/CS{seq}", case_id=case.id, seq=seq, persona_id=persona.id,
                platform=platform, officer_id=user.user_id,
                officer_name=(officer_name or user.display_name or user.username).strip(),
                device=(device or default_device()).strip(), tool_version=tool_version(),
                authorisation_ref=auth_ref, started_at=now, stopped_at=None,
                open_for_id=user.user_id,
            )  # fmt: skip
            s.add(cs)
            s.flush()
            audit.record(
                s, ws.actor, "create", audit.Subject("capture_session", cs.ref, case.ref),
                details={"persona": persona.ref, "platform": cs.platform,
                         "officer_name": cs.officer_name, "device": cs.device,
                         "authorisation": auth_ref, "started_at": custody.utc_iso(now)},
                now=now,
            )  # fmt: skip
            return session_info(s, cs)
    except SAIntegrityError as exc:  # another start by the same officer won the race
        raise UserError(
            "another capture session was opened at the same moment",
            hint="see `vigil capture list`",
        ) from exc


def stop_session(ws: Workspace) -> SessionInfo:
    """Stop the acting officer's open session."""
    now = ws.now()
    with ws.transaction() as s:
        custody.lock(s)
        cs, case_ref = current(s, ws)
        cs.stopped_at = now
        cs.open_for_id = None
        s.flush()
        info = session_info(s, cs)
        audit.record(
            s, ws.actor, "update", audit.Subject("capture_session", cs.ref, case_ref),
            details={"stopped_at": custody.utc_iso(now), "captures": info.captures,
                     "notes": info.notes},
            now=now,
        )  # fmt: skip
        return info


def add_note(ws: Workspace, text: str) -> NoteInfo:
    """Append a contemporaneous note to the acting officer's open session. Its text is in the
    custody entry too, so a later change to the note would show."""
    text = text.strip()
    if not text:
        raise UserError("the note is empty", hint='vigil capture note "what happened"')
    if len(text) > NOTE_MAX:
        raise UserError(f"the note is longer than {NOTE_MAX:,} characters", hint="split it")
    now = ws.now()
    with ws.transaction() as s:
        custody.lock(s)
        cs, case_ref = current(s, ws)
        user = access.acting(s, ws)
        seq = (
            int(
                s.execute(
                    select(func.max(CaptureNote.seq)).where(CaptureNote.session_id == cs.id)
                ).scalar_one()
                or 0
            )
            + 1
        )
        s.add(CaptureNote(session_id=cs.id, seq=seq, text=text, noted_at=now,
                          noted_by_id=user.user_id))  # fmt: skip
        audit.record(
            s, ws.actor, "annotate", audit.Subject("capture_session", cs.ref, case_ref),
            details={"note": seq, "text": text, "noted_at": custody.utc_iso(now)},
            now=now,
        )  # fmt: skip
        return NoteInfo(cs.ref, seq, text, now, user.username)


def current_session(ws: Workspace) -> SessionInfo:
    """The acting officer's open session (UserError when none)."""
    with ws.sessions() as s:
        cs, _ = current(s, ws)
        return session_info(s, cs)


def list_sessions(ws: Workspace, case_ref: str | None = None) -> list[SessionInfo]:
    """A case's sessions (need-to-know on the case), or the acting officer's own."""
    with ws.sessions() as s:
        q = select(CaptureSession).order_by(CaptureSession.started_at, CaptureSession.id)
        if case_ref is not None:
            access.require_act(s, ws, "read", case_ref)
            q = q.where(CaptureSession.case_id == get_case(s, case_ref).id)
        else:
            q = q.where(CaptureSession.officer_id == access.acting(s, ws).user_id)
        out = []
        for cs in s.execute(q).scalars():
            info = session_info(s, cs)
            if case_ref is None and not _may_read(s, ws, info.case_ref):
                continue  # an own session in a case the officer is no longer on
            out.append(info)
        return out


def _may_read(s: Session, ws: Workspace, case_ref: str) -> bool:
    try:
        access.require_act(s, ws, "read", case_ref)
    except AccessDenied:
        return False
    return True


def session_notes(s: Session, cs: CaptureSession) -> list[NoteInfo]:
    rows = s.execute(
        select(CaptureNote, User.username)
        .join(User, User.id == CaptureNote.noted_by_id)
        .where(CaptureNote.session_id == cs.id)
        .order_by(CaptureNote.seq)
    ).all()
    return [NoteInfo(cs.ref, n.seq, n.text, n.noted_at, who) for n, who in rows]
