"""Adding, withdrawing and listing redactions: one transaction and one custody entry each.

The acting person must be on the case with a role that may ``disclose`` (the disclosure
officer) to add or withdraw, and may ``read`` to list. The custody entry (action ``annotate``,
``details.redaction`` ``add`` or ``withdraw``) names the redaction, its kind, place and reason,
and the SHA-256 and length of the text it hides, never the text. A withdrawal fills the
row's ``withdrawn_*`` columns; nothing is deleted, so every redaction ever made can be listed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.redaction import Redaction
from vigil.errors import NotFound, UserError
from vigil.redaction.images import Box, image_size
from vigil.redaction.reasons import check_reason, reason_label
from vigil.redaction.spans import check_span
from vigil.services import audit
from vigil.services.access import Principal, require_act
from vigil.services.workspace import Workspace

KINDS = ("span", "phrase", "box")
PHRASE_MAX = 500


@dataclass(frozen=True, slots=True)
class RedactionInfo:
    """A redaction as lists show it (the phrase only to those who may disclose)."""

    id: int
    case_ref: str
    kind: str
    where: str
    reason: str
    reason_label: str
    note: str | None
    by: str
    at: datetime
    conversation_id: int | None
    message_seq: int | None
    start: int | None
    end: int | None
    exhibit_ref: str | None
    box: tuple[int, int, int, int] | None
    phrase: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def where_words(r: Redaction, exhibit_ref: str | None) -> str:
    """Where a redaction applies, in words (never the redacted text)."""
    if r.kind == "span":
        return (
            f"conversation {r.conversation_id}, message {r.message_seq}, "
            f"characters {r.start_char}–{r.end_char}"
        )
    if r.kind == "phrase":
        scope = f"conversation {r.conversation_id}" if r.conversation_id else "the whole case"
        return f"every occurrence of a phrase ({len(r.phrase or '')} characters) in {scope}"
    return f"exhibit {exhibit_ref}, box at {r.box_x},{r.box_y} size {r.box_w}×{r.box_h} pixels"


def case_of(session: Session, case_ref: str) -> Case:
    return session.execute(select(Case).where(Case.ref == case_ref)).scalar_one()


def _conversation(session: Session, case: Case, conv_id: int) -> ConversationRow:
    conv = session.get(ConversationRow, conv_id)
    if conv is None or conv.case_id != case.id:
        raise NotFound(f"no conversation {conv_id} in case {case.ref}")
    return conv


def _record(
    ws: Workspace,
    session: Session,
    user: Principal,
    case: Case,
    row: Redaction,
    subject: audit.Subject,
    details: dict[str, Any],
    now: datetime,
) -> RedactionInfo:
    row.case_id, row.created_by_id, row.created_at, row.custody_seq = case.id, user.user_id, now, 0
    session.add(row)
    session.flush()
    entry = audit.record(
        session, user, "annotate", subject, purpose=f"redaction: {reason_label(row.reason)}",
        now=now, details={"redaction": "add", "id": row.id, "kind": row.kind,
                          "reason": row.reason, **({"note": row.note} if row.note else {}),
                          **details},
    )  # fmt: skip
    row.custody_seq = entry.seq
    session.flush()
    return _info(session, row, case.ref)


def add_span(
    ws: Workspace, case_ref: str, conv_id: int, seq: int, start: int, end: int,
    reason: str, note: str | None = None,
) -> RedactionInfo:  # fmt: skip
    """Redact characters ``[start, end)`` of message ``seq`` (offsets checked against it)."""
    code, note = check_reason(reason, note)
    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "disclose", case_ref)
        case = case_of(session, case_ref)
        conv = _conversation(session, case, conv_id)
        msg = session.execute(
            select(MessageRow).where(MessageRow.conversation_id == conv.id, MessageRow.seq == seq)
        ).scalar_one_or_none()
        if msg is None:
            raise NotFound(f"no message {seq} in conversation {conv_id}")
        text = msg.text or ""
        check_span(text, start, end, f"conversation {conv_id} message {seq}")
        part = text[start:end]
        row = Redaction(kind="span", conversation_id=conv.id, message_seq=seq, start_char=start,
                        end_char=end, text_sha256=digest(part), reason=code, note=note,
                        whole_word=False)  # fmt: skip
        return _record(
            ws, session, user, case, row, audit.Subject("conversation", str(conv.id), case.ref),
            {"message": seq, "chars": [start, end], "text_sha256": digest(part),
             "length": len(part)}, now,
        )  # fmt: skip


def add_phrase(
    ws: Workspace, case_ref: str, phrase: str, reason: str, note: str | None = None,
    conv_id: int | None = None, whole_word: bool = True,
) -> RedactionInfo:  # fmt: skip
    """Redact every occurrence of ``phrase`` (any case) in conversation ``conv_id`` or, without
    one, everywhere in the case's produced material (messages, names, titles, file names)."""
    code, note = check_reason(reason, note)
    text = " ".join(phrase.replace("\x00", " ").split())
    if len(text) < 2:
        raise UserError("give a phrase of two characters or more to redact")
    if len(text) > PHRASE_MAX:
        raise UserError(f"a phrase is at most {PHRASE_MAX} characters")
    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "disclose", case_ref)
        case = case_of(session, case_ref)
        conv = _conversation(session, case, conv_id) if conv_id is not None else None
        row = Redaction(kind="phrase", conversation_id=conv.id if conv else None, phrase=text,
                        whole_word=whole_word, text_sha256=digest(text.lower()), reason=code,
                        note=note)  # fmt: skip
        subject = (
            audit.Subject("conversation", str(conv.id), case.ref)
            if conv
            else audit.Subject("case", case.ref, case.ref)
        )
        return _record(
            ws, session, user, case, row, subject,
            {"scope": "conversation" if conv else "case", "whole_word": whole_word,
             "text_sha256": digest(text.lower()), "length": len(text)}, now,
        )  # fmt: skip


