"""Analysing conversations, ranking them for triage, and explaining a conversation's score."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.analysis.engine import Engine, default_engine
from vigil.analysis.learn.bundle import build_scorer, resolve_model_dir
from vigil.analysis.scanner import set_database_cache
from vigil.analysis.score import ConversationInput, Scorer, ScoreResult
from vigil.analysis.wording import Wording, default_wording
from vigil.config import Settings
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow, ParticipantRow
from vigil.errors import NotFound
from vigil.gc_pause import gc_paused
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.triage.explained import (
    ExplainedFinding,
    ExplainedLine,
    component_words,
    explained_lines,
)
from vigil.services.triage.load import load_messages
from vigil.services.triage.rows import TopFinding, TriageRow
from vigil.services.workspace import Workspace

SCAN_BATCH_MESSAGES = 200_000


@dataclass(slots=True)
class AnalyseStats:
    conversations: int = 0
    messages: int = 0
    findings: int = 0
    skipped_current: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    """Time spent per step (load, scan, assess, store), for benchmarks and logs."""

    def add_time(self, step: str, since: float) -> float:
        """Add the time from ``since`` to now to ``step``; returns now."""
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - since
        return now


def _stale(session: Session, fingerprint: str, case_ids: Sequence[int], force: bool) -> list[int]:
    stmt = (
        select(ConversationRow.id)
        .outerjoin(AssessmentRow, AssessmentRow.conversation_id == ConversationRow.id)
        .where(ConversationRow.case_id.in_(case_ids))
        .order_by(ConversationRow.id)
    )
    if not force:
        stmt = stmt.where(
            (AssessmentRow.conversation_id.is_(None))
            | (AssessmentRow.taxonomy_fingerprint != fingerprint)
        )
    return list(session.execute(stmt).scalars())


def _batches(session: Session, conv_ids: Sequence[int]) -> Iterator[list[int]]:
    sizes = dict(
        session.execute(
            select(ConversationRow.id, ConversationRow.message_count).where(
                ConversationRow.id.in_(conv_ids)
            )
        ).all()
    )
    batch: list[int] = []
    n = 0
    for cid in conv_ids:
        batch.append(cid)
        n += sizes.get(cid, 0)
        if n >= SCAN_BATCH_MESSAGES:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


def _known_roles(session: Session, conv_id: int) -> dict[str, str]:
    return {
        pid: role
        for pid, role in session.execute(
            select(ParticipantRow.platform_id, ParticipantRow.role).where(
                ParticipantRow.conversation_id == conv_id
            )
        )
        if role and role != "unknown"
    }


def _to_json(obj: Any) -> str:
    return json.dumps(obj, default=str, ensure_ascii=False, sort_keys=True)


def _store(
    session: Session,
    scorer: Scorer,
    fingerprint: str,
    cid: int,
    case_id: int,
    r: ScoreResult,
    ref: datetime | None,
    now: datetime,
) -> int:
    a = r.assessment
    version = scorer.engine.version
    session.execute(delete(FindingRow).where(FindingRow.conversation_id == cid))
    session.execute(delete(AssessmentRow).where(AssessmentRow.conversation_id == cid))
    rows = [
        {"conversation_id": cid, "message_seq": f.seq, "rule_id": f.rule_id,
         "category": f.category, "span_start": f.start, "span_end": f.end, "quote": f.quote,
         "tags": ",".join(f.tags), "stage": f.stage, "weight": r.added[i], "side": f.side,
         "counted": f.counted, "reason": f.reason, "taxonomy_version": version}
        for i, f in enumerate(a.findings)
    ]  # fmt: skip
    if rows:
        session.execute(insert(FindingRow), rows)
    session.add(
        AssessmentRow(
            conversation_id=cid, case_id=case_id, risk=r.score, urgency=a.urgency,
            flags=_to_json([asdict(f) for f in a.flags]),
            timeline=_to_json([asdict(t) for t in a.timeline]),
            components=_to_json({k: asdict(v) for k, v in a.components.items()}),
            sides=_to_json({k: asdict(v) for k, v in a.sides.items()}),
            findings_count=sum(1 for f in a.findings if f.counted), model_score=r.model_score,
            flagged=r.flagged, indicator_score=r.indicator_score, language=r.language,
            score_note=r.note or None,
            contributions=_to_json({k: round(v, 6) for k, v in r.contributions.items()}),
            taxonomy_version=version, taxonomy_fingerprint=fingerprint,
            reference_time=ref, computed_at=now, tool_version=tool_version(),
        )
    )  # fmt: skip
    return len(rows)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def hyperscan_cache(settings: Settings) -> Path:
    """Where compiled Hyperscan databases are kept: the per-user cache folder
    (``VIGIL_CACHE_DIR``, by default ``$XDG_CACHE_HOME/vigil`` or ``~/.cache/vigil``), so
    every workspace reuses them; the workspace's own ``cache/`` when that is not writable.

    The files hold only the compiled taxonomy patterns, never case material, and are named by
    a hash of the Hyperscan version, expressions and flags (``vigil.analysis.scanner``).
    """
    if settings.cache_dir is not None:
        user = settings.cache_dir.expanduser() / "hyperscan"
        if _writable(user):
            return user
    return settings.resolved_home / "cache" / "hyperscan"


def scorer_for(ws: Workspace) -> Scorer:
    """The scorer triage uses: the shipped model unless ``VIGIL_MODEL_DIR`` names another
    folder or ``none`` (indicators alone); the same one ``vigil scan`` builds."""
    return build_scorer(resolve_model_dir(ws.settings.model_dir))


def analyse(
    ws: Workspace, case_ref: str | None = None, force: bool = False, engine: Engine | None = None
) -> AnalyseStats:
    """Scan and score every conversation whose stored result is missing or stale, in
    ``case_ref`` or else in every case the acting person may read
    (:func:`vigil.services.access.acting`)."""
    return _analyse(ws, _cases_to_read(ws, case_ref), force, engine)


def _cases_to_read(ws: Workspace, case_ref: str | None) -> list[int]:
    """``case_ref``'s id if the acting person may read it (else AccessDenied), or the ids of
    every case they may read."""
    with ws.transaction() as s:  # (the acting account is made on first use)
        if case_ref:
            case_ids = [get_case(s, case_ref).id]
            access.require_act(s, ws, "read", case_ref)
            return case_ids
        return [c.id for c in access.readable_cases(s, access.acting(s, ws))]


def _analyse(
    ws: Workspace, case_ids: list[int], force: bool, engine: Engine | None
) -> AnalyseStats:
    set_database_cache(hyperscan_cache(ws.settings))
    scorer = scorer_for(ws)
    if engine is not None:
        scorer = replace(scorer, engine=engine)
    fingerprint = scorer.fingerprint
    stats = AnalyseStats()
    with ws.sessions() as s:
        todo = _stale(s, fingerprint, case_ids, force)
        total = s.execute(
            select(func.count())
            .select_from(ConversationRow)
            .where(ConversationRow.case_id.in_(case_ids))
        ).scalar_one()
        stats.skipped_current = total - len(todo)
        batches = list(_batches(s, todo))
        ref_times = dict(
            s.execute(
                select(ConversationRow.case_id, func.max(ConversationRow.last_at))
                .where(ConversationRow.case_id.in_(case_ids))
                .group_by(ConversationRow.case_id)
            ).all()
        )
        case_of = dict(
            s.execute(
                select(ConversationRow.id, ConversationRow.case_id).where(
                    ConversationRow.id.in_(todo)
                )
            ).all()
        )
    for batch in batches:
        with ws.transaction() as session:
            t = time.perf_counter()
            msgs = load_messages(session, batch)
            t = stats.add_time("load", t)
            by_case: dict[int, list[int]] = {}
            for cid in batch:
                by_case.setdefault(case_of[cid], []).append(cid)
            with gc_paused():  # a full collection would walk every loaded message
                for case_id, cids in by_case.items():
                    ref = ref_times.get(case_id)
                    convs = [
                        ConversationInput(str(cid), msgs[cid], _known_roles(session, cid))
                        for cid in cids
                    ]
                    results = scorer.score(convs, ref)
                    t = stats.add_time("scan", t)
                    for cid, r in zip(cids, results, strict=True):
                        stats.findings += _store(
                            session, scorer, fingerprint, cid, case_id, r, ref, ws.now()
                        )
                        stats.conversations += 1
                        stats.messages += len(msgs[cid])
                    t = stats.add_time("store", t)
    return stats


def triage(
    ws: Workspace,
    case_ref: str | None = None,
    limit: int = 50,
    purpose: str = "triage of conversations",
) -> list[TriageRow]:
    """Rank conversations by urgency, then risk, with their top findings. Logs the view.

    Only conversations of cases the acting person is on (:func:`vigil.services.access.acting`)
    are listed; a named case they are not on is refused."""
    mine = _cases_to_read(ws, case_ref)  # resolved once, for the analysis and the listing
    _analyse(ws, mine, False, None)
    with ws.sessions() as s:
        stmt = (
            select(AssessmentRow, ConversationRow, Case.ref)
            .join(ConversationRow, ConversationRow.id == AssessmentRow.conversation_id)
            .join(Case, Case.id == ConversationRow.case_id)
            .order_by(
                AssessmentRow.urgency.desc(),
                AssessmentRow.flagged.desc(),
                AssessmentRow.risk.desc(),
                ConversationRow.id,
            )
            .limit(limit)
        )
        if case_ref:
            stmt = stmt.where(Case.ref == case_ref)
        stmt = stmt.where(Case.id.in_(mine))
        out: list[TriageRow] = []
        found = s.execute(stmt).all()
        tops = top_findings_many(s, [c.id for _, c, _ in found], 3)
        for a, c, ref in found:
            row = TriageRow(
                c.id,
                ref,
                c.platform,
                c.title,
                c.message_count,
                a.risk,
                a.urgency,
                json.loads(a.flags),
            )
            row.top = tops.get(c.id, [])
            row.categories = sorted({t.category for t in row.top})
            row.flagged, row.note, row.last_at = a.flagged, a.score_note, c.last_at
            out.append(row)
    cases = sorted({r.case_ref for r in out})
    if cases:
        with ws.transaction() as session:
            ws.ensure_user(session)
            for ref in cases:
                audit.record(session, ws.actor, "view", audit.Subject("triage", ref, ref), purpose=purpose, details={"conversations": [r.conversation_id for r in out if r.case_ref == ref]}, now=ws.now())  # fmt: skip
    return out


def top_findings_many(s: Session, conv_ids: Sequence[int], n: int) -> dict[int, list[TopFinding]]:
    """The top ``n`` counted findings of each conversation, in one query (window function)."""
    rank = (
        func.row_number()
        .over(
            partition_by=FindingRow.conversation_id,
            order_by=(FindingRow.weight.desc(), FindingRow.message_seq, FindingRow.id),
        )
        .label("rk")
    )
    ranked = (
        select(FindingRow.id, rank)
        .where(FindingRow.conversation_id.in_(conv_ids), FindingRow.counted.is_(True))
        .subquery()
    )
    stmt = (
        select(FindingRow, MessageRow.sent_at, ParticipantRow.display_name, ParticipantRow.platform_id)
        .join(ranked, (ranked.c.id == FindingRow.id) & (ranked.c.rk <= n))
        .join(MessageRow, (MessageRow.conversation_id == FindingRow.conversation_id)
              & (MessageRow.seq == FindingRow.message_seq))
        .outerjoin(ParticipantRow, ParticipantRow.id == MessageRow.sender_id)
        .order_by(FindingRow.conversation_id, ranked.c.rk)
    )  # fmt: skip
    out: dict[int, list[TopFinding]] = {}
    for f, sent, name, pid in s.execute(stmt).all():
        out.setdefault(f.conversation_id, []).append(
            TopFinding(f.message_seq, sent, name or pid, f.category, f.quote, f.reason, f.weight)
        )
    return out


def _all_findings(s: Session, conv_id: int, words: Wording) -> list[ExplainedFinding]:
    """Every counted finding of a conversation, in message order, with officer words."""
    stmt = (
        select(FindingRow, MessageRow.sent_at, ParticipantRow.display_name, ParticipantRow.platform_id)
        .join(MessageRow, (MessageRow.conversation_id == FindingRow.conversation_id)
              & (MessageRow.seq == FindingRow.message_seq))
        .outerjoin(ParticipantRow, ParticipantRow.id == MessageRow.sender_id)
        .where(FindingRow.conversation_id == conv_id, FindingRow.counted.is_(True))
        .order_by(FindingRow.message_seq, FindingRow.span_start)
    )  # fmt: skip
    return [
        ExplainedFinding(
            f.message_seq, sent, name or pid, f.category, f.quote, f.reason, f.weight,
            f.rule_id, f.span_start, f.span_end, words.label(f.category),
            words.description(f.rule_id, f.reason), words.notes(f.rule_id),
        )
        for f, sent, name, pid in s.execute(stmt).all()
    ]  # fmt: skip


@dataclass(slots=True)
class Explanation:
    conversation_id: int
    case_ref: str
    platform: str
    title: str | None
    risk: float
    urgency: int
    flags: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    components: dict[str, Any]
    sides: dict[str, Any]
    findings: list[ExplainedFinding]
    """Every counted finding, one per pattern match (rule ids and technical notes included)."""
    uncounted: int
    taxonomy_version: str
    flagged: bool = False
    indicator_score: float | None = None
    model_score: float | None = None
    language: str | None = None
    note: str | None = None
    contributions: dict[str, float] = field(default_factory=dict)
    """What each finding feature added to the indicator log-odds."""
    labels: dict[str, str] = field(default_factory=dict)
    """Each contribution's feature in plain words."""
    lines: list[ExplainedLine] = field(default_factory=list)
    """The findings as officers read them: matches on overlapping words merged into one line."""
    component_words: dict[str, str] = field(default_factory=dict)
    """Each score component's explanation with category labels and stage names in words."""


