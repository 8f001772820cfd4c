"""``vigil capture``: covert capture sessions (docs/capture.md): start, stop, note, browse,
import, transcribe, report, list. Each command calls one service of :mod:`vigil.services.capture`."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.common import JsonOpt, console, err, print_json, workspace
from vigil.errors import UserError
from vigil.evidence.custody import utc_iso
from vigil.services.capture import record, report, sessions
from vigil.services.capture.browser import CHROMIUM, BrowseOptions, CaptureBrowser
from vigil.services.capture.record import CaptureInfo, PageSnapshot
from vigil.services.workspace import Workspace

app = typer.Typer(
    help="Covert capture sessions: an officer's own record of a persona's chats "
    "(browser captures, handset screenshots, notes, the capture report).",
    no_args_is_help=True,
)

SessionOpt = Annotated[
    str | None,
    typer.Option("--session", help="Capture session reference (default: your newest session)."),
]


def _session_json(i: sessions.SessionInfo) -> dict[str, object]:
    return {
        "ref": i.ref, "case": i.case_ref, "persona": i.persona_ref, "platform": i.platform,
        "officer": i.officer, "officer_name": i.officer_name, "device": i.device,
        "tool_version": i.tool_version, "authorisation": i.authorisation_ref,
        "started_at": utc_iso(i.started_at),
        "stopped_at": utc_iso(i.stopped_at) if i.stopped_at else None,
        "captures": i.captures, "notes": i.notes,
    }  # fmt: skip


def _capture_json(c: CaptureInfo) -> dict[str, object]:
    return {
        "session": c.session_ref, "seq": c.seq, "kind": c.kind, "url": c.url, "title": c.title,
        "captured_at": utc_iso(c.captured_at),
        "claimed_at": utc_iso(c.claimed.at) if c.claimed else None,
        "claimed_text": c.claimed.text if c.claimed else None,
        "files": [{"part": f.part, "ref": f.ref, "sha256": f.sha256} for f in c.files],
    }  # fmt: skip


def _say_capture(c: CaptureInfo) -> None:
    files = ", ".join(f"{f.ref} {f.part}" for f in c.files)
    where = c.url or (c.files[0].name if c.files else "")
    console.print(f"capture {c.seq} ({c.kind}) {utc_iso(c.captured_at)}  {where}  [{files}]")
    if c.claimed is not None:
        tz = f", taken as {c.claimed.tz_assumed} time" if c.claimed.tz_assumed else ""
        console.print(
            f"  claimed time {utc_iso(c.claimed.at)} ({c.claimed.source} {c.claimed.text!r}{tz})"
        )
    for note in [f.cover_note for f in c.files if f.cover_note] + [c.claimed_cover_note]:
        if note:
            err.print(f"[yellow]warning:[/yellow] {note}", soft_wrap=True)


@app.command("start")
def start(
    case: Annotated[str, typer.Option("--case", help="Case reference.")],
    persona: Annotated[str, typer.Option("--persona", help="Persona reference.")],
    platform: Annotated[str, typer.Option("--platform", help="Platform, e.g. snapchat.")],
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer",
            help="The capturing officer's name (their initials start the exhibit references). Default: your account's name.",
        ),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option("--device", help="The capturing device. Default: this machine's name."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a capture session; refused unless the persona has a live authorisation now."""
    i = sessions.start_session(
        workspace(), case, persona, platform, officer_name=officer, device=device
    )
    if as_json:
        print_json(_session_json(i))
        return
    console.print(
        f"Capture session {i.ref} started {utc_iso(i.started_at)}: {i.officer_name}, persona "
        f"{i.persona_ref} on {i.platform}, authorisation {i.authorisation_ref} live"
    )


@app.command("stop")
def stop(as_json: JsonOpt = False) -> None:
    """Stop your open capture session."""
    i = sessions.stop_session(workspace())
    if as_json:
        print_json(_session_json(i))
        return
    console.print(
        f"Capture session {i.ref} stopped {utc_iso(i.stopped_at or i.started_at)}: "
        f"{i.captures} capture(s), {i.notes} note(s)"
    )


