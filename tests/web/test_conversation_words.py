"""The conversation page and its CSV in officers' words: category labels and pattern
descriptions instead of rule ids and regex notes, a quote two patterns match shown once, and
readable local times in the case's zone. Synthetic, non-graphic chat."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from tests.analysis.test_descriptions import SAME_SPAN, write_chat
from tests.web.seed import analysis_available, csrf_of, make_user, sign_in
from vigil.analysis.taxonomy_load import load_taxonomy
from vigil.analysis.wording import Wording
from vigil.config import Settings
from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import ConversationRow
from vigil.services import access
from vigil.services.cases import create_case
from vigil.services.conversations import conversation_page
from vigil.services.ingest.run import ingest_file
from vigil.services.triage.run import analyse
from vigil.services.workspace import Workspace, init_workspace
from vigil.web.app import create_app

pytestmark = pytest.mark.skipif(not analysis_available(), reason="needs the analysis engine")

CASE = "OP-WORDS"
CHAT = [
    ("Sam", "user1", "hi, how old are you btw?"),
    ("Kim", "user2", "13"),
    ("Sam", "user1", SAME_SPAN),
    ("Sam", "user1", "keep this between us ok"),
    ("Sam", "user1", "can we meet on saturday? i'll pick you up at the station"),
]
TIMES = [
    datetime(2024, 3, 18, 14, 56, 1, tzinfo=UTC),  # Greenwich Mean Time in London
    datetime(2024, 3, 18, 14, 58, 30, tzinfo=UTC),
    datetime(2024, 3, 18, 15, 1, 0, tzinfo=UTC),
    datetime(2024, 5, 1, 18, 7, 0, tzinfo=UTC),  # British Summer Time: an hour ahead of UTC
    datetime(2024, 5, 1, 18, 9, 0, tzinfo=UTC),
]
PASSWORD = "correct horse battery staple 42"


@dataclass
class World:
    ws: Workspace
    conv: int
    client: TestClient


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = tmp_path_factory.mktemp("words")
    ws, _, _ = init_workspace(Settings(home=home / "ws", user="boss", database_url=None))
    create_case(ws, CASE, "Words for officers", None, "Europe/London")
    ingest_file(ws, CASE, write_chat(home / "chat.json", CHAT, TIMES), fmt="telegram_json")
    analyse(ws, CASE)
    with ws.sessions() as s:
        conv = s.execute(select(ConversationRow.id)).scalar_one()
    _, secret = make_user(ws, "reader", "analyst", [CASE])
    client = sign_in(TestClient(create_app(workspace=ws)), "reader", PASSWORD, secret)
    r = client.post(
        f"/cases/{CASE}/purpose",
        data={"purpose": "words test", "csrf_token": csrf_of(client.get("/").text)},
    )
    assert r.status_code < 400
    return World(ws, conv, client)


def _words() -> Wording:
    return Wording.from_taxonomy(load_taxonomy())


def _stored_rules(ws: Workspace) -> set[str]:
    with ws.sessions() as s:
        return set(s.execute(select(FindingRow.rule_id)).scalars())


def test_page_shows_labels_and_descriptions_not_regex_notes(world: World) -> None:
    r = world.client.get(f"/cases/{CASE}/conversations/{world.conv}")
    assert r.status_code == 200
    html = r.text
    words = _words()
    shown = set(re.findall(r'<span class="cat">([^<]*)</span>', html))
    assert "Age and identity probing" in shown and "Meeting and travel" in shown
    assert all("_" not in label for label in shown), shown
    for rule in _stored_rules(world.ws):
        notes = words.notes(rule)
        assert notes and str(escape(notes)) not in html, rule
    assert str(escape(words.description("age_identity_probing.en.how_old"))) in html
    assert "\\b" not in html
    assert "lead for a trained person" in html
    # rule ids stay out of what officers read: only in the muted technical detail
    visible = re.sub(r'<details class="technical.*?</details>', "", html, flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", visible)  # attributes (ids, CSS classes) are not read
    assert "age_identity_probing.en.how_old" not in visible
    assert "age_identity_probing.en.how_old" in html
    # the category filter lists labels
    assert re.search(r'<option value="meeting_travel"[^>]*>Meeting and travel \(\d+\)', html)


def test_a_quote_two_patterns_match_is_one_line_listing_both(world: World) -> None:
    html = world.client.get(f"/cases/{CASE}/conversations/{world.conv}").text
    quote = SAME_SPAN.rstrip("?")
    assert html.count(f"“{quote}”") == 1
    words = _words()
    both = ("supervision_risk_assessment.en.alone_check", "supervision_risk_assessment.en.find_out")
    line = next(li for li in html.split("<li") if f"“{quote}”" in li)
    for rule in both:
        assert str(escape(words.description(rule))) in line
        assert rule in line  # in the technical detail of the same line


def test_merging_changes_presentation_not_findings_or_scores(world: World) -> None:
    with world.ws.sessions() as s:
        user = access.principal_of(access.get_user(s, "reader"), "s:test")
    access.state_purpose(world.ws, user, CASE, "merge test")
    page = conversation_page(world.ws, user, CASE, world.conv)
    msg = next(m for m in page.messages if m.text == SAME_SPAN)
    assert len(msg.findings) == 2  # both matches are stored and counted by the scorer
    assert {(f.span_start, f.span_end) for f in msg.findings} == {(0, len(SAME_SPAN) - 1)}
    [line] = msg.lines
    assert sorted(line.finding_ids) == sorted(f.id for f in msg.findings)
    assert line.weight == pytest.approx(sum(f.weight for f in msg.findings))
    assert line.labels == ["Risk assessment of supervision"] and len(line.descriptions) == 2
    meeting = next(m for m in page.messages if m.text.startswith("can we meet"))
    assert [ln.quote for ln in meeting.lines] == [
        "can we meet on saturday",
        "i'll pick you up at the station",
    ]
    api = world.client.get(f"/api/v1/cases/{CASE}/conversations/{world.conv}/messages").json()
    [api_msg] = [m for m in api["messages"] if m["text"] == SAME_SPAN]
    assert len(api_msg["findings"]) == 2 and len(api_msg["lines"]) == 1
    assert {f["rule_id"] for f in api_msg["findings"]} == {
        "supervision_risk_assessment.en.alone_check",
        "supervision_risk_assessment.en.find_out",
    }


def test_csv_gives_local_time_in_the_case_zone_beside_utc(world: World) -> None:
    r = world.client.get(f"/cases/{CASE}/conversations/{world.conv}/export.csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == len(CHAT)
    assert [rows[0]["local_time_text"], rows[3]["local_time_text"]] == [
        "2024-03-18 14:56:01 GMT",
        "2024-05-01 19:07:00 BST",
    ]
    assert [rows[0]["sent_at_utc"], rows[3]["sent_at_utc"]] == [
        "2024-03-18T14:56:01+00:00",
        "2024-05-01T18:07:00+00:00",
    ]
    header = next(csv.reader(io.StringIO(r.text)))
    assert header.index("local_time_text") == header.index("sent_at_utc") + 1
    # the source's own text (a Unix epoch in Telegram exports) is kept, in its own column
    assert rows[0]["source_time_text"] == str(int(TIMES[0].timestamp()))
    words = _words()
    assert "Risk assessment of supervision" in rows[2]["finding_categories"]
    assert (
        words.description("supervision_risk_assessment.en.find_out") in rows[2]["finding_reasons"]
    )
    assert "\\b" not in r.text
    for rule in _stored_rules(world.ws):
        assert words.notes(rule) not in r.text, rule


def test_local_time_text_of_other_zones_and_missing_times() -> None:
    from vigil.services.conversation_csv import local_time_text, zone_of

    moment = datetime(2024, 3, 18, 14, 56, 1, tzinfo=UTC)
    assert local_time_text(moment, zone_of("UTC")) == "2024-03-18 14:56:01 UTC"
    assert local_time_text(moment, zone_of("America/New_York")) == "2024-03-18 10:56:01 EDT"
    assert local_time_text(moment, zone_of("Not/AZone")) == "2024-03-18 14:56:01 UTC"
    assert local_time_text(None, zone_of("Europe/London")) == ""
