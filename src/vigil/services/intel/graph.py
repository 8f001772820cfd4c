"""The case's link graph and its exports (followthemoney, i2 ANX, Maltego, GraphML, CSV).

The resolution is built from this case's material only, so nothing of another case reaches a
summary or an export; which other cases share an identifier is told only through
:mod:`vigil.services.intel.hits`. Exports are written atomically (temporary file, then
``os.replace``) and each is recorded in the custody log with its format, entity count and
SHA-256; if the log entry cannot be committed the file is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from followthemoney.exc import InvalidData
from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case, Suspect, SuspectIdentifier
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.db.tables.intel import IdentifierRow
from vigil.errors import UserError
from vigil.intel import graph as intel_graph
from vigil.intel.entities import resolve
from vigil.intel.exports import FORMATS, ftm
from vigil.intel.extract import Identifier, IdentifierKind
from vigil.intel.model import AccountSighting, PersonRecord, Resolution, Sighting
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.intel.identifiers import authorise, ensure_fresh, purpose_text
from vigil.services.workspace import Workspace

ACCOUNT_KINDS = ("user_id", "screen_name")  # suspect identifier kinds that name an account


def _resolution(session: Session, case: Case) -> Resolution:
    """Entities and links from this case's material only (nothing of other cases)."""
    convs = dict(
        session.execute(
            select(ConversationRow.id, ConversationRow.platform).where(
                ConversationRow.case_id == case.id
            )
        ).all()
    )
    parts = session.execute(
        select(ParticipantRow).where(ParticipantRow.conversation_id.in_(list(convs)))
    ).scalars()
    pid_of: dict[int, str] = {}
    accounts = []
    for p in parts:
        pid_of[p.id] = p.platform_id
        accounts.append(
            AccountSighting(
                case.ref,
                str(p.conversation_id),
                convs[p.conversation_id],
                p.platform_id,
                p.display_name,
                case.unit,
            )
        )
    rows = session.execute(
        select(IdentifierRow).where(
            IdentifierRow.case_id == case.id, IdentifierRow.field != "account"
        )
    ).scalars()
    sightings = [
        Sighting(
            case.ref,
            str(r.conversation_id),
            str(r.message_seq) if r.message_seq is not None else None,
            pid_of.get(r.participant_id) if r.participant_id is not None else None,
            identifier_of(r),
            convs[r.conversation_id],
            case.unit,
        )
        for r in rows
    ]
    persons = []
    for s in session.execute(select(Suspect).where(Suspect.case_id == case.id)).scalars():
        ids = session.execute(
            select(SuspectIdentifier.platform, SuspectIdentifier.value).where(
                SuspectIdentifier.suspect_id == s.id, SuspectIdentifier.kind.in_(ACCOUNT_KINDS)
            )
        )
        persons.append(PersonRecord(case.ref, s.ref, s.label, tuple(ids), "suspect"))
    return resolve(accounts, sightings, persons)


def identifier_of(r: IdentifierRow) -> Identifier:
    return Identifier(
        IdentifierKind(r.kind),
        r.value,
        r.raw,
        r.span_start or 0,
        r.span_end or 0,
        r.platform or None,
        r.valid,
        r.reason,
    )


def graph_summary(
    ws: Workspace,
    case_ref: str,
    *,
    top: int = 10,
    purpose: str | None = None,
    user: access.Principal | None = None,
) -> intel_graph.GraphSummary:
    """Components and most connected accounts of the case's link graph (this case only)."""
    why = purpose_text(purpose, required=False)
    with ws.sessions() as s:
        authorise(s, ws, get_case(s, case_ref), user, "read")
    ensure_fresh(ws, case_ref)
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        g = intel_graph.build_graph(_resolution(session, case))
        summary = intel_graph.summarise(g, case_ref=case.ref, top=max(1, top))
        audit.record(
            session,
            ws.actor,
            "view",
            audit.Subject("intel_graph", case.ref, case.ref),
            purpose=why,
            details={"nodes": summary.nodes, "edges": summary.edges, "top": top},
            now=ws.now(),
        )
    return summary


