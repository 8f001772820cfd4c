"""Intelligence from a case: identifier extraction, and need to know for every intel command.

The pure core (:mod:`vigil.intel`) does the work; the services read the case from the
database, store what extraction finds, decide who may see what, write export files
atomically and record every derivation, listing and export in the custody log. Cross-case
hits are in :mod:`vigil.services.intel.hits`; the link graph and exports in
:mod:`vigil.services.intel.graph`.

Need to know: :func:`~vigil.services.access.require_case` applies to a web or API caller's
:class:`~vigil.services.access.Principal`, and to the command line's local user
(``VIGIL_USER``) alike: only members of the case (its creator is one) whose role allows it
may run intel commands.
Cross-case hits name the other case's unit and officer in charge, never its reference, title
or content.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import (
    AttachmentRow,
    ConversationRow,
    Ingest,
    MessageRow,
    ParticipantRow,
)
from vigil.db.tables.intel import IdentifierRow, IntelExtraction
from vigil.errors import UserError
from vigil.evidence import custody
from vigil.intel.entities import canonical_account
from vigil.intel.extract import Identifier, IdentifierKind, extract_identifiers, extract_many
from vigil.intel.extract.handles import tables as platform_tables
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.workspace import Workspace

DEFAULT_REGION = "GB"
BATCH = 5000
MAX_VALUE = 1024


# --- region ------------------------------------------------------------------------------


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone name -> ISO 3166 country, from the tz database's ``zone.tab``."""
    candidates: list[Any] = []
    with contextlib.suppress(ImportError):
        candidates.append(resources.files("tzdata").joinpath("zoneinfo", "zone.tab"))
    candidates += [Path(p) / "zone.tab" for p in TZPATH]
    for path in candidates:
        with contextlib.suppress(OSError):
            lines = path.read_text(encoding="utf-8").splitlines()
            return {
                parts[2]: parts[0]
                for parts in (ln.split("\t") for ln in lines if ln and not ln.startswith("#"))
                if len(parts) >= 3
            }
    return {}


def region_for_tz(tz: str) -> str:
    """The country whose numbering plan applies to a case in zone ``tz`` (GB when unknown)."""
    return _zone_countries().get(tz, DEFAULT_REGION)


# --- access --------------------------------------------------------------------------------


def authorise(
    session: Session, ws: Workspace, case: Case, user: access.Principal | None, need: access.Need
) -> None:
    """Need to know for intel commands: ``user`` (the web), else the workspace's acting
    person (:func:`vigil.services.access.acting`), must be on the case with a role that allows
    ``need``; raises AccessDenied."""
    access.require_case(session, user or access.acting(session, ws), case.ref, need)


def purpose_text(purpose: str | None, required: bool) -> str | None:
    """The stated purpose, whitespace-normalised; a few words at least when ``required``."""
    text = " ".join((purpose or "").split())[:500]
    if required and len(text) < 4:
        raise UserError("give a purpose of a few words", hint="e.g. --purpose 'plan enquiries'")
    return text or None


# --- extraction ----------------------------------------------------------------------------


@dataclass(slots=True)
class ExtractStats:
    """What one extraction read and found."""

    case_ref: str
    region: str
    messages: int = 0
    participants: int = 0
    attachments: int = 0
    identifiers: int = 0
    replaced: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Rows:
    """Buffers identifier rows and writes them with bulk inserts."""

    def __init__(self, session: Session, case_id: int) -> None:
        self.session, self.case_id, self.buf = session, case_id, list[dict[str, Any]]()
        self.kinds: Counter[str] = Counter()
        self.tv = tool_version()

    def add(
        self,
        conv_id: int,
        seq: int | None,
        participant_id: int | None,
        source: str,
        fld: str,
        ident: Identifier,
        note: str = "",
    ) -> None:
        self.kinds[ident.kind.value] += 1
        self.buf.append(
            {
                "case_id": self.case_id,
                "conversation_id": conv_id,
                "message_seq": seq,
                "participant_id": participant_id,
                "source": source,
                "field": fld,
                "kind": ident.kind.value,
                "value": ident.value[:MAX_VALUE],
                "raw": ident.raw,
                "span_start": ident.start,
                "span_end": ident.end,
                "platform": (ident.platform or "")[:64],
                "valid": ident.valid,
                "reason": ident.reason + note,
                "tool_version": self.tv,
            }
        )
        if len(self.buf) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.session.execute(insert(IdentifierRow), self.buf)
            self.buf.clear()


