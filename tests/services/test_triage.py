"""Triage from ingested evidence: ranking, explanations, audit entries, stale results refreshed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from vigil.analysis.engine import default_engine
from vigil.db.tables.analysis import AssessmentRow, FindingRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.services.ingest.run import ingest_file
from vigil.services.triage.run import analyse, explain, scorer_for, triage
from vigil.services.workspace import Workspace

CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "conversations"
MAPPING = {
    "sender": "from",
    "text": "text",
    "time": "time",
    "conversation": "chat",
    "title": "chat",
}


def export(tmp_path: Path, names: list[str]) -> Path:
    """Write corpus conversations as one generic JSON-lines export (one chat each)."""
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    lines = []
    for name in names:
        conv = json.loads((CORPORA / f"{name}.json").read_text())
        for m in conv["messages"]:
            when = (t0 + timedelta(minutes=m["minutes"])).isoformat()
            lines.append(
                json.dumps({"chat": name, "from": m["sender"], "text": m["text"], "time": when})
            )
    out = tmp_path / "export.jsonl"
    out.write_text("\n".join(lines) + "\n")
    return out


def test_triage_ranks_grooming_first_and_explains(ws: Workspace, tmp_path: Path) -> None:
    f = export(
        tmp_path,
        [
            "hard_negatives/courier_parents_home",
            "grooming/fast_gaming_contact",
            "hard_negatives/teen_cinema_plan",
            "case_patterns/parent_negotiates_access",
        ],
    )
    s = ingest_file(ws, "OP-TEST", f, fmt="generic", mapping=MAPPING)
    assert len(s.conversations) == 4
    rows = triage(ws, "OP-TEST")
    titles = [r.title for r in rows]
    assert set(titles[:2]) == {
        "grooming/fast_gaming_contact",
        "case_patterns/parent_negotiates_access",
    }
    top = rows[0]
    assert top.urgency == 3 and top.risk > 0.8 and top.top
    assert all(t.quote and t.sent_at is not None for t in top.top)
    e = explain(ws, top.conversation_id)
    assert e.timeline and e.findings and e.flags
    assert all(f.quote for f in e.findings)
    # what each finding added: the fitted contributions, shared out to the findings
    assert e.flagged and e.contributions and e.model_score is not None
    assert set(e.labels) == set(e.contributions) and all("_" not in w for w in e.labels.values())
    assert e.indicator_score is not None and 0 < e.indicator_score <= 1
    assert any(f.added > 0 for f in e.findings)
    assert top.flagged and rows[-1].flagged is False
    with ws.sessions() as sess:
        views = [c for c in sess.execute(select(CustodyEntry)).scalars() if c.action == "view"]
    assert {v.object_type for v in views} >= {"triage", "conversation"}
    assert all(v.purpose for v in views)


def test_results_carry_taxonomy_version_and_refresh_when_it_changes(
    ws: Workspace, tmp_path: Path
) -> None:
    f = export(tmp_path, ["grooming/obfuscated_shorthand"])
    ingest_file(ws, "OP-TEST", f, fmt="generic", mapping=MAPPING)
    first = analyse(ws, "OP-TEST")
    assert first.conversations == 1 and first.findings > 0
    again = analyse(ws, "OP-TEST")
    assert again.conversations == 0 and again.skipped_current == 1  # nothing stale
    engine = default_engine()
    fewer = replace(engine, rules=engine.rules, fingerprint="changed-taxonomy")
    with ws.sessions() as sess:
        before = sess.execute(select(AssessmentRow)).scalar_one().taxonomy_fingerprint
    changed = analyse(ws, "OP-TEST", engine=fewer)
    assert changed.conversations == 1
    with ws.sessions() as sess:
        a = sess.execute(select(AssessmentRow)).scalar_one()
        # the stored fingerprint covers taxonomy, weights and model: it follows the taxonomy
        assert a.taxonomy_fingerprint != before
        assert a.taxonomy_fingerprint == replace(scorer_for(ws), engine=fewer).fingerprint
        assert a.taxonomy_version == engine.version
        n = len(list(sess.execute(select(FindingRow)).scalars()))
    assert n == first.findings  # replaced, not duplicated


def test_platform_report_reads_indicator_findings(ws: Workspace, tmp_path: Path) -> None:
    from datetime import date

    from vigil.services.reports import AnalysisFindings, platform_report

    f = export(tmp_path, ["grooming/fast_gaming_contact"])
    ingest_file(ws, "OP-TEST", f, fmt="generic", mapping={**MAPPING, "platform": "discord"})
    analyse(ws, "OP-TEST")
    with ws.sessions() as sess:
        rows = list(AnalysisFindings().indicators(sess, datetime(2030, 1, 1, tzinfo=UTC)))
        moves = list(
            AnalysisFindings().migrations(
                sess, datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
            )
        )
    cats = {r.category for r in rows}
    assert {"meeting_travel", "secrecy_exclusivity", "platform_migration"} <= cats
    assert all(r.case_ref == "OP-TEST" and r.platform == "discord" for r in rows)
    assert any(m.to_platform == "snapchat" for m in moves)  # "add me on snap"
    report = platform_report(ws, date(2026, 1, 1), date(2026, 12, 31))
    assert "indicator findings" in report.sources
