"""The dashboard: my triage queue across the cases I am on, newest evidence, extension panels.

The queue comes from :func:`vigil.services.triage.run.triage`, called once per member case (so it
analyses what is new or stale and logs the view per case, attributed to the user). Quotes are
left out here: message text is shown only in the conversation viewer, after a purpose.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select

from vigil.db.tables.analysis import AssessmentRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import Exhibit
from vigil.services.access import (
    Principal,
    readable_cases,
    record_view,
    stated_purpose,
)
from vigil.services.cases import Contribution
from vigil.services.triage.rows import TriageRow
from vigil.services.workspace import Workspace

log = logging.getLogger(__name__)

DEFAULT_PURPOSE = "triage queue on the web dashboard"


@dataclass(slots=True)
class NewEvidence:
    case_ref: str
    ref: str
    original_name: str
    registered_at: datetime


@dataclass(slots=True)
class PanelData:
    key: str
    title: str
    template: str
    data: Any


@dataclass(slots=True)
class Dashboard:
    queue: list[TriageRow]
    cases: list[str]
    analysis_available: bool
    note: str | None
    newest_evidence: list[NewEvidence]
    panels: list[PanelData] = field(default_factory=list)


def _stored_queue(ws: Workspace, case_ids: list[int], limit: int) -> list[TriageRow]:
    """Ranked stored assessments, when the analysis engine cannot run (nothing re-analysed)."""
    with ws.sessions() as s:
        rows = s.execute(
            select(AssessmentRow, ConversationRow, Case.ref)
            .join(ConversationRow, ConversationRow.id == AssessmentRow.conversation_id)
            .join(Case, Case.id == ConversationRow.case_id)
            .where(AssessmentRow.case_id.in_(case_ids))
            .order_by(
                AssessmentRow.urgency.desc(),
                AssessmentRow.flagged.desc(),
                AssessmentRow.risk.desc(),
                ConversationRow.id,
            )
            .limit(limit)
        ).all()
        return [
            TriageRow(c.id, ref, c.platform, c.title, c.message_count, a.risk, a.urgency,
                      json.loads(a.flags), flagged=a.flagged, note=a.score_note, last_at=c.last_at)
            for a, c, ref in rows
        ]  # fmt: skip


def _log_views(
    ws: Workspace, user: Principal, queue: list[TriageRow], purposes: dict[str, str | None]
) -> None:
    """Record the view of the stored queue per case, as the triage service does."""
    refs = sorted({q.case_ref for q in queue})
    if not refs:
        return
    with ws.transaction() as session:
        for ref in refs:
            record_view(
                session, user, ref, object_type="triage", object_id=ref,
                purpose=purposes.get(ref) or DEFAULT_PURPOSE, now=ws.now(),
                details={"conversations": [q.conversation_id for q in queue if q.case_ref == ref]},
            )  # fmt: skip


class Panel(Contribution, Protocol):
    """A dashboard panel (:class:`vigil.web.extensions.DashboardPanel`)."""

    @property
    def load(self) -> Callable[[Workspace, Principal], Any]: ...


def triage_queue(
    ws: Workspace, user: Principal, limit: int = 50, panels: Iterable[Panel] = ()
) -> Dashboard:
    """The user's triage queue, new evidence on their cases, and the dashboard ``panels``
    (:class:`vigil.web.extensions.DashboardPanel`, plugins' included)."""
    limit = max(1, min(limit, 500))
    with ws.sessions() as s:
        cases = readable_cases(s, user)
        purposes = {c.ref: stated_purpose(s, user, c.id, ws.now()) for c in cases}
    refs = [c.ref for c in cases]
    queue: list[TriageRow] = []
    note = None
    available = True
    if cases:
        try:
            from vigil.services.triage.run import triage

            uws = ws.acting_for(user)
            for ref in refs:
                # quotes stay in the conversation viewer, shown after a purpose
                queue.extend(
                    replace(r, top=[])
                    for r in triage(uws, ref, limit, purpose=purposes[ref] or DEFAULT_PURPOSE)
                )
        except Exception as exc:  # the queue must still show when the analysis cannot run
            log.exception("triage failed; showing stored assessments")
            available = False
            note = f"the analysis could not run ({type(exc).__name__}: {exc}); showing stored assessments"
            queue = _stored_queue(ws, [c.id for c in cases], limit)
            _log_views(ws, user, queue, purposes)
    queue.sort(key=lambda q: (-q.urgency, not q.flagged, -q.risk, q.conversation_id))
    queue = queue[:limit]
    with ws.sessions() as s:
        if queue and available:
            last = dict(
                s.execute(
                    select(ConversationRow.id, ConversationRow.last_at).where(
                        ConversationRow.id.in_([r.conversation_id for r in queue])
                    )
                ).all()
            )
            for q in queue:
                q.last_at = last.get(q.conversation_id)
        newest = [
            NewEvidence(ref, e.ref, e.original_name, e.registered_at)
            for e, ref in s.execute(
                select(Exhibit, Case.ref)
                .join(Case, Case.id == Exhibit.case_id)
                .where(Exhibit.case_id.in_([c.id for c in cases]))
                .order_by(Exhibit.registered_at.desc(), Exhibit.id.desc())
                .limit(8)
            ).all()
        ]
    uws = ws.acting_for(user)
    shown = [PanelData(p.key, p.title, p.template, p.load(uws, user)) for p in panels]
    return Dashboard(queue, refs, available, note, newest, shown)