def _message_batches(
    session: Session, conv_ids: list[int]
) -> Iterator[tuple[int, list[tuple[int, int | None, str]]]]:
    """(conversation id, [(seq, sender id, text)]) in batches, by keyset on the seq index."""
    for cid in conv_ids:
        last = 0
        while True:
            stmt = (
                select(MessageRow.seq, MessageRow.sender_id, MessageRow.text)
                .where(MessageRow.conversation_id == cid, MessageRow.seq > last)
                .order_by(MessageRow.seq)
                .limit(BATCH)
            )
            rows = [(r[0], r[1], r[2]) for r in session.execute(stmt)]
            if not rows:
                break
            yield cid, rows
            last = rows[-1][0]


def _participants(session: Session, case: Case, rows: _Rows, region: str) -> int:
    known = platform_tables().platforms
    stmt = (
        select(ParticipantRow, ConversationRow.platform)
        .join(ConversationRow, ConversationRow.id == ParticipantRow.conversation_id)
        .where(ConversationRow.case_id == case.id)
    )
    n = 0
    for p, conv_platform in session.execute(stmt):
        n += 1
        plat, pid, e164 = canonical_account(conv_platform, p.platform_id)
        info = known.get(plat)
        account = info is not None and (e164 is not None or not info.id_is_phone)
        span = len(p.platform_id)
        if account and info is not None:
            why = f"{info.label} account taking part in the conversation"
            ident = Identifier(IdentifierKind.HANDLE, pid, p.platform_id, 0, span, plat, None, why)
            rows.add(p.conversation_id, None, p.id, "participant", "account", ident)
        if e164 is not None:
            why = f"{conv_platform} keys accounts by phone number"
            ident = Identifier(IdentifierKind.PHONE, e164, p.platform_id, 0, span, None, True, why)
            rows.add(p.conversation_id, None, p.id, "participant", "account", ident)
        fields = [("display_name", p.display_name or "")]
        if not account:
            fields.append(("platform_id", p.platform_id))
        seen: set[tuple[str, str]] = set()
        for fld, text in fields:
            for ident in extract_identifiers(text, region=region):
                if (ident.kind.value, ident.value) not in seen:
                    seen.add((ident.kind.value, ident.value))
                    note = f" (in the participant's {fld.replace('_', ' ')})"
                    rows.add(p.conversation_id, None, p.id, "participant", fld, ident, note)
    return n


def _attachments(session: Session, case: Case, rows: _Rows, region: str) -> int:
    stmt = (
        select(
            AttachmentRow.conversation_id,
            AttachmentRow.message_seq,
            AttachmentRow.file_name,
            MessageRow.sender_id,
        )
        .join(ConversationRow, ConversationRow.id == AttachmentRow.conversation_id)
        .outerjoin(
            MessageRow,
            and_(
                MessageRow.conversation_id == AttachmentRow.conversation_id,
                MessageRow.seq == AttachmentRow.message_seq,
            ),
        )
        .where(ConversationRow.case_id == case.id, AttachmentRow.file_name.is_not(None))
    )
    n = 0
    for conv_id, seq, name, sender in session.execute(stmt):
        n += 1
        for ident in extract_identifiers(name or "", region=region):
            rows.add(conv_id, seq, sender, "attachment", "file_name", ident, " (in a file name)")
    return n


def _latest_ingest(session: Session, case_id: int) -> int | None:
    stmt = select(func.max(Ingest.id)).where(Ingest.case_id == case_id)
    return session.execute(stmt).scalar_one_or_none()


