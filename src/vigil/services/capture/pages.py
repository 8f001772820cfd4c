"""What the capture-session pages and their API show (issue 18 item 4): a case's capture
sessions, and one session's captures in time order with the officer's notes between them and,
beside each screenshot, the transcript lines OCR read from it (docs/capture.md, "Web").

Each function takes the signed-in :class:`~vigil.services.access.Principal`, checks that they
are on the case with a role that reads it and that they stated a purpose for it in this
sign-in, and writes the view to the custody log with that purpose. A session is always looked
up *within* the case named in the address (``CS3`` is the session ``<case>/CS3``), so one
case's page cannot reach another case's sessions.

Pixels are never part of these read models: a screenshot's thumbnail and each transcript line's
crop are URLs, served blurred by :mod:`vigil.services.capture.images`. An OCR transcript is a
lead for a trained person, never a verdict: its text must be checked against the screenshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil import LEAD_NOT_VERDICT
from vigil.db.tables.access import User
from vigil.db.tables.capture import Capture, CaptureNote, CaptureSession
from vigil.db.tables.cases import Case, Persona
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import NotFound, UserError
from vigil.services import access, links
from vigil.services.capture.transcripts import TranscriptView, transcripts_of
from vigil.services.listing import ListQuery, Page, Sorts
from vigil.services.workspace import Workspace

SESSION_SORTS = Sorts({"started": ("start time", "asc")}, "started")
CAPTURE_SORTS = Sorts({"time": ("capture time", "asc")}, "time")
OCR_NOTE = (
    "Transcript lines were read from the screenshot by OCR: check each against its crop and "
    "the screenshot before relying on it. " + LEAD_NOT_VERDICT
)
LEAD_NOTE = LEAD_NOT_VERDICT


# --- addresses -------------------------------------------------------------------------------


def short_ref(session_ref: str) -> str:
    """``OP-1/CS3`` -> ``CS3``: the part of a session reference after its case's."""
    return session_ref.rsplit("/", 1)[-1]


def session_url(case_ref: str, session_ref: str) -> str:
    return f"{links.case(case_ref)}/capture/{short_ref(session_ref)}"


def thumb_url(case_ref: str, session_ref: str, seq: int) -> str:
    return f"{session_url(case_ref, session_ref)}/{int(seq)}/thumb"


# --- read models -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A capture session as the sessions list shows it."""

    ref: str
    short_ref: str
    url: str
    officer: str
    officer_name: str
    persona_ref: str
    persona_name: str
    platform: str
    authorisation_ref: str
    device: str
    tool_version: str
    started_at: datetime
    stopped_at: datetime | None
    open: bool
    captures: int
    notes: int


@dataclass(slots=True)
class SessionsPage:
    case_ref: str
    title: str
    purpose: str
    sessions: Page[SessionRow]
    note: str = LEAD_NOTE


@dataclass(frozen=True, slots=True)
class FileView:
    """One stored file of a capture: which part it is, its exhibit and hashes."""

    part: str  # screenshot, mhtml, html or file (an import)
    exhibit_ref: str
    url: str
    name: str
    mime_type: str
    size: int
    sha256: str
    md5: str


@dataclass(frozen=True, slots=True)
class CaptureView:
    seq: int
    kind: str
    url: str | None
    title: str | None
    captured_at: datetime
    claimed_at: datetime | None
    claimed_text: str | None
    claimed_tz: str | None
    claimed_source: str | None
    tool: str
    files: list[FileView]
    thumb_url: str | None
    transcripts: list[TranscriptView]


@dataclass(frozen=True, slots=True)
class NoteView:
    seq: int
    text: str
    noted_at: datetime
    noted_by: str


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """A capture or a note, in the order they happened (a note after a capture of its time)."""

    at: datetime
    capture: CaptureView | None = None
    note: NoteView | None = None


@dataclass(slots=True)
class SessionPage:
    case_ref: str
    title: str
    purpose: str
    session: SessionRow
    items: list[TimelineItem]
    captures: Page[CaptureView]
    transcript_lines: int = 0
    note: str = LEAD_NOTE
    ocr_note: str = OCR_NOTE


