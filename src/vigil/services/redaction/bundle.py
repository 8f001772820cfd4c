"""The redacted bundle (``vigil redaction bundle``): redacted copies of a case's conversations
(a transcript PDF and a JSON export each) and images, a manifest of every redaction, and no
copy of any original.

Only a member whose role may ``disclose`` produces it. Names inside are neutral
(``transcripts/conversation-12.pdf``, ``images/JS-3.png``); every free text that goes in (the
case title, conversation titles, participants, senders, file names) passes through the same
redactions as the messages. Files Vigil cannot redact (the source exports, documents) are
listed as withheld by exhibit reference only. The export is one custody entry naming the
audience, the redactions and the SHA-256 of every file; the originals never change, and the
unredacted bundle (``vigil evidence export``) stays available to those with the right, logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import (
    AttachmentRow,
    ConversationRow,
    MessageRow,
    ParticipantRow,
)
from vigil.db.tables.evidence import Exhibit
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.evidence.bundle import safe_component
from vigil.evidence.chain import chain_links
from vigil.redaction.images import Box, redact_image
from vigil.redaction.manifest import FORMAT, README, Entry, Output, entry_json, output_json
from vigil.services import audit
from vigil.services.access import require_act
from vigil.services.redaction.records import rows_of, where_words
from vigil.services.redaction.text import Redactor, check_audience, redactor
from vigil.services.transcript import Selection, build, render
from vigil.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class RedactedBundle:
    path: Path
    audience: str
    outputs: int
    redactions: int
    withheld: int
    sha256: str


def _conversation_json(
    session: Session, conv: ConversationRow, ex_ref: str, red: Redactor
) -> dict[str, Any]:
    cid = conv.id
    parts = list(
        session.execute(
            select(ParticipantRow)
            .where(ParticipantRow.conversation_id == cid)
            .order_by(ParticipantRow.id)
        ).scalars()
    )
    names = {p.id: p.display_name or p.platform_id for p in parts}
    atts: dict[int, list[str]] = {}
    for a in session.execute(
        select(AttachmentRow).where(AttachmentRow.conversation_id == cid)
    ).scalars():
        atts.setdefault(a.message_seq, []).append(red.free(a.file_name or "unnamed file", cid).text)
    messages = []
    for m in session.execute(
        select(MessageRow).where(MessageRow.conversation_id == cid).order_by(MessageRow.seq)
    ).scalars():
        flags = [w for w, on in (("system", m.is_system), ("deleted", m.is_deleted),
                                 ("edited", m.is_edited)) if on]  # fmt: skip
        messages.append({
            "seq": m.seq,
            "sent_at": custody.utc_iso(m.sent_at) if m.sent_at else None,
            "sender": red.free(names.get(m.sender_id, ""), cid).text if m.sender_id else "",
            "text": red.message(cid, m.seq, m.text or "").text,
            "attachments": atts.get(m.seq, []),
            "flags": flags,
        })  # fmt: skip
    return {
        "conversation": cid,
        "platform": conv.platform,
        "title": red.free(conv.title, cid).text if conv.title else None,
        "source_exhibit": ex_ref,
        "participants": [
            {
                "id": red.free(p.platform_id, cid).text,
                "name": red.free(p.display_name, cid).text if p.display_name else None,
                "role": p.role,
            }
            for p in parts
        ],
        "messages": messages,
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_redacted(
    ws: Workspace,
    case_ref: str,
    out: Path,
    purpose: str,
    audience: str = "defence",
    personas: bool | None = None,
) -> RedactedBundle:
    """Write the case's redacted bundle for ``audience`` to ``out`` (atomically)."""
    audience = check_audience(audience)
    why = " ".join((purpose or "").split())
    if len(why) < 4:
        raise UserError("give a purpose of a few words", hint="e.g. --purpose 'defence disclosure'")
    if out.exists() and out.is_dir():
        raise UserError(f"{out} is a folder", hint="give a file name such as redacted.zip")
    if not out.parent.exists():
        raise UserError(f"{out.parent}: no such folder", hint="create it first")
    with ws.sessions() as s:  # refuse before anything is read or logged
        require_act(s, ws, "disclose", case_ref)
    files: list[tuple[str, bytes]] = []
    outputs: list[Output] = []
    withheld: list[dict[str, Any]] = []
    used_in: dict[int, list[str]] = {}
    with ws.sessions() as s:
        case = s.execute(select(Case).where(Case.ref == case_ref)).scalar_one()
        red = redactor(s, case.id, case.ref, audience, personas)
        title = red.free(case.title).text
        exhibits = {e.id: e for e in s.execute(select(Exhibit).where(Exhibit.case_id == case.id))
                    .scalars()}  # fmt: skip
        boxes: dict[int, list[tuple[int, Box]]] = {}
        entries = []
        for r in rows_of(s, case.id):
            if r.kind == "box" and r.exhibit_id is not None:
                boxes.setdefault(r.exhibit_id, []).append(
                    (r.id, Box(r.box_x or 0, r.box_y or 0, r.box_w or 0, r.box_h or 0))
                )
            ex_ref = exhibits[r.exhibit_id].ref if r.exhibit_id in exhibits else None
            by, at, _, _ = red.meta[r.id]
            entries.append(Entry(r.id, r.kind, where_words(r, ex_ref), r.reason, r.note, by,
                                 custody.utc_iso(at)))  # fmt: skip
        convs = list(
            s.execute(
                select(ConversationRow)
                .where(ConversationRow.case_id == case.id)
                .order_by(ConversationRow.id)
            ).scalars()
        )
        conv_exhibits = {c.exhibit_id for c in convs}
        for conv in convs:
            src = exhibits[conv.exhibit_id]
            before, hits = set(red.used), red.persona_hits
            data = json.dumps(
                _conversation_json(s, conv, src.ref, red), indent=1, ensure_ascii=False
            ).encode("utf-8")
            ids = tuple(sorted(red.used - before))
            path = f"conversations/conversation-{conv.id}.json"
            files.append((path, data))
            outputs.append(Output(path, f"conversation {conv.id}, redacted export", src.ref,
                                  src.blob_sha256, _sha(data), len(data), ids,
                                  red.persona_hits - hits))  # fmt: skip
            for i in ids:
                used_in.setdefault(i, []).append(path)
        for ex in exhibits.values():
            if ex.mime_type.startswith("image/"):
                with ws.store.open(ex.blob_sha256) as fh:
                    raw = fh.read()
                mine = boxes.get(ex.id, [])
                png = redact_image(raw, [b for _, b in mine], f"exhibit {ex.ref}")
                path = f"images/{safe_component(ex.ref)}.png"
                files.append((path, png))
                ids = tuple(i for i, _ in mine)
                outputs.append(Output(path, f"exhibit {ex.ref}, redacted image", ex.ref,
                                      ex.blob_sha256, _sha(png), len(png), ids))  # fmt: skip
                for i in ids:
                    used_in.setdefault(i, []).append(path)
            else:
                withheld.append({
                    "exhibit": ex.ref,
                    "mime_type": ex.mime_type,
                    "why": "its messages are in conversations/ and transcripts/, redacted"
                    if ex.id in conv_exhibits else "Vigil cannot redact this kind of file",
                })  # fmt: skip
    # the transcripts: the same service as `vigil report transcript --redacted` (each logged)
    for conv in convs:
        t = build(ws, case_ref, conv.id, f"{case_ref} conversation {conv.id} (redacted)",
                  Selection(), why, audience, personas)  # fmt: skip
        pdf = render(t, "pdf")
        path = f"transcripts/conversation-{conv.id}.pdf"
        files.append((path, pdf))
        src = exhibits[conv.exhibit_id]
        json_out = next(o for o in outputs if o.path.endswith(f"conversation-{conv.id}.json"))
        outputs.append(Output(path, f"conversation {conv.id}, redacted transcript", src.ref,
                              src.blob_sha256, _sha(pdf), len(pdf), json_out.redactions,
                              json_out.persona_redactions))  # fmt: skip
        for i in json_out.redactions:
            used_in.setdefault(i, []).append(path)
    now = ws.now()
    with ws.transaction() as s:
        user = require_act(s, ws, "disclose", case_ref)
        entry = audit.record(
            s, user, "export", audit.Subject("case", case_ref, case_ref), purpose=why, now=now,
            details={"format": "redacted bundle", "audience": audience,
                     "personas_redacted": red.personas, "out": out.name,
                     "redactions": [e.id for e in entries],
                     "files": {o.path: o.sha256 for o in outputs},
                     "withheld": [w["exhibit"] for w in withheld]},
        )  # fmt: skip
        anchor = {"seq": entry.seq, "entry_hash": entry.entry_hash}
    with ws.sessions() as s:
        links = chain_links(custody.all_entries(s))
    manifest = {
        "format": FORMAT,
        "tool_version": tool_version(),
        "exported_at": custody.utc_iso(now),
        "exported_by": user.username,
        "audience": audience,
        "personas_redacted": red.personas,
        "persona_redactions": red.persona_hits,
        "case": {"ref": case_ref, "title": title},
        "redactions": [
            entry_json(
                Entry(
                    e.id,
                    e.kind,
                    e.where,
                    e.reason,
                    e.note,
                    e.by,
                    e.at,
                    tuple(used_in.get(e.id or 0, ())),
                )
            )
            for e in entries
        ],
        "files": [output_json(o) for o in outputs],
        "withheld": withheld,
        "anchor": anchor,
        "chain": "chain.json",
        "note": "A lead for a trained person, never a verdict. The originals are unchanged and "
        "can be produced to the court on order.",
    }
    files += [
        ("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")),
        ("chain.json", json.dumps(links, indent=1).encode("utf-8")),
        ("README.txt", README.format(fmt=FORMAT, audience=audience).encode("utf-8")),
    ]
    digest = _write(out, files)
    return RedactedBundle(out, audience, len(outputs), len(entries), len(withheld), digest)


def _write(out: Path, files: list[tuple[str, bytes]]) -> str:
    """The zip (fixed member times, SHA256SUMS last), written atomically; its SHA-256."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                        compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        sums = "".join(f"{_sha(d)}  {n}\n" for n, d in files)
        zf.writestr(zipfile.ZipInfo("SHA256SUMS", date_time=(1980, 1, 1, 0, 0, 0)), sums)
    data = buf.getvalue()
    fd, tmp = tempfile.mkstemp(prefix=".redacted-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return _sha(data)