@app.command("note")
def note(text: Annotated[str, typer.Argument(help="The note, as you would write it.")]) -> None:
    """Add a contemporaneous note to your open session (append-only)."""
    n = sessions.add_note(workspace(), text)
    console.print(f"note {n.seq} added to {n.session_ref} at {utc_iso(n.noted_at)}")


def _stopper(ws: Workspace, every: float = 3.0) -> Callable[[], str | None]:
    """Ends the browse when the session is stopped from another terminal (checked every few
    seconds)."""
    last = [time.monotonic()]

    def check() -> str | None:
        if time.monotonic() - last[0] < every:
            return None
        last[0] = time.monotonic()
        try:
            sessions.current_session(ws)
        except UserError as exc:
            return exc.message
        return None

    return check


@app.command("browse")
def browse(
    url: Annotated[str, typer.Argument(help="The page to open first.")],
    every: Annotated[
        float | None,
        typer.Option("--every", help="Also capture each open page every N seconds.", min=1),
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            "--duration",
            help="End after this many seconds (default: when you close the browser).",
            min=1,
        ),
    ] = None,
    headless: Annotated[
        bool, typer.Option("--headless", help="No window (tests and automation).")
    ] = False,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Browser profile folder to keep (the persona's logins)."),
    ] = None,
    chromium: Annotated[
        Path, typer.Option("--chromium", help="The Chromium executable.")
    ] = CHROMIUM,
    no_sandbox: Annotated[
        bool,
        typer.Option(
            "--no-sandbox", help="Run Chromium without its sandbox (containers as root only)."
        ),
    ] = False,
    no_button: Annotated[
        bool,
        typer.Option("--no-button", help="No capture button on pages: Ctrl+Shift+S only."),
    ] = False,
) -> None:
    """Open Chromium for you to drive; every navigation, Ctrl+Shift+S or button press (and
    --every N seconds) is captured into your open session: screenshot, MHTML, HTML."""
    ws = workspace()
    i = sessions.current_session(ws)
    opts = BrowseOptions(
        chromium=chromium, headless=headless, every=every, duration=duration, profile=profile,
        sandbox=not no_sandbox, button=not no_button,
    )  # fmt: skip

    def keep(snap: PageSnapshot) -> None:
        _say_capture(record.record_page(ws, snap))

    def failed(kind: str, page_url: str, why: str) -> None:
        err.print(f"[yellow]warning:[/yellow] {kind} capture of {page_url} failed: {why}")
        try:
            record.record_failure(ws, kind, page_url, why)
        except UserError as exc:  # the session was stopped meanwhile: the browse ends next
            err.print(f"[yellow]warning:[/yellow] not recorded: {exc.message}")

    err.print(
        f"Capturing into {i.ref} (persona {i.persona_ref} on {i.platform}). Ctrl+Shift+S or the "
        "Capture button captures the page; close the browser to end."
    )
    with CaptureBrowser(keep, opts, clock=ws.now, on_error=failed, should_stop=_stopper(ws)) as cb:
        cb.open(url)
        summary = cb.run()
    console.print(
        f"Browse ended ({summary.ended}): {summary.captures} capture(s), {summary.failures} failed"
    )


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Screenshots and screen recordings.")],
    device: Annotated[
        str | None, typer.Option("--device", help="The handset they were taken on.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import screenshots and recordings taken on a handset into your open session; an
    image's EXIF DateTimeOriginal is kept as its claimed time, beside the import time."""
    out = record.import_files(
        workspace(), files, device=device, on_file=None if as_json else _say_capture
    )
    if as_json:
        print_json([_capture_json(c) for c in out])


@app.command("transcribe")
def transcribe_(
    exhibits: Annotated[
        list[str], typer.Argument(help="Screenshot exhibits, in scrolling order (oldest first).")
    ],
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="The chat app's layout: whatsapp, instagram, messenger, snapchat, discord or "
            "telegram.",
        ),
    ],
    theme: Annotated[
        str, typer.Option("--theme", help="light, dark or auto (from the background).")
    ] = "auto",
    left: Annotated[
        str | None,
        typer.Option("--left", help="The other party's name (left-hand messages)."),
    ] = None,
    right: Annotated[
        str | None,
        typer.Option(
            "--right",
            help="The phone owner's name (right-hand messages). Default: the session's persona.",
        ),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The day the screenshots were taken, YYYY-MM-DD (default: their claimed EXIF "
            "time): what Today and Yesterday mean.",
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="The time zone the phone's clock showed (IANA name)."),
    ] = None,
    case: Annotated[
        str | None,
        typer.Option("--case", help="The exhibits' case (default: your newest session's)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read chat screenshots by OCR into a transcript conversation (a derived exhibit), which
    triage scores like any other. Overlapping screenshots merge; low-confidence words are
    marked, never corrected. A lead to check against the screenshots, never a verdict."""
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError as exc:
        raise UserError(f"--date {day!r} is not a date", hint="YYYY-MM-DD") from exc
    from vigil.services.capture import transcribe  # OCR: NumPy, SciPy, Tesseract on demand

    opts = transcribe.TranscribeOptions(layout, theme, left, right, when, tz)
    i = transcribe.transcribe_exhibits(workspace(), exhibits, opts, case_ref=case)
    if as_json:
        print_json({
            "case": i.case_ref, "exhibit": i.exhibit_ref, "conversation_id": i.conversation_id,
            "transcript_id": i.transcript_id, "layout": i.layout, "theme": i.theme,
            "engine": i.engine, "screenshots": i.screenshots, "messages": i.messages,
            "repeated": i.repeated, "low_confidence_messages": i.low_confidence,
            "first_at": utc_iso(i.first_at) if i.first_at else None,
            "last_at": utc_iso(i.last_at) if i.last_at else None, "notes": i.notes,
        })  # fmt: skip
        return
    console.print(
        f"Transcript {i.exhibit_ref} of {', '.join(i.screenshots)}: {i.messages} message(s) "
        f"({i.layout}, {i.theme}; {i.repeated} repeated in overlaps kept once; "
        f"{i.low_confidence} with low-confidence words marked), conversation {i.conversation_id}"
    )
    for n in i.notes:
        err.print(f"  note: {n}", soft_wrap=True)
    err.print("A transcript is a lead: check it against the screenshots.")


@app.command("report")
def report_(
    out: Annotated[Path, typer.Option("--out", help="File to write (.html or .pdf).")],
    session: SessionOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="html or pdf (default: from the file's suffix)."),
    ] = None,
) -> None:
    """Write a session's capture report (HTML or PDF): session, authorisation, every capture
    with its exhibits' SHA-256, every note, the session log."""
    chosen = fmt or {".htm": "html", ".html": "html", ".pdf": "pdf"}.get(out.suffix.lower(), "")
    if chosen not in report.FORMATS:
        raise UserError(f"unknown report format {chosen!r}", hint="--format html or --format pdf")
    data, r = report.capture_report(workspace(), session, chosen)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    err.print(
        f"Wrote the {chosen.upper()} capture report of {r.session.ref} to {out} "
        f"({len(r.captures)} capture(s), {len(r.notes)} note(s))"
    )


@app.command("list")
def list_(
    case: Annotated[
        str | None, typer.Option("--case", help="A case's sessions (default: your own).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List capture sessions."""
    found = sessions.list_sessions(workspace(), case)
    if as_json:
        print_json([_session_json(i) for i in found])
        return
    table = Table("session", "officer", "persona", "platform", "started", "stopped", "captures",
                  "notes")  # fmt: skip
    for i in found:
        table.add_row(
            i.ref, i.officer_name, i.persona_ref, i.platform, utc_iso(i.started_at),
            utc_iso(i.stopped_at) if i.stopped_at else "open", str(i.captures), str(i.notes),
        )  # fmt: skip
    console.print(table)