# --- lookups ---------------------------------------------------------------------------------


def case_session(session: Session, case_: Case, session_ref: str) -> CaptureSession:
    """The session ``CSn`` (or its full reference) of this case; NotFound otherwise."""
    short = short_ref(session_ref.strip())
    cs = session.execute(
        select(CaptureSession).where(
            CaptureSession.case_id == case_.id, CaptureSession.ref == f"{case_.ref}/{short}"
        )
    ).scalar_one_or_none()
    if cs is None:
        raise NotFound(f"no capture session {short} in case {case_.ref}")
    return cs


def _row(
    session: Session, cs: CaptureSession, case_ref: str, counts: tuple[int, int]
) -> SessionRow:
    persona = session.get(Persona, cs.persona_id)
    officer = session.get(User, cs.officer_id)
    assert persona is not None and officer is not None
    return SessionRow(
        cs.ref, short_ref(cs.ref), session_url(case_ref, cs.ref), officer.username,
        cs.officer_name, persona.ref, persona.name_used, cs.platform, cs.authorisation_ref,
        cs.device, cs.tool_version, cs.started_at, cs.stopped_at, cs.stopped_at is None,
        counts[0], counts[1],
    )  # fmt: skip


def _counts(session: Session, ids: list[int], table: Any) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(table.session_id, func.count(table.id))
        .where(table.session_id.in_(ids))
        .group_by(table.session_id)
    )
    return {sid: int(n) for sid, n in rows}


# --- the sessions of a case ------------------------------------------------------------------


def sessions_page(
    ws: Workspace, user: access.Principal, case_ref: str, query: ListQuery
) -> SessionsPage:
    """A page of the case's capture sessions, oldest first (read and a stated purpose)."""
    now = ws.now()
    with ws.transaction() as session:
        case_ = access.require_case(session, user, case_ref, "read")
        purpose = access.require_purpose(session, user, case_, now)
        where = CaptureSession.case_id == case_.id
        total = session.execute(select(func.count(CaptureSession.id)).where(where)).scalar_one()
        order = CaptureSession.started_at.desc() if query.descending else CaptureSession.started_at
        found = list(
            session.execute(
                select(CaptureSession)
                .where(where)
                .order_by(order, CaptureSession.id)
                .offset(query.offset)
                .limit(query.limit)
            ).scalars()
        )
        ids = [cs.id for cs in found]
        caps, notes = _counts(session, ids, Capture), _counts(session, ids, CaptureNote)
        rows = [_row(session, cs, case_.ref, (caps.get(cs.id, 0), notes.get(cs.id, 0)))
                for cs in found]  # fmt: skip
        access.record_view(
            session, user, case_.ref, object_type="capture_sessions", object_id=case_.ref,
            purpose=purpose,
            details={"sessions": [r.ref for r in rows], "offset": query.offset},
            now=now,
        )  # fmt: skip
        return SessionsPage(case_.ref, case_.title, purpose, Page.of(rows, int(total), query))


# --- one session -----------------------------------------------------------------------------


def _files(session: Session, case_ref: str, caps: list[Capture]) -> dict[int, list[FileView]]:
    parts: list[tuple[int, str, int]] = []
    for c in caps:
        main = "file" if c.kind == "import" else "screenshot"
        parts.append((c.id, main, c.exhibit_id))
        if c.mhtml_exhibit_id is not None:
            parts.append((c.id, "mhtml", c.mhtml_exhibit_id))
        if c.html_exhibit_id is not None:
            parts.append((c.id, "html", c.html_exhibit_id))
    ex_ids = sorted({e for _, _, e in parts})
    exhibits = {
        ex.id: (ex, blob)
        for ex, blob in session.execute(
            select(Exhibit, Blob)
            .join(Blob, Blob.sha256 == Exhibit.blob_sha256)
            .where(Exhibit.id.in_(ex_ids))
        )
    }
    out: dict[int, list[FileView]] = {c.id: [] for c in caps}
    for cap_id, part, ex_id in parts:
        ex, blob = exhibits[ex_id]
        out[cap_id].append(
            FileView(part, ex.ref, links.exhibit(case_ref, ex.ref), ex.original_name,
                     ex.mime_type, int(ex.size), ex.blob_sha256, blob.md5)
        )  # fmt: skip
    return out


