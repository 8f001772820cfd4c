"""Evidence captured under a persona, checked against the persona's authorisations at the
time of each message (or of the capture): gaps are recorded, never refused.

An ingest or an ``evidence add`` under ``--persona`` stores everything as usual; then
:func:`check_messages` (conversations) or :func:`check_capture_time` (a file) compares each
moment with the cover of :mod:`vigil.cases.cover`, stores each run outside cover as a
:class:`~vigil.db.tables.cover.CoverGap` and appends one custody entry saying what was
checked and what was found. :func:`list_gaps` is the supervisor's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.cases import cover
from vigil.cases.authorisation import AuthState
from vigil.db.tables.access import User
from vigil.db.tables.cases import Authorisation, Persona
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.db.tables.cover import CoverGap
from vigil.db.tables.evidence import Exhibit
from vigil.errors import NotFound
from vigil.services import audit
from vigil.services.cases import get_case
from vigil.services.workspace import Workspace

RUNS_IN_CUSTODY = 50
"""Runs listed in the custody entry of a check (all of them are in ``cover_gaps``)."""


@dataclass(frozen=True, slots=True)
class CoverCheck:
    """What one check found: moments checked, how many were outside cover, in how many runs."""

    persona_ref: str
    checked: int
    uncovered: int
    runs: int

    def note(self, case_ref: str) -> str | None:
        if not self.uncovered:
            return None
        return (
            f"{self.uncovered:,} of {self.checked:,} message(s) or capture(s) fall outside the "
            f"authorisations of persona {self.persona_ref} at the time ({self.runs} run(s)): "
            f"stored and listed for the supervisor (vigil authorisation gaps --case {case_ref})"
        )


@dataclass(frozen=True, slots=True)
class GapInfo:
    """A run outside cover, as the supervisor's list shows it."""

    exhibit_ref: str
    conversation_id: int | None
    conversation: str | None
    persona_ref: str
    first_seq: int | None
    last_seq: int | None
    messages: int
    first_at: datetime | None
    last_at: datetime | None
    reason: str
    recorded_at: datetime
    recorded_by: str


def persona_states(session: Session, persona_ref: str) -> list[AuthState]:
    """Every authorisation of the persona, as the rules see it (NotFound: no such persona)."""
    from vigil.services.casework.authorisations import auth_state

    persona = session.execute(
        select(Persona).where(Persona.ref == persona_ref)
    ).scalar_one_or_none()
    if persona is None:
        raise NotFound(f"no persona {persona_ref!r}", hint="see `vigil persona list`")
    auths = session.execute(
        select(Authorisation)
        .where(Authorisation.persona_id == persona.id)
        .order_by(Authorisation.granted_at)
    ).scalars()
    return [auth_state(session, a, persona_ref) for a in auths]


def _aware(t: datetime | None) -> datetime | None:
    if t is None or t.tzinfo is not None:
        return t
    return t.replace(tzinfo=UTC)


def _record(
    ws: Workspace,
    session: Session,
    case_ref: str,
    ex: Exhibit,
    check: CoverCheck,
    found: list[CoverGap],
    now: datetime,
) -> None:
    user = ws.ensure_user(session)
    for g in found:
        g.recorded_by_id = user.id
        session.add(g)
    audit.record(
        session,
        ws.actor,
        "annotate",
        audit.Subject("exhibit", ex.ref, case_ref),
        purpose="check the persona's authorisation cover at the time of each message",
        details={
            "check": "authorisation cover",
            "persona": check.persona_ref,
            "checked": check.checked,
            "outside_cover": check.uncovered,
            "runs": [
                {
                    "conversation_id": g.conversation_id,
                    "first_seq": g.first_seq,
                    "last_seq": g.last_seq,
                    "messages": g.messages,
                    "reason": g.reason,
                }
                for g in found[:RUNS_IN_CUSTODY]
            ],
            "runs_total": len(found),
        },
        now=now,
    )