@dataclass(frozen=True, slots=True)
class ExportResult:
    case_ref: str
    format: str
    path: str
    entities: int
    links: int
    sha256: str
    size: int


def _messages(session: Session, case: Case) -> list[ftm.MessageRecord]:
    """The case's messages that carry identifiers, for FtM ``Message`` entities."""
    rows = session.execute(
        select(IdentifierRow)
        .where(IdentifierRow.case_id == case.id, IdentifierRow.source == "message")
        .order_by(IdentifierRow.conversation_id, IdentifierRow.message_seq, IdentifierRow.id)
    ).scalars()
    found: dict[tuple[int, int], list[Identifier]] = {}
    for r in rows:
        if r.message_seq is not None:
            found.setdefault((r.conversation_id, r.message_seq), []).append(identifier_of(r))
    by_conv: dict[int, list[int]] = {}
    for cid, seq in found:
        by_conv.setdefault(cid, []).append(seq)
    out = []
    for cid, seqs in by_conv.items():
        for i in range(0, len(seqs), 500):
            stmt = (
                select(MessageRow, ConversationRow.platform, ParticipantRow.platform_id)
                .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
                .outerjoin(ParticipantRow, ParticipantRow.id == MessageRow.sender_id)
                .where(MessageRow.conversation_id == cid, MessageRow.seq.in_(seqs[i : i + 500]))
                .order_by(MessageRow.seq)
            )
            for m, platform, sender in session.execute(stmt):
                sent = m.sent_at.isoformat() if m.sent_at else None
                idents = tuple(found[(cid, m.seq)])
                out.append(
                    ftm.MessageRecord(
                        case.ref, str(cid), str(m.seq), platform, sender, sent, m.text, idents
                    )
                )
    return out


def _render(fmt: str, res: Resolution, messages: list[ftm.MessageRecord]) -> tuple[str, int]:
    if fmt == "ftm":
        try:
            text = ftm.render(res, messages)
        except ftm.ExportError as exc:
            raise UserError(
                f"followthemoney refuses the export: {str(exc)[:300]}", hint="try --format csv"
            ) from exc
        except InvalidData as exc:  # FtM's own schema check; name the properties, not values
            errors = getattr(exc, "errors", None) or {}
            props = ", ".join(sorted(errors.get("properties") or {})) or "an entity"
            raise UserError(
                f"followthemoney refuses the export: invalid {props}", hint="try --format csv"
            ) from exc
        return text, text.count("\n")
    return FORMATS[fmt].render(res), len(res.entities)  # built-in or a plugin's exporter


def export_case(
    ws: Workspace,
    case_ref: str,
    fmt: str,
    out: Path,
    *,
    purpose: str | None = None,
    with_messages: bool = False,
    user: access.Principal | None = None,
) -> ExportResult:
    """Write the case's link graph as ``fmt`` to ``out`` atomically and log the export.

    ``with_messages`` (FtM only) adds the text of every message that carries an identifier.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}", hint="one of: " + ", ".join(FORMATS))
    if with_messages and fmt != "ftm":
        raise UserError("--with-messages applies to --format ftm only")
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such folder", hint="create it or choose another --out")
    why = purpose_text(purpose, required=False)
    with ws.sessions() as s:
        authorise(s, ws, get_case(s, case_ref), user, "read")
    ensure_fresh(ws, case_ref)
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        res = _resolution(s, case)
        text, count = _render(fmt, res, _messages(s, case) if with_messages else [])
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    replaced = False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with ws.transaction() as session:
            audit.record(
                session,
                ws.actor,
                "export",
                audit.Subject("intel_export", f"{case_ref}:{out.name}", case_ref),
                purpose=why,
                details={
                    "format": fmt,
                    "entities": count,
                    "links": len(res.links),
                    "sha256": digest,
                    "size": len(data),
                    "file": str(out.resolve()),
                    "with_messages": with_messages,
                },
                now=ws.now(),
            )
            os.replace(tmp, out)
            replaced = True
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            (out if replaced else Path(tmp)).unlink()  # no unlogged export survives
        raise
    return ExportResult(case_ref, fmt, str(out), count, len(res.links), digest, len(data))