def is_image(mime_type: str) -> bool:
    return mime_type.startswith("image/")


def session_page(
    ws: Workspace, user: access.Principal, case_ref: str, session_ref: str, query: ListQuery
) -> SessionPage:
    """One session: a page of its captures in time order, each with its files (exhibits and
    hashes), its blurred thumbnail's URL and the transcript lines read from it, and the notes
    written between the page's first and next capture, interleaved by time. Read and a
    stated purpose; the view is logged."""
    if query.descending:
        raise UserError("a capture session is shown in time order", hint="leave out order=desc")
    now = ws.now()
    with ws.transaction() as session:
        case_ = access.require_case(session, user, case_ref, "read")
        purpose = access.require_purpose(session, user, case_, now)
        cs = case_session(session, case_, session_ref)
        total = int(
            session.execute(
                select(func.count(Capture.id)).where(Capture.session_id == cs.id)
            ).scalar_one()
        )
        order = (Capture.captured_at, Capture.seq)
        caps = list(
            session.execute(
                select(Capture)
                .where(Capture.session_id == cs.id)
                .order_by(*order)
                .offset(query.offset)
                .limit(query.limit + 1)  # the next page's first capture bounds this page's notes
            ).scalars()
        )
        following = caps[query.limit] if len(caps) > query.limit else None
        caps = caps[: query.limit]
        n_notes = session.execute(
            select(func.count(CaptureNote.id)).where(CaptureNote.session_id == cs.id)
        ).scalar_one()
        row = _row(session, cs, case_.ref, (total, int(n_notes)))
        notes_q = (
            select(CaptureNote, User.username)
            .join(User, User.id == CaptureNote.noted_by_id)
            .where(CaptureNote.session_id == cs.id)
        )
        if query.offset > 0 and caps:
            notes_q = notes_q.where(CaptureNote.noted_at >= caps[0].captured_at)
        if following is not None:
            notes_q = notes_q.where(CaptureNote.noted_at < following.captured_at)
        notes = [NoteView(n.seq, n.text, n.noted_at, who)
                 for n, who in session.execute(notes_q.order_by(CaptureNote.seq))]  # fmt: skip
        if query.offset > 0 and not caps:
            notes = []  # past the last capture: the last page showed the trailing notes
        files = _files(session, case_.ref, caps)
        transcripts = transcripts_of(session, case_, cs.ref, caps)
        views = []
        for c in caps:
            main = files[c.id][0]
            thumb = thumb_url(case_.ref, cs.ref, c.seq) if is_image(main.mime_type) else None
            views.append(
                CaptureView(
                    c.seq, c.kind, c.url, c.title, c.captured_at, c.claimed_at, c.claimed_text,
                    c.claimed_tz, c.claimed_source, c.tool, files[c.id], thumb,
                    transcripts[c.id],
                )
            )  # fmt: skip
        timeline = [
            (v.captured_at, 0, v.seq, TimelineItem(v.captured_at, capture=v)) for v in views
        ]
        timeline += [(n.noted_at, 1, n.seq, TimelineItem(n.noted_at, note=n)) for n in notes]
        timeline.sort(key=lambda t: t[:3])
        lines = sum(len(t.lines) for v in views for t in v.transcripts)
        access.record_view(
            session, user, case_.ref, object_type="capture_session", object_id=cs.ref,
            purpose=purpose,
            details={"captures": [v.seq for v in views], "notes": [n.seq for n in notes],
                     "transcript_lines": lines, "offset": query.offset},
            now=now,
        )  # fmt: skip
        return SessionPage(
            case_.ref, case_.title, purpose, row, [t[3] for t in timeline],
            Page.of(views, total, query), lines,
        )  # fmt: skip