def add_box(
    ws: Workspace, case_ref: str, exhibit_ref: str, box: Box, reason: str, note: str | None = None
) -> RedactionInfo:
    """Redact a rectangle of an image exhibit (pixels, as the image is displayed)."""
    code, note = check_reason(reason, note)
    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "disclose", case_ref)
        case = case_of(session, case_ref)
        ex = session.execute(
            select(Exhibit).where(Exhibit.case_id == case.id, Exhibit.ref == exhibit_ref)
        ).scalar_one_or_none()
        if ex is None:
            raise NotFound(f"no exhibit {exhibit_ref} in case {case_ref}")
        if not ex.mime_type.startswith("image/"):
            raise UserError(f"exhibit {exhibit_ref} is {ex.mime_type}, not an image")
        with ws.store.open(ex.blob_sha256) as fh:
            w, h = image_size(fh.read(), f"exhibit {exhibit_ref}")
        box.check(w, h, f"exhibit {exhibit_ref}")
        row = Redaction(kind="box", exhibit_id=ex.id, box_x=box.x, box_y=box.y, box_w=box.w,
                        box_h=box.h, reason=code, note=note, whole_word=False)  # fmt: skip
        return _record(
            ws, session, user, case, row, audit.Subject("exhibit", ex.ref, case.ref),
            {"box": [box.x, box.y, box.w, box.h], "image_sha256": ex.blob_sha256}, now,
        )  # fmt: skip


def withdraw(ws: Workspace, case_ref: str, rid: int, why: str) -> RedactionInfo:
    """Withdraw redaction ``rid`` (it stays on record, marked withdrawn, with who, when, why)."""
    why = " ".join((why or "").replace("\x00", " ").split())[:500]
    if len(why) < 4:
        raise UserError("say why the redaction is withdrawn (a few words)")
    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "disclose", case_ref)
        case = case_of(session, case_ref)
        row = session.get(Redaction, rid)
        if row is None or row.case_id != case.id:
            raise NotFound(f"no redaction {rid} in case {case_ref}")
        if row.withdrawn_at is not None:
            raise UserError(f"redaction {rid} was already withdrawn")
        entry = audit.record(
            session, user, "annotate", audit.Subject("case", case.ref, case.ref),
            purpose=f"redaction withdrawn: {why}", now=now,
            details={"redaction": "withdraw", "id": row.id, "kind": row.kind},
        )  # fmt: skip
        row.withdrawn_at, row.withdrawn_by_id = now, user.user_id
        row.withdrawn_reason, row.withdrawn_custody_seq = why, entry.seq
        session.flush()
        return _info(session, row, case.ref)


def _info(session: Session, r: Redaction, case_ref: str, phrase: bool = True) -> RedactionInfo:
    by = session.get(User, r.created_by_id)
    wby = session.get(User, r.withdrawn_by_id) if r.withdrawn_by_id else None
    ex_ref = None
    if r.exhibit_id is not None:
        ex = session.get(Exhibit, r.exhibit_id)
        ex_ref = ex.ref if ex else None
    box = (r.box_x or 0, r.box_y or 0, r.box_w or 0, r.box_h or 0) if r.kind == "box" else None
    return RedactionInfo(
        r.id, case_ref, r.kind, where_words(r, ex_ref), r.reason, reason_label(r.reason), r.note,
        by.username if by else "?", r.created_at, r.conversation_id, r.message_seq,
        r.start_char, r.end_char, ex_ref, box, r.phrase if phrase else None, r.withdrawn_at,
        wby.username if wby else None, r.withdrawn_reason,
    )  # fmt: skip


def rows_of(session: Session, case_id: int, *, standing_only: bool = True) -> list[Redaction]:
    """The case's redactions in the order made (standing ones only, by default)."""
    q = select(Redaction).where(Redaction.case_id == case_id)
    if standing_only:
        q = q.where(Redaction.withdrawn_at.is_(None))
    return list(session.execute(q.order_by(Redaction.id)).scalars())


def list_redactions(
    ws: Workspace, case_ref: str, *, conv_id: int | None = None, include_withdrawn: bool = True
) -> list[RedactionInfo]:
    """The case's redactions (or those touching one conversation: its spans and phrases, and
    the case-wide phrases). Members who may read see the list; the phrases themselves only
    those who may disclose."""
    with ws.sessions() as session:
        user = require_act(session, ws, "read", case_ref)
        case = case_of(session, case_ref)
        shows_phrase = "disclose" in _needs(user)
        out = []
        for r in rows_of(session, case.id, standing_only=not include_withdrawn):
            if conv_id is not None and r.kind != "phrase" and r.conversation_id != conv_id:
                continue
            if conv_id is not None and r.kind == "phrase" and r.conversation_id not in (
                None, conv_id,
            ):  # fmt: skip
                continue
            out.append(_info(session, r, case.ref, phrase=shows_phrase))
        return out


def _needs(user: Principal) -> frozenset[str]:
    from vigil.services.access import CASE_NEEDS

    return CASE_NEEDS.get(user.role, frozenset())
