"""Transcript exhibits of a conversation (``vigil report transcript``): read under need to know
with a stated purpose, written as PDF or HTML, and registered as an exhibit derived from the
source exhibit, so the document an officer produces in court is itself hashed and in custody.

The messages are chosen by sequence ranges, by review tags or bookmarks, or by the findings of
chosen indicator categories (any of them; none: the whole conversation). The annex holds the
review decisions and notes on the whole conversation and on the messages shown.

With an ``audience`` (``defence`` or ``cps``) the transcript is redacted
(:mod:`vigil.services.redaction`, docs/redaction.md): each redacted stretch of a message, a
sender's name, a participant, the title or a file name becomes a visible marker such as
``[REDACTED: victim identity]``, persona identities are redacted for the defence by default,
and the annex lists each redaction (message, reason, who made it and when; never the text).
The stored messages never change; the unredacted transcript is the one without an audience.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.analysis.wording import default_wording
from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import AttachmentRow, MessageRow, ParticipantRow
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.errors import UserError
from vigil.redaction.reasons import reason_label
from vigil.reports import transcript as tx
from vigil.services import access
from vigil.services.conversation_csv import local_time_text, zone_of
from vigil.services.conversations import conversation_in_case
from vigil.services.evidence.exhibits import register_stream
from vigil.services.redaction.text import Redactor, redactor
from vigil.services.review.model import Decision, replay
from vigil.services.review.read import decisions_of
from vigil.services.workspace import Workspace

FORMATS = ("pdf", "html")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which messages: any of these (none given: all of them)."""

    ranges: tuple[tuple[int, int], ...] = ()
    tags: tuple[str, ...] = ()
    bookmarked: bool = False
    categories: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not (self.ranges or self.tags or self.bookmarked or self.categories)


@dataclass(frozen=True, slots=True)
class Produced:
    transcript: tx.Transcript
    out: Path
    sha256: str
    exhibit_ref: str | None
    """The exhibit the written file was registered as (derived from the source exhibit); None
    for a redacted copy or one made by a role that may not register exhibits (the file's
    SHA-256 is then in the custody log's export entry)."""


def _categories(session: Session, conv_id: int, wanted: Sequence[str]) -> set[str]:
    """Category ids from ids or labels (any case); UserError naming one the conversation lacks."""
    words = default_wording()
    present = set(
        session.execute(
            select(FindingRow.category).where(FindingRow.conversation_id == conv_id).distinct()
        ).scalars()
    )
    by_name = {c.lower(): c for c in present} | {words.label(c).lower(): c for c in present}
    out = set()
    for w in wanted:
        cid = by_name.get(w.strip().lower())
        if cid is None:
            raise UserError(
                f"no indicators of {w!r} in this conversation",
                hint="found here: "
                + (", ".join(sorted(words.label(c) for c in present)) or "none"),
            )
        out.add(cid)
    return out


def _chosen(
    session: Session, conv_id: int, sel: Selection, decisions: list[Decision]
) -> set[int] | None:
    """The sequence numbers selected (None: every message)."""
    if sel.everything:
        return None
    seqs: set[int] = set()
    if sel.tags or sel.bookmarked:
        tags = set(sel.tags)
        for seq, marks in replay(decisions).items():
            if seq is not None and (
                (sel.bookmarked and marks.bookmarked) or tags & set(marks.tags)
            ):
                seqs.add(seq)
    if sel.categories:
        cats = _categories(session, conv_id, sel.categories)
        seqs.update(
            session.execute(
                select(FindingRow.message_seq).where(
                    FindingRow.conversation_id == conv_id, FindingRow.category.in_(cats)
                )
            ).scalars()
        )
    return seqs