def check_messages(
    ws: Workspace, session: Session, case_ref: str, ex: Exhibit, persona_ref: str
) -> CoverCheck:
    """Check every message of the exhibit's conversations against the persona's cover at its
    own time, inside the caller's (ingest) transaction."""
    case = get_case(session, case_ref)
    states = persona_states(session, persona_ref)
    now = ws.now()
    found: list[CoverGap] = []
    checked = 0
    conv_ids = session.execute(
        select(ConversationRow.id).where(ConversationRow.exhibit_id == ex.id)
    ).scalars()
    for conv_id in sorted(conv_ids):
        rows = session.execute(
            select(MessageRow.seq, MessageRow.sent_at)
            .where(MessageRow.conversation_id == conv_id)
            .order_by(MessageRow.seq)
        ).all()
        seqs = [r[0] for r in rows]
        times = [_aware(r[1]) for r in rows]
        checked += len(rows)
        for g in cover.gaps(states, case_ref, times):
            found.append(
                CoverGap(
                    case_id=case.id,
                    exhibit_id=ex.id,
                    conversation_id=conv_id,
                    persona_ref=persona_ref,
                    first_seq=seqs[g.first],
                    last_seq=seqs[g.last],
                    messages=g.count,
                    first_at=g.first_at,
                    last_at=g.last_at,
                    reason=g.reason,
                    recorded_at=now,
                )
            )
    check = CoverCheck(persona_ref, checked, sum(g.messages for g in found), len(found))
    _record(ws, session, case_ref, ex, check, found, now)
    return check


def check_capture_time(
    ws: Workspace, session: Session, case_ref: str, ex: Exhibit, persona_ref: str, when: datetime
) -> CoverCheck:
    """Check a file captured by the persona at ``when`` (``evidence add --persona``)."""
    case = get_case(session, case_ref)
    states = persona_states(session, persona_ref)
    now = ws.now()
    found = [
        CoverGap(
            case_id=case.id,
            exhibit_id=ex.id,
            conversation_id=None,
            persona_ref=persona_ref,
            first_seq=None,
            last_seq=None,
            messages=1,
            first_at=g.first_at,
            last_at=g.last_at,
            reason=g.reason,
            recorded_at=now,
        )
        for g in cover.gaps(states, case_ref, [_aware(when)])
    ]
    check = CoverCheck(persona_ref, 1, len(found), len(found))
    _record(ws, session, case_ref, ex, check, found, now)
    return check


def list_gaps(ws: Workspace, case_ref: str) -> list[GapInfo]:
    """Every recorded run outside cover in the case, oldest first."""
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        rows = s.execute(
            select(
                CoverGap,
                Exhibit.ref,
                ConversationRow.title,
                ConversationRow.platform,
                User.username,
            )
            .join(Exhibit, Exhibit.id == CoverGap.exhibit_id)
            .outerjoin(ConversationRow, ConversationRow.id == CoverGap.conversation_id)
            .join(User, User.id == CoverGap.recorded_by_id)
            .where(CoverGap.case_id == case.id)
            .order_by(CoverGap.first_at, CoverGap.id)
        ).all()
        return [_info(g, ref, title, platform, who) for g, ref, title, platform, who in rows]


def _info(g: CoverGap, ref: str, title: str | None, platform: str | None, who: str) -> GapInfo:
    conv = None
    if g.conversation_id is not None:
        conv = f"{platform or 'chat'} #{g.conversation_id}" + (f" {title}" if title else "")
    return GapInfo(
        exhibit_ref=ref,
        conversation_id=g.conversation_id,
        conversation=conv,
        persona_ref=g.persona_ref,
        first_seq=g.first_seq,
        last_seq=g.last_seq,
        messages=g.messages,
        first_at=g.first_at,
        last_at=g.last_at,
        reason=g.reason,
        recorded_at=g.recorded_at,
        recorded_by=who,
    )


def gaps_in(ws: Workspace, case_ref: str, conversation_ids: Sequence[int]) -> dict[int, int]:
    """Messages outside cover per conversation (only those with any)."""
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        out: dict[int, int] = {}
        for cid, n in s.execute(
            select(CoverGap.conversation_id, CoverGap.messages).where(
                CoverGap.case_id == case.id, CoverGap.conversation_id.in_(list(conversation_ids))
            )
        ):
            if cid is not None:
                out[cid] = out.get(cid, 0) + n
        return out


def cover_section(ws: Workspace, user: object, case_ref: str) -> list[GapInfo]:
    """The case page's section (membership already checked by the page): the recorded gaps."""
    return list_gaps(ws, case_ref)
