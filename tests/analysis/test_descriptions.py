"""Words for officers: every pattern's description, category labels, findings merged by span,
and `vigil explain` showing descriptions by default and technical notes only on request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from vigil.analysis.engine import default_engine
from vigil.analysis.rules import rules_from_taxonomy
from vigil.analysis.taxonomy_load import (
    TaxonomyError,
    description_problem,
    load_taxonomy,
    parse_taxonomy,
    taxonomy_documents,
)
from vigil.analysis.wording import Wording, group_by_span, humanise, joined_quote
from vigil.cli import common as cli_common
from vigil.cli.main import app
from vigil.config import Settings
from vigil.db.tables.conversations import ConversationRow
from vigil.services.ingest.run import ingest_file
from vigil.services.triage.run import analyse, explain
from vigil.services.workspace import Workspace

PICKUP = "meeting_travel.en.pickup_offer"
PICKUP_DESCRIPTION = (
    '    description: "Offers to pick the other person up, collect them or give them a lift."\n'
)
SAME_SPAN = "can anyone see this?"
"""Synthetic, non-graphic: a supervision check that two patterns of one category match on
exactly the same words (the "same quote twice" testers saw)."""


def test_every_pattern_has_a_plain_description_apart_from_its_notes() -> None:
    tax = load_taxonomy()
    patterns = tax.patterns()
    assert len(patterns) > 200
    for p in patterns:
        assert description_problem(p.description) is None, p.id
        assert p.description != p.notes, p.id
    assert all("_" not in c.name for c in tax.categories)
    assert tax.category("meeting_travel").name == "Meeting and travel"


def _docs(edit_from: str, edit_to: str) -> dict[str, str]:
    docs = dict(taxonomy_documents())
    assert docs["meeting_travel.yaml"].count(edit_from) == 1
    docs["meeting_travel.yaml"] = docs["meeting_travel.yaml"].replace(edit_from, edit_to)
    return docs


def test_the_loader_rejects_a_pattern_without_a_description() -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(_docs(PICKUP_DESCRIPTION, ""))
    text = str(info.value)
    assert "meeting_travel.yaml" in text and PICKUP in text
    assert "missing field(s): description" in text


@pytest.mark.parametrize(
    ("description", "problem"),
    [
        ('""', "non-empty"),
        ("[]", "non-empty"),
        (r"'The \b after you keeps it out.'", "developer note"),
        ("Matches pickup_offer phrasing.", "developer note"),
        ("Offers a lift. Parents say it too.", "more than one sentence"),
        ('"' + "Offers a lift " * 20 + '"', "longer than"),
    ],
)
def test_the_loader_rejects_a_description_that_is_not_for_officers(
    description: str, problem: str
) -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(_docs(PICKUP_DESCRIPTION, f"    description: {description}\n"))
    assert PICKUP in str(info.value) and problem in str(info.value)


def test_a_finding_reason_is_label_and_description_never_the_note() -> None:
    tax = load_taxonomy()
    rule = next(r for r in rules_from_taxonomy(tax) if r.id == "age_identity_probing.en.how_old")
    pattern = next(p for p in tax.patterns() if p.id == rule.id)
    assert rule.explanation == f"Age and identity probing: {pattern.description}"
    assert rule.notes == pattern.notes and "\\b" in rule.notes  # the note stays, for --technical
    assert "\\b" not in rule.explanation


def test_wording_falls_back_for_ids_the_taxonomy_no_longer_has() -> None:
    words = Wording.from_taxonomy(load_taxonomy())
    assert words.label("meeting_travel") == "Meeting and travel"
    assert words.label("old_category") == "Old category"
    assert words.description("gone.en.rule", "stored reason") == "stored reason"
    assert words.notes("gone.en.rule") == ""
    assert humanise("risk_assessment") == "Risk assessment"


@dataclass(frozen=True)
class Hit:
    span_start: int
    span_end: int
    quote: str


def test_group_by_span_merges_identical_nested_and_chained_overlaps_only() -> None:
    text = "can we meet on saturday? i'll pick you up at the station"

    def hit(a: int, b: int) -> Hit:
        return Hit(a, b, text[a:b])

    same = [hit(0, 14), hit(0, 14)]
    chain = [hit(4, 23), hit(0, 14)]  # "can we meet on" + "we meet on saturday"
    nested = [hit(30, 56), hit(25, 41), hit(30, 41)]  # "i'll pick you up at the station"
    groups = group_by_span([*same, *chain, *nested])
    assert [len(g) for g in groups] == [4, 3]
    assert [joined_quote(g) for g in groups] == [
        "can we meet on saturday",
        "i'll pick you up at the station",
    ]
    touching = group_by_span([hit(0, 3), hit(3, 6)])  # next to each other, not overlapping
    assert len(touching) == 2


def test_a_message_two_patterns_match_on_the_same_words_is_scored_from_both() -> None:
    engine = default_engine()
    [hits] = engine.scanner.scan([SAME_SPAN])
    spans = {(h.start, h.end) for h in hits}
    rules = {engine.rules[h.pattern].id for h in hits}
    assert len(hits) == 2 and len(spans) == 1  # the scanner keeps both: the score counts both
    assert {r.split(".")[0] for r in rules} == {"supervision_risk_assessment"}
    [line] = group_by_span([Hit(h.start, h.end, h.quote) for h in hits])
    assert len(line) == 2


# --- vigil explain ------------------------------------------------------------------------

CHAT = [
    ("Sam", "user1", "hi, how old are you btw?"),
    ("Kim", "user2", "13"),
    ("Sam", "user1", SAME_SPAN),
    ("Sam", "user1", "keep this between us ok"),
    ("Sam", "user1", "can we meet on saturday? i'll pick you up at the station"),
]


def write_chat(path: Path, chat: list[tuple[str, str, str]], times: list[datetime]) -> Path:
    """A synthetic Telegram export (non-graphic safeguarding cues)."""
    msgs = [
        {
            "id": i,
            "type": "message",
            "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(when.timestamp())),
            "from": name,
            "from_id": uid,
            "text": text,
        }
        for i, ((name, uid, text), when) in enumerate(zip(chat, times, strict=True), start=1)
    ]
    doc = {"chats": {"list": [{"name": "Sam", "type": "personal_chat", "id": 1, "messages": msgs}]}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture()
def explained(ws: Workspace, settings: Settings, tmp_path: Path) -> tuple[Settings, int]:
    t0 = datetime(2024, 3, 18, 14, 56, 1, tzinfo=UTC)
    times = [t0 + timedelta(minutes=3 * i) for i in range(len(CHAT))]
    chat = write_chat(tmp_path / "chat.json", CHAT, times)
    ingest_file(ws, "OP-TEST", chat, fmt="telegram_json")
    analyse(ws, "OP-TEST")
    with ws.sessions() as s:
        conv = s.execute(select(ConversationRow.id)).scalar_one()
    return settings, conv


def _cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("VIGIL_HOME", str(settings.home))
    monkeypatch.setenv("VIGIL_USER", str(settings.user))
    monkeypatch.delenv("VIGIL_DATABASE_URL", raising=False)
    # the command line's console is made at import, before COLUMNS is set here: widen it
    monkeypatch.setattr(cli_common.console, "_width", 400)
    r = CliRunner().invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return " ".join(r.output.split())  # table cells may wrap; compare words


def test_explain_shows_labels_and_descriptions_not_notes_or_ids(
    explained: tuple[Settings, int], ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, conv = explained
    e = explain(ws, conv)
    words = Wording.from_taxonomy(load_taxonomy())
    rules = {f.rule_id for f in e.findings}
    assert "age_identity_probing.en.how_old" in rules
    out = _cli(settings, monkeypatch, "explain", str(conv))
    assert "lead for a trained person" in out
    for rid in rules:
        assert " ".join(words.description(rid).split()) in out, rid
        assert rid not in out
        assert " ".join(words.notes(rid).split()) not in out, rid
    assert "Age and identity probing" in out and "Risk assessment of supervision" in out
    assert "\\b" not in out
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", out), "a snake_case id reached officers"
    # the quote two patterns share is one line
    same = [ln for ln in e.lines if ln.quote == SAME_SPAN.rstrip("?")]
    assert len(same) == 1 and len(same[0].rule_ids) == 2 and len(same[0].descriptions) == 2
    assert out.count(f"{SAME_SPAN.rstrip('?')} ") == 1


def test_explain_technical_adds_pattern_ids_and_notes(
    explained: tuple[Settings, int], ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, conv = explained
    words = Wording.from_taxonomy(load_taxonomy())
    out = _cli(settings, monkeypatch, "explain", str(conv), "--technical")
    assert "Technical detail" in out
    rule = "age_identity_probing.en.how_old"
    assert rule in out
    assert " ".join(words.notes(rule).split()) in out
    assert " ".join(words.description(rule).split()) in out  # the officer view is still there
    as_json = json.loads(CliRunner().invoke(app, ["explain", str(conv), "--json"]).output)
    assert {f["rule_id"] for f in as_json["findings"]} >= {rule}