def _lines(
    session: Session,
    conv_id: int,
    sel: Selection,
    chosen: set[int] | None,
    zone: tzinfo,
    red: Redactor | None = None,
    notes: list[tx.AnnexLine] | None = None,
) -> list[tx.Line]:
    """The lines shown; with ``red``, redacted, and the redactions applied added to ``notes``."""
    names = {
        p.id: p.display_name or p.platform_id
        for p in session.execute(
            select(ParticipantRow).where(ParticipantRow.conversation_id == conv_id)
        ).scalars()
    }
    atts: dict[int, list[str]] = {}
    for a, ref in session.execute(
        select(AttachmentRow, Exhibit.ref)
        .outerjoin(Exhibit, Exhibit.id == AttachmentRow.exhibit_id)
        .where(AttachmentRow.conversation_id == conv_id)
    ).all():
        name = a.file_name or "unnamed file"
        atts.setdefault(a.message_seq, []).append(
            f"{name}, exhibit {ref}" if ref else f"{name} ({a.status})"
        )
    out = []
    for m in session.execute(
        select(MessageRow).where(MessageRow.conversation_id == conv_id).order_by(MessageRow.seq)
    ).scalars():
        if chosen is not None and m.seq not in chosen and not tx.in_ranges(m.seq, sel.ranges):
            continue
        flags = [w for w, on in (("system message", m.is_system), ("deleted", m.is_deleted),
                                 ("edited", m.is_edited)) if on]  # fmt: skip
        sender = names.get(m.sender_id, "") if m.sender_id else ""
        text = m.text or ""
        files = tuple(atts.get(m.seq, ()))
        if red is not None:
            before = (set(red.used), red.persona_hits)
            text = red.message(conv_id, m.seq, text).text
            sender = red.free(sender, conv_id).text
            files = tuple(red.free(f, conv_id).text for f in files)
            if notes is not None:
                notes += _redaction_notes(red, before, m.seq, zone)
        out.append(
            tx.Line(m.seq, local_time_text(m.sent_at, zone), sender, text, files, tuple(flags))
        )
    return out


def _redaction_notes(
    red: Redactor, before: tuple[set[int], int], seq: int, zone: tzinfo
) -> list[tx.AnnexLine]:
    """Annex lines for the redactions a message's line newly used: what and why, never the
    text (a redaction used again on a later message is listed again, with that message)."""
    out = []
    seen, persona_before = before
    for rid in sorted(red.used - seen):
        by, at, reason, note = red.meta[rid]
        what = f"redaction {rid}: {reason_label(reason)}" + (f" ({note})" if note else "")
        out.append(tx.AnnexLine(local_time_text(at, zone), by, f"message {seq}", what))
    if red.persona_hits > persona_before:
        out.append(tx.AnnexLine("", "Vigil", f"message {seq}",
                                "persona identity redacted (every export for the defence)"))  # fmt: skip
    return out


def _annex(decisions: list[Decision], shown: set[int], zone: tzinfo) -> list[tx.AnnexLine]:
    out = []
    for d in decisions:
        if d.seq is not None and d.seq not in shown:
            continue
        about = "the conversation" if d.seq is None else f"message {d.seq}"
        what = d.words + (f": {d.value}" if d.kind == "note" else "")
        out.append(tx.AnnexLine(local_time_text(d.at, zone), d.by, about, what))
    return out


def build(
    ws: Workspace,
    case_ref: str,
    conv_id: int,
    label: str,
    sel: Selection,
    purpose: str,
    audience: str | None = None,
    personas: bool | None = None,
) -> tx.Transcript:
    """The transcript of ``conv_id``; reading it is logged (an export, with the purpose).

    With ``audience`` (defence, cps) it is redacted; ``personas`` overrides whether persona
    identities are (the defence's default: yes)."""
    why = " ".join((purpose or "").split())
    if len(why) < 4:
        raise UserError("give a purpose of a few words", hint="e.g. --purpose 'exhibit for MG5'")
    label = " ".join(label.split())
    if not label:
        raise UserError("give the transcript's exhibit label", hint="e.g. --exhibit-ref JS/12")
    now = ws.now()
    with ws.transaction() as s:
        user = access.acting(s, ws)
        case = access.require_case(s, user, case_ref, "read")
        conv = conversation_in_case(s, case, conv_id)
        zone = zone_of(case.default_tz)
        src = s.get(Exhibit, conv.exhibit_id)
        assert src is not None
        blob = s.get(Blob, src.blob_sha256)
        decisions = decisions_of(s, conv.id)
        chosen = _chosen(s, conv.id, sel, decisions)
        red = redactor(s, case.id, case.ref, audience, personas) if audience else None
        notes: list[tx.AnnexLine] = []
        lines = _lines(s, conv.id, sel, chosen, zone, red, notes)
        shown = {ln.seq for ln in lines}
        selection = tx.describe(sel.ranges, sel.tags, sel.bookmarked, sel.categories)
        extra: dict[str, object] = {}
        if red is not None:
            selection += (
                f"; redacted for the {'defence' if red.audience == 'defence' else 'CPS'}"
                f" ({len(notes)} redaction(s) listed on the annex"
                + ("; persona identities redacted" if red.personas else "")
                + ")"
            )
            extra = {"redacted": red.audience, "personas_redacted": red.personas,
                     "redactions": sorted(red.used)}  # fmt: skip
        access.record_view(
            s, user, case.ref, object_type="conversation", object_id=str(conv.id),
            purpose=why, now=now, action="export",
            details={"format": "transcript", "label": label, "messages": len(lines),
                     "selection": tx.describe(sel.ranges, sel.tags, sel.bookmarked, sel.categories),
                     **extra},
        )  # fmt: skip
        participants = tuple(
            p.display_name or p.platform_id
            for p in s.execute(
                select(ParticipantRow)
                .where(ParticipantRow.conversation_id == conv.id)
                .order_by(ParticipantRow.id)
            ).scalars()
        )
        source_name, title = src.original_name, conv.title
        annex = _annex(decisions, shown, zone)
        if red is not None:
            participants = tuple(red.free(p, conv.id).text for p in participants)
            source_name = red.free(source_name, conv.id).text
            title = red.free(title, conv.id).text if title else title
            annex = [
                tx.AnnexLine(a.time, a.by, a.about, red.free(a.what, conv.id).text) for a in annex
            ] + notes
        return tx.Transcript(
            label=label,
            case_ref=case.ref,
            source_ref=src.ref,
            source_name=source_name,
            source_sha256=blob.sha256 if blob else src.blob_sha256,
            conversation=f"{conv.platform} #{conv.id}" + (f" {title}" if title else ""),
            platform=conv.platform,
            zone=case.default_tz or "UTC",
            selection=selection,
            participants=participants,
            lines=tuple(lines),
            total_messages=conv.message_count,
            produced_by=user.display_name or user.username,
            produced_at=local_time_text(now, zone),
            tool_version=tool_version(),
            annex=tuple(annex),
        )


