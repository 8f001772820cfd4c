"""The capture report of one session: the officer's record of it, in the form they would
exhibit (HTML from a Jinja2 template; PDF laid out from that HTML by WeasyPrint, as
:mod:`vigil.reports.render_pdf` does). Making one is itself on the custody record, with the
SHA-256 of the bytes produced."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil import LEAD_NOT_VERDICT, tool_version
from vigil.db.tables.capture import Capture, CaptureSession
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.services import audit
from vigil.services.capture.sessions import (
    NoteInfo,
    SessionInfo,
    get_session,
    session_info,
    session_notes,
)
from vigil.services.casework.authorisations import AuthInfo, auth_info, get_authorisation
from vigil.services.workspace import Workspace

FORMATS = ("html", "pdf")
STATEMENT = (
    "The captures listed here are the capturing officer's own record of the session, made as "
    "it happened; each file was hashed when it was stored and is held unchanged, with its "
    "custody entries, in Vigil's evidence store. " + LEAD_NOT_VERDICT + " Anything Vigil "
    "derives from these captures is for a trained person to assess."
)


@dataclass(frozen=True, slots=True)
class ReportFile:
    part: str
    ref: str
    name: str
    mime_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ReportCapture:
    seq: int
    kind: str
    captured_at: datetime
    url: str | None
    title: str | None
    claimed_at: datetime | None
    claimed_text: str | None
    claimed_tz: str | None
    claimed_source: str | None
    tool: str
    files: list[ReportFile]


@dataclass(frozen=True, slots=True)
class LogLine:
    at: datetime
    what: str
    detail: str


@dataclass(frozen=True, slots=True)
class CaptureReport:
    session: SessionInfo
    authorisation: AuthInfo | None
    captures: list[ReportCapture]
    notes: list[NoteInfo]
    log: list[LogLine]
    generated_at: datetime
    generated_by: str
    tool_version: str
    statement: str = STATEMENT


def _files(s: Session, c: Capture) -> list[ReportFile]:
    out = []
    for part, ex_id in (
        ("screenshot" if c.kind != "import" else "file", c.exhibit_id),
        ("mhtml", c.mhtml_exhibit_id),
        ("html", c.html_exhibit_id),
    ):
        if ex_id is None:
            continue
        ex = s.get(Exhibit, ex_id)
        assert ex is not None
        blob = s.get(Blob, ex.blob_sha256)
        assert blob is not None
        out.append(ReportFile(part, ex.ref, ex.original_name, ex.mime_type, ex.size, blob.sha256))
    return out


def _log(info: SessionInfo, caps: list[ReportCapture], notes: list[NoteInfo]) -> list[LogLine]:
    lines = [
        LogLine(info.started_at, "session started",
                f"{info.officer_name}, persona {info.persona_ref} on {info.platform}, "
                f"authorisation {info.authorisation_ref}")
    ]  # fmt: skip
    for c in caps:
        refs = ", ".join(f.ref for f in c.files)
        where = c.url or (c.files[0].name if c.files else "")
        lines.append(LogLine(c.captured_at, f"capture {c.seq} ({c.kind})", f"{where} [{refs}]"))
    lines += [LogLine(n.noted_at, f"note {n.seq}", n.text) for n in notes]
    if info.stopped_at is not None:
        lines.append(LogLine(info.stopped_at, "session stopped", ""))
    order = {"session started": 0, "session stopped": 2}
    return sorted(lines, key=lambda ln: (ln.at, order.get(ln.what, 1)))


def build_report(s: Session, ws: Workspace, cs: CaptureSession) -> CaptureReport:
    info = session_info(s, cs)
    auth = None
    try:
        a = get_authorisation(s, cs.authorisation_ref)
        auth = auth_info(s, a, info.persona_ref, cs.started_at)
    except UserError:  # the record the session names has gone: the reference is still shown
        auth = None
    caps = [
        ReportCapture(c.seq, c.kind, c.captured_at, c.url, c.title, c.claimed_at, c.claimed_text,
                      c.claimed_tz, c.claimed_source, c.tool, _files(s, c))
        for c in s.execute(
            select(Capture).where(Capture.session_id == cs.id).order_by(Capture.seq)
        ).scalars()
    ]  # fmt: skip
    notes = session_notes(s, cs)
    return CaptureReport(
        info, auth, caps, notes, _log(info, caps, notes), ws.now(), ws.actor, tool_version()
    )


def _utc(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S UTC")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("vigil.services.capture", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = _utc
    return env


def render_html(r: CaptureReport) -> str:
    return _env().get_template("report.html.j2").render(r=r)


def render(r: CaptureReport, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise UserError(f"unknown report format {fmt!r}", hint="choose html or pdf")
    html = render_html(r)
    if fmt == "html":
        return html.encode("utf-8")
    from vigil.reports.render_pdf import html_to_pdf

    return html_to_pdf(html)


def capture_report(ws: Workspace, session_ref: str | None, fmt: str) -> tuple[bytes, CaptureReport]:
    """The report of ``session_ref`` (default: the acting officer's newest session) as HTML or
    PDF bytes. Anyone who may read the case may make it; it is logged as an export."""
    with ws.sessions() as s:
        cs = get_session(s, ws, session_ref, "read")
        report = build_report(s, ws, cs)
    data = render(report, fmt)
    with ws.transaction() as s:
        cs = get_session(s, ws, report.session.ref, "read")
        audit.record(
            s, ws.actor, "export",
            audit.Subject("capture_session", cs.ref, report.session.case_ref),
            details={"report": "capture report", "format": fmt,
                     "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                     "captures": len(report.captures), "notes": len(report.notes),
                     "generated_at": custody.utc_iso(report.generated_at)},
            now=ws.now(),
        )  # fmt: skip
    return data, report


__all__ = ["FORMATS", "CaptureReport", "build_report", "capture_report", "render"]
