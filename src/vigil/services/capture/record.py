"""Recording captures in the acting officer's open session: a browser capture (a full-page
screenshot, the page's MHTML and HTML, three exhibits) or files imported from a handset.

Every file goes through :func:`vigil.services.evidence.exhibits.register_stream` with the
session's persona, so it is hashed (SHA-256, SHA-1, MD5), stored once and read-only, has its
``register`` custody entry (its source names the session, the URL and the title) and is checked
against the persona's authorisation cover at its capture time. The capture row that ties the
files to the session is then written with its own custody entry.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.capture import Capture, CaptureSession
from vigil.db.tables.cases import Case, Persona
from vigil.db.tables.evidence import Exhibit
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.services import access, audit
from vigil.services.capture.metadata import Claimed, claimed_time
from vigil.services.capture.sessions import SessionInfo, current, session_info
from vigil.services.cases import get_case
from vigil.services.casework.cover import check_capture_time
from vigil.services.evidence.exhibits import Registered, register_stream
from vigil.services.workspace import Workspace

BROWSER_KINDS = ("navigation", "manual", "interval")
KINDS = (*BROWSER_KINDS, "import")


@dataclass(frozen=True, slots=True)
class PageSnapshot:
    """What the browser saw at one moment (made by :mod:`vigil.services.capture.browser`)."""

    kind: str
    url: str
    title: str
    at: datetime
    png: bytes
    mhtml: bytes | None
    html: bytes
    tool: str


@dataclass(frozen=True, slots=True)
class StoredFile:
    part: str
    ref: str
    name: str
    sha256: str
    new_exhibit: bool
    cover_note: str | None


@dataclass(frozen=True, slots=True)
class CaptureInfo:
    session_ref: str
    seq: int
    kind: str
    url: str | None
    title: str | None
    captured_at: datetime
    claimed: Claimed | None
    files: list[StoredFile]
    claimed_cover_note: str | None = None


def _open_session(ws: Workspace) -> tuple[SessionInfo, int]:
    with ws.sessions() as s:
        cs, _ = current(s, ws)
        return session_info(s, cs), cs.id


def _stored(part: str, r: Registered, case_ref: str) -> StoredFile:
    note = r.cover.note(case_ref) if r.cover is not None else None
    ex = r.exhibit
    return StoredFile(part, ex.ref, ex.original_name, ex.sha256, r.new_exhibit, note)


def _exhibit(s: Session, case_id: int, ref: str) -> Exhibit:
    return s.execute(
        select(Exhibit).where(Exhibit.case_id == case_id, Exhibit.ref == ref)
    ).scalar_one()


def _link(
    ws: Workspace,
    session_id: int,
    kind: str,
    at: datetime,
    files: list[StoredFile],
    *,
    url: str | None,
    title: str | None,
    tool: str,
    claimed: Claimed | None = None,
) -> CaptureInfo:
    """Write the capture row tying stored files to the session, and its custody entry."""
    with ws.transaction() as s:
        custody.lock(s)
        cs = s.get(CaptureSession, session_id)
        assert cs is not None
        case, persona = s.get(Case, cs.case_id), s.get(Persona, cs.persona_id)
        assert case is not None and persona is not None
        access.require_act(s, ws, "write", case.ref)
        if cs.stopped_at is not None and cs.stopped_at < at:
            raise UserError(
                f"capture session {cs.ref} was stopped before this capture "
                f"(files stored as {', '.join(f.ref for f in files)}, not in the session)",
                hint="start a new session with `vigil capture start`",
            )
        seq = (
            int(
                s.execute(
                    select(func.max(Capture.seq)).where(Capture.session_id == cs.id)
                ).scalar_one()
                or 0
            )
            + 1
        )
        ids = {f.part: _exhibit(s, case.id, f.ref) for f in files}
        main = ids.get("screenshot") or ids["file"]
        s.add(
            Capture(
                session_id=cs.id, seq=seq, kind=kind, exhibit_id=main.id,
                mhtml_exhibit_id=ids["mhtml"].id if "mhtml" in ids else None,
                html_exhibit_id=ids["html"].id if "html" in ids else None,
                url=url, title=title, captured_at=at,
                claimed_at=claimed.at if claimed else None,
                claimed_text=claimed.text if claimed else None,
                claimed_tz=claimed.tz_assumed if claimed else None,
                claimed_source=claimed.source if claimed else None, tool=tool,
            )
        )  # fmt: skip
        cover_note = None
        if claimed is not None:  # was the persona covered when the handset says it was taken?
            check = check_capture_time(ws, s, case.ref, main, persona.ref, claimed.at)
            cover_note = check.note(case.ref)
        audit.record(
            s, ws.actor, "create", audit.Subject("capture", f"{cs.ref}#{seq}", case.ref),
            details={
                "session": cs.ref, "kind": kind, "url": url, "title": title,
                "captured_at": custody.utc_iso(at), "tool": tool,
                "claimed_at": custody.utc_iso(claimed.at) if claimed else None,
                "claimed_text": claimed.text if claimed else None,
                "claimed_tz": claimed.tz_assumed if claimed else None,
                "files": [{"part": f.part, "ref": f.ref, "sha256": f.sha256} for f in files],
            },
            now=ws.now(),
        )  # fmt: skip
        return CaptureInfo(cs.ref, seq, kind, url, title, at, claimed, files, cover_note)


def record_page(ws: Workspace, snap: PageSnapshot) -> CaptureInfo:
    """Store a browser capture in the acting officer's open session: the screenshot (PNG),
    the MHTML (when the browser gave one) and the HTML, each an exhibit, then the capture."""
    if snap.kind not in BROWSER_KINDS:
        raise ValueError(f"unknown browser capture kind {snap.kind!r}")
    info, session_id = _open_session(ws)
    stamp = snap.at.strftime("%Y%m%dT%H%M%S.%f")[:-3] + "Z"
    source = (
        f"browser capture ({snap.kind}) in capture session {info.ref}, persona "
        f"{info.persona_ref} on {info.platform}: {snap.title!r} at {snap.url}"
    )
    files = []
    for part, data, ext in (
        ("screenshot", snap.png, "png"),
        ("mhtml", snap.mhtml, "mhtml"),
        ("html", snap.html, "html"),
    ):
        if data is None:
            continue
        r = register_stream(
            ws, info.case_ref, io.BytesIO(data), original_name=f"{snap.kind}-{stamp}.{ext}",
            original_path=snap.url, source=source, acquired_by=info.officer_name,
            acquired_at=snap.at.isoformat(), persona=info.persona_ref,
        )  # fmt: skip
        files.append(_stored(part, r, info.case_ref))
    return _link(
        ws, session_id, snap.kind, snap.at, files, url=snap.url, title=snap.title, tool=snap.tool
    )


def import_files(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    device: str | None = None,
    on_file: Callable[[CaptureInfo], None] | None = None,
) -> list[CaptureInfo]:
    """Import screenshots and screen recordings taken on a handset into the open session.

    Each is hashed on arrival and registered at the time of import; an image's EXIF
    DateTimeOriginal is kept as its claimed time, beside the import time (and the persona's
    cover is checked at that claimed time as well). Every path is checked before any is read.
    """
    for p in paths:
        if not p.is_file():
            raise UserError(f"{p}: no such file", hint="pass the files to import")
        if not os.access(p, os.R_OK):
            raise UserError(f"{p}: permission denied", hint="check the file's permissions")
    info, session_id = _open_session(ws)
    with ws.sessions() as s:
        tz = get_case(s, info.case_ref).default_tz
    where = f" from {device.strip()}" if device and device.strip() else ""
    out = []
    for p in paths:
        at = ws.now()
        with p.open("rb") as fh:  # one handle: the claimed time is read from the bytes hashed
            claimed = claimed_time(fh, tz)
            fh.seek(0)
            r = register_stream(
                ws, info.case_ref, fh, original_name=p.name, original_path=str(p.resolve()),
                source=f"device capture{where} imported into capture session {info.ref}, "
                f"persona {info.persona_ref} on {info.platform}",
                acquired_by=info.officer_name, acquired_at=at.isoformat(),
                persona=info.persona_ref,
            )  # fmt: skip
        stored = _stored("file", r, info.case_ref)
        tool = f"{tool_version()} import" + where
        cap = _link(ws, session_id, "import", at, [stored], url=None, title=None, tool=tool,
                    claimed=claimed)  # fmt: skip
        out.append(cap)
        if on_file is not None:
            on_file(cap)
    return out


def record_failure(ws: Workspace, kind: str, url: str, reason: str) -> None:
    """A capture the browser could not take (the page went away mid-capture): on the record."""
    now = ws.now()
    with ws.transaction() as s:
        cs, case_ref = current(s, ws)
        audit.record(
            s, ws.actor, "annotate", audit.Subject("capture_session", cs.ref, case_ref),
            details={"capture_failed": kind, "url": url, "reason": reason[:2000],
                     "at": custody.utc_iso(now)},
            now=now,
        )  # fmt: skip