def produce(
    ws: Workspace,
    case_ref: str,
    conv_id: int,
    label: str,
    sel: Selection,
    out: Path,
    purpose: str,
    fmt: str = "pdf",
    audience: str | None = None,
    personas: bool | None = None,
) -> Produced:
    """Write the transcript to ``out`` (atomically) and register it as an exhibit derived from
    the source exhibit, with the label in its custody entry. A redacted transcript
    (``audience``), or one made by a role that may not register exhibits, is recorded by its
    SHA-256 in an export entry of the custody log instead."""
    if fmt not in FORMATS:
        raise UserError(f"unknown transcript format {fmt!r}", hint="pdf or html")
    t = build(ws, case_ref, conv_id, label, sel, purpose, audience, personas)
    data = render(t, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if audience is not None or not _may_register(ws, case_ref):
        return Produced(t, out, _record_copy(ws, case_ref, conv_id, t, out, data, audience), None)
    with out.open("rb") as fh:
        reg = register_stream(
            ws,
            case_ref,
            fh,
            original_name=out.name,
            original_path=str(out.resolve()),
            source=f"transcript exhibit {t.label} of {t.conversation}, from exhibit {t.source_ref}",
            acquired_by=t.produced_by,
            parent_ref=t.source_ref,
            derived_path=f"transcript:{t.label}",
        )
    return Produced(t, out, reg.exhibit.sha256, reg.exhibit.ref)


def _may_register(ws: Workspace, case_ref: str) -> bool:
    """Whether the acting person may register exhibits (write) in the case."""
    with ws.sessions() as s:
        return access.role_allows(access.acting(s, ws).role, "write")


def _record_copy(
    ws: Workspace,
    case_ref: str,
    conv_id: int,
    t: tx.Transcript,
    out: Path,
    data: bytes,
    audience: str | None,
) -> str:
    """A redacted transcript (a disclosure copy), or one made by someone who may not register
    exhibits (the disclosure officer): one custody entry with the file's SHA-256, no exhibit."""
    sha = hashlib.sha256(data).hexdigest()
    with ws.transaction() as s:
        user = access.acting(s, ws)
        access.record_view(
            s, user, case_ref, object_type="conversation", object_id=str(conv_id),
            purpose=f"transcript file {t.label}", now=ws.now(), action="export",
            details={"format": "transcript file", "label": t.label, "out": out.name,
                     "sha256": sha, "size": len(data), "redacted": audience},
        )  # fmt: skip
    return sha


def render(t: tx.Transcript, fmt: str = "pdf") -> bytes:
    """The transcript's bytes as PDF or HTML (UTF-8)."""
    return tx.render_pdf(t) if fmt == "pdf" else tx.render_html(t).encode("utf-8")