def _extract(ws: Workspace, session: Session, case: Case, region: str, why: str) -> ExtractStats:
    """Replace the case's identifier rows, inside the caller's transaction."""
    started = time.perf_counter()
    custody.lock(session)  # serialise with ingests and other extractions
    stats = ExtractStats(case.ref, region)
    gone = session.execute(delete(IdentifierRow).where(IdentifierRow.case_id == case.id))
    stats.replaced = int(getattr(gone, "rowcount", 0) or 0)
    rows = _Rows(session, case.id)
    conv_ids = list(
        session.execute(
            select(ConversationRow.id)
            .where(ConversationRow.case_id == case.id)
            .order_by(ConversationRow.id)
        ).scalars()
    )
    for cid, batch in _message_batches(session, conv_ids):
        stats.messages += len(batch)
        for (seq, sender, _), found in zip(
            batch, extract_many((b[2] for b in batch), region), strict=True
        ):
            for ident in found:
                rows.add(cid, seq, sender, "message", "text", ident)
    stats.participants = _participants(session, case, rows, region)
    stats.attachments = _attachments(session, case, rows, region)
    rows.flush()
    stats.by_kind = dict(sorted(rows.kinds.items()))
    stats.identifiers = sum(rows.kinds.values())
    latest = _latest_ingest(session, case.id)
    rec = session.get(IntelExtraction, case.id) or IntelExtraction(case_id=case.id)
    rec.region, rec.last_ingest_id = region, latest
    rec.messages, rec.identifiers = stats.messages, stats.identifiers
    rec.extracted_at, rec.tool_version = ws.now(), rows.tv
    session.add(rec)
    audit.record(
        session,
        ws.actor,
        "derive",
        audit.Subject("identifiers", case.ref, case.ref),
        purpose=why,
        details={
            "region": region,
            "messages": stats.messages,
            "participants": stats.participants,
            "attachments": stats.attachments,
            "identifiers": stats.identifiers,
            "by_kind": stats.by_kind,
            "replaced": stats.replaced,
        },
        now=ws.now(),
    )
    stats.seconds = time.perf_counter() - started
    return stats


def extract_case(
    ws: Workspace,
    case_ref: str,
    *,
    region: str | None = None,
    user: access.Principal | None = None,
) -> ExtractStats:
    """Find identifiers in the case's messages, participants and attachment names.

    Replaces the case's previous identifiers in one transaction, so running it again gives
    the same rows. ``region`` (ISO 3166, for numbers written without a country code) defaults
    to the one used last time, else the country of the case's time zone, else GB.
    """
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        authorise(session, ws, case, user, "write")
        rec = session.get(IntelExtraction, case.id)
        reg = (region or (rec.region if rec else region_for_tz(case.default_tz))).upper()
        if len(reg) != 2 or not reg.isalpha():
            raise UserError(f"bad region {region!r}", hint="use a two-letter country code, e.g. GB")
        return _extract(ws, session, case, reg, "find identifiers in the case's material")


def _stale(session: Session, case: Case) -> bool:
    rec = session.get(IntelExtraction, case.id)
    latest = _latest_ingest(session, case.id)
    return latest is not None if rec is None else rec.last_ingest_id != latest


def ensure_fresh(ws: Workspace, case_ref: str) -> ExtractStats | None:
    """Extract the case again if it has been ingested into since its last extraction."""
    with ws.sessions() as s:
        if not _stale(s, get_case(s, case_ref)):
            return None
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        if not _stale(session, case):
            return None
        rec = session.get(IntelExtraction, case.id)
        region = rec.region if rec else region_for_tz(case.default_tz)
        return _extract(ws, session, case, region, "automatic: new material was ingested")


def after_ingest(ws: Workspace, case_ref: str) -> ExtractStats | None:
    """Hook for the ingest service: bring the case's identifiers up to date (cheap if fresh)."""
    return ensure_fresh(ws, case_ref)


def refresh_all(ws: Workspace) -> None:
    """Extract every case that is out of date, so cross-case matching sees all material."""
    with ws.sessions() as s:
        latest = dict(
            s.execute(select(Ingest.case_id, func.max(Ingest.id)).group_by(Ingest.case_id)).all()
        )
        done = dict(
            s.execute(select(IntelExtraction.case_id, IntelExtraction.last_ingest_id)).all()
        )
        refs = [
            c.ref
            for c in s.execute(select(Case).where(Case.id.in_(list(latest)))).scalars()
            if done.get(c.id, -1) != latest[c.id]
        ]
    for ref in refs:
        ensure_fresh(ws, ref)