def explain(
    ws: Workspace, conversation_id: int, purpose: str = "explain a triage score"
) -> Explanation:
    """The stage timeline and every finding behind a conversation's score. Logs the view."""
    with ws.sessions() as s:
        conv = s.get(ConversationRow, conversation_id)
        if conv is None:
            raise NotFound(f"no conversation {conversation_id}", hint="see `vigil triage`")
        case_ref = s.get(Case, conv.case_id).ref  # type: ignore[union-attr]
    with ws.transaction() as s:
        access.require_act(s, ws, "read", case_ref)
    analyse(ws, case_ref)
    words = default_wording()
    with ws.sessions() as s:
        a = s.get(AssessmentRow, conversation_id)
        assert a is not None
        uncounted = s.execute(
            select(func.count()).where(
                FindingRow.conversation_id == conversation_id, FindingRow.counted.is_(False)
            )
        ).scalar_one()
        e = Explanation(
            conversation_id,
            case_ref,
            conv.platform,
            conv.title,
            a.risk,
            a.urgency,
            json.loads(a.flags),
            json.loads(a.timeline),
            json.loads(a.components),
            json.loads(a.sides),
            _all_findings(s, conversation_id, words),
            uncounted,
            a.taxonomy_version,
            a.flagged,
            a.indicator_score,
            a.model_score,
            a.language,
            a.score_note,
            json.loads(a.contributions or "{}"),
        )
        engine = default_engine()
        e.labels = {k: engine.describe(k) for k in e.contributions}
        e.lines = explained_lines(e.findings)
        e.component_words = component_words(e.components, words)
    with ws.transaction() as session:
        ws.ensure_user(session)
        audit.record(
            session,
            ws.actor,
            "view",
            audit.Subject("conversation", str(conversation_id), case_ref),
            purpose=purpose,
            details={"findings": len(e.findings)},
            now=ws.now(),
        )
    return e
