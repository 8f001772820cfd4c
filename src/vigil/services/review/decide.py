"""Recording review decisions: one transaction, one custody entry and one history row each.

The acting person (:func:`vigil.services.access.require_act`: the signed-in person on the web,
``VIGIL_USER`` on the command line) must be a member of the case with a role that may
``write``; roles that only read (disclosure officers) cannot decide. A decision is made on
content, so it needs a purpose: the one given, or the one stated for this case in this
sign-in. Each part of a change (state, note, each tag, bookmark) is its own ``annotate`` entry
in the custody log (the note's SHA-256 and length, never its words) and its own row in
``review_decisions``; nothing is changed or deleted. Adding a tag that stands, or setting a
bookmark that is set, records nothing; setting a state always records (a second reviewer
confirming a state is a decision too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.db.tables.review import ReviewDecision, ReviewState
from vigil.errors import NotFound, UserError
from vigil.services import audit
from vigil.services.access import Principal, require_act, require_purpose
from vigil.services.review.model import Change, Decision, Marks, note_digest, replay
from vigil.services.review.read import conversation_of, decisions_of
from vigil.services.workspace import Workspace


@dataclass(slots=True)
class Recorded:
    """What a change recorded, and what stands after it."""

    case_ref: str
    conversation_id: int
    seq: int | None
    decisions: list[Decision]
    marks: Marks


def purpose_for(
    session: Session, user: Principal, case: Case, now: datetime, given: str | None
) -> str:
    """The purpose given (a few words at least), else the one stated for this sign-in."""
    if given and given.strip():
        text = " ".join(given.replace("\x00", " ").split())[:500]
        if len(text) < 4:
            raise UserError("give a purpose of a few words", hint="e.g. 'review for interview'")
        return text
    return require_purpose(session, user, case, now)


def _marks_of(session: Session, conv_id: int, seq: int | None) -> Marks:
    return replay(decisions_of(session, conv_id, only_seq=seq)).get(seq, Marks())


def _parts(change: Change, now: Marks) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, value, custody details) for each part of ``change`` that changes something."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    if change.state is not None:
        out.append(("state", change.state, {"state": change.state}))
    if change.note is not None:
        out.append(
            (
                "note",
                change.note,
                {"note_sha256": note_digest(change.note), "chars": len(change.note)},
            )
        )
    out += [("tag", t, {"tag": t}) for t in change.tags_add if t not in now.tags]
    out += [("untag", t, {"tag": t}) for t in change.tags_remove if t in now.tags]
    if change.bookmark is not None and change.bookmark != now.bookmarked:
        out.append(("bookmark" if change.bookmark else "unbookmark", "", {}))
    return out


def decide(
    ws: Workspace,
    case_ref: str,
    conv_id: int,
    change: Change,
    *,
    purpose: str | None = None,
) -> Recorded:
    """Record ``change`` on conversation ``conv_id`` of ``case_ref`` (or on one message of it).

    Every part is checked before anything is written; a refusal leaves nothing behind."""
    change = change.checked()
    now = ws.now()
    with ws.transaction() as session:
        user = require_act(session, ws, "write", case_ref)
        case = session.execute(select(Case).where(Case.ref == case_ref)).scalar_one()
        conv = conversation_of(session, case, conv_id)
        if change.seq is not None:
            _message_exists(session, conv, change.seq)
        why = purpose_for(session, user, case, now, purpose)
        before = _marks_of(session, conv.id, change.seq)
        made: list[Decision] = []
        for kind, value, details in _parts(change, before):
            entry = audit.record(
                session, user, "annotate", audit.Subject("conversation", str(conv.id), case.ref),
                purpose=why, now=now,
                details={"review": kind, **details,
                         **({"message": change.seq} if change.seq is not None else {})},
            )  # fmt: skip
            row = ReviewDecision(
                case_id=case.id, conversation_id=conv.id, message_seq=change.seq, kind=kind,
                value=value, decided_by_id=user.user_id, decided_at=now, custody_seq=entry.seq,
            )  # fmt: skip
            session.add(row)
            session.flush()
            made.append(Decision(row.id, change.seq, kind, value, user.username, now))
            if kind == "state" and change.seq is None:
                _set_current(session, case.id, conv.id, value, row.id, now)
        after = _marks_of(session, conv.id, change.seq)
    return Recorded(case_ref, conv_id, change.seq, made, after)


def _message_exists(session: Session, conv: ConversationRow, seq: int) -> None:
    found = session.execute(
        select(MessageRow.seq).where(MessageRow.conversation_id == conv.id, MessageRow.seq == seq)
    ).first()
    if found is None:
        raise NotFound(f"no message {seq} in conversation {conv.id}")


def _set_current(
    session: Session, case_id: int, conv_id: int, state: str, decision_id: int, now: datetime
) -> None:
    cur = session.get(ReviewState, conv_id)
    if cur is None:
        session.add(ReviewState(conversation_id=conv_id, case_id=case_id, state=state,
                                decision_id=decision_id, decided_at=now))  # fmt: skip
    else:
        cur.state, cur.decision_id, cur.decided_at = state, decision_id, now
