"""Full-text search (vigil.services.search) on a real SQLite file and a real PostgreSQL server.

The chats are synthetic and non-graphic: everyday talk with grooming cues worded the way
public safeguarding guidance quotes them (age questions, secrecy, gifts, meeting plans,
supervision checks).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, insert, select
from tests.clirun import child, in_process
from tests.pg import fresh_database

from vigil.config import Settings
from vigil.db.tables.analysis import FindingRow
from vigil.db.tables.conversations import ConversationRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.errors import AccessDenied, UserError
from vigil.services import access, users
from vigil.services.cases import create_case
from vigil.services.ingest.run import ingest_file
from vigil.services.search import (
    SearchPage,
    SearchPurposeRequired,
    SearchQuery,
    parse_bound,
    search,
    search_scope,
)
from vigil.services.search import index as search_index
from vigil.services.search.query import fts5_match, marks, parse, pg_tsquery, tsvector_literal
from vigil.services.workspace import Workspace, init_workspace

PURPOSE = "review of the chats for the interview plan"

CHAT_A = """01/05/2024, 18:00 - Sam: hi, how was school today
01/05/2024, 18:01 - Kim: boring, we had a maths test
01/05/2024, 18:02 - Sam: how old are you btw?
01/05/2024, 18:03 - Kim: 13
01/05/2024, 18:04 - Sam: we should m33t up on saturday
01/05/2024, 18:05 - Kim: maybe, let me check with my mum
01/05/2024, 18:06 - Sam: keep this between us ok
01/05/2024, 18:07 - Kim: ok
01/05/2024, 18:08 - Sam: are your parents home right now?
01/05/2024, 18:09 - Kim: no they are at work
01/05/2024, 18:10 - Sam: i can get you a new phone if you want
01/05/2024, 18:11 - Kim: really? a new phone would be cool
"""
CHAT_B = """01/07/2024, 10:00 - Pat: the lighthouse trip was fun
01/07/2024, 10:01 - Lee: we should meet at the lighthouse again
01/07/2024, 10:02 - Pat: i took photographs of the boats
"""
PRACTICE = "".join(
    f"0{d}/08/2024, 17:00 - Coach: football practice number {d} is at the park\n"
    for d in range(1, 8)
)


def telegram_chat(path: Path) -> Path:
    """A short Telegram export (platform telegram), 10 June 2024."""
    lines = [
        ("Alex", "user1", "did you watch the match last night"),
        ("Jamie", "user2", "yes it was great"),
        ("Alex", "user1", "can we meet near the station on friday"),
        ("Jamie", "user2", "i am not sure"),
        ("Alex", "user1", "dont tell anyone about our chats, it is our secret"),
        ("Jamie", "user2", "why"),
    ]
    msgs = [
        {"id": i, "type": "message", "date": f"2024-06-10T19:0{i}:00",
         "date_unixtime": str(int(datetime(2024, 6, 10, 19, i, tzinfo=UTC).timestamp())),
         "from": name, "from_id": uid, "text": text}
        for i, (name, uid, text) in enumerate(lines, start=1)
    ]  # fmt: skip
    doc = {
        "chats": {"list": [{"name": "Alex", "type": "personal_chat", "id": 77, "messages": msgs}]}
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@dataclass
class World:
    ws: Workspace
    tmp: Path

    def as_(self, username: str) -> Workspace:
        return access.as_user(self.ws, username)

    def ingest(self, case: str, name: str, text: str) -> None:
        f = self.tmp / name
        f.write_text(text, encoding="utf-8")
        ingest_file(self.ws, case, f, fmt="whatsapp_txt", tz="UTC")


def build(tmp: Path, url: str | None) -> World:
    ws, _, _ = init_workspace(Settings(home=tmp / "ws", user="tester", database_url=url))
    create_case(ws, "OP-A", "First operation", None, "UTC")
    create_case(ws, "OP-B", "Second operation", None, "UTC")
    w = World(ws, tmp)
    w.ingest("OP-A", "WhatsApp Chat with Kim.txt", CHAT_A)
    ingest_file(ws, "OP-A", telegram_chat(tmp / "result.json"), fmt="telegram_json")
    w.ingest("OP-B", "WhatsApp Chat with Lee.txt", CHAT_B)
    users.create_user(ws, "ana", "investigator")
    users.set_membership(ws, "ana", "OP-A", True)
    users.create_user(ws, "aud", "auditor")
    users.set_membership(ws, "aud", "OP-A", True)
    with ws.transaction() as s:  # a finding on "i can get you a new phone" (message 11)
        conv = s.execute(
            select(ConversationRow.id).where(ConversationRow.platform == "whatsapp").limit(1)
        ).scalar_one()
        s.execute(insert(FindingRow).values(
            conversation_id=conv, message_seq=11, rule_id="test.gift", category="gifts_inducements",
            span_start=14, span_end=23, quote="new phone", tags="", stage="gifts", weight=1.0,
            side="adult", counted=True, reason="test finding", taxonomy_version="test",
        ))  # fmt: skip
    return w


@pytest.fixture(scope="module")
def pg_module_url(pg_server: str) -> Iterator[str]:
    """A database of its own on the session's PostgreSQL server, for this module's world."""
    with fresh_database(pg_server, "s_") as url:
        yield url


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    """OP-A (a WhatsApp chat and a Telegram chat) and OP-B (a WhatsApp chat); ``tester``
    (administrator, on both), ``ana`` (investigator, on OP-A), ``aud`` (auditor, on OP-A)."""
    url = request.getfixturevalue("pg_module_url") if request.param == "postgres" else None
    return build(tmp_path_factory.mktemp(f"search-{request.param}"), url)


def run(w: World, text: str, *, user: str = "tester", purpose: str | None = PURPOSE,
        **kw: Any) -> SearchPage:  # fmt: skip
    return search(w.as_(user), SearchQuery(text, **kw), purpose)


def texts(p: SearchPage) -> list[str]:
    return [h.message.text for h in p.hits]


def marked(p: SearchPage) -> list[list[str]]:
    return [[h.message.text[a:b] for a, b in h.message.marks] for h in p.hits]


def search_entries(w: World) -> list[CustodyEntry]:
    with w.ws.sessions() as s:
        return list(
            s.execute(
                select(CustodyEntry)
                .where(CustodyEntry.object_type == "search")
                .order_by(CustodyEntry.seq)
            ).scalars()
        )


# --- words, phrases, prefixes, obfuscation -----------------------------------------------------


def test_obfuscated_text_is_found_by_the_plain_word(world: World) -> None:
    p = run(world, "meet", cases=("OP-A",))
    assert sorted(texts(p)) == [
        "can we meet near the station on friday",
        "we should m33t up on saturday",
    ]
    assert sorted(marked(p)) == [["m33t"], ["meet"]]
    assert run(world, "m33t", cases=("OP-A",)).total == 2  # the query is normalised the same way
    assert run(world, "MEEEET", cases=("OP-A",)).total == 2


def test_every_word_must_be_there_in_any_order(world: World) -> None:
    assert texts(run(world, "cool phone new")) == ["really? a new phone would be cool"]
    assert run(world, "phone lighthouse").total == 0


def test_phrase_query(world: World) -> None:
    p = run(world, '"new phone"', order="oldest")
    assert texts(p) == [
        "i can get you a new phone if you want",
        "really? a new phone would be cool",
    ]
    assert marked(p) == [["new phone"], ["new phone"]]
    assert run(world, '"phone new"').total == 0
    assert texts(run(world, '"between us"')) == ["keep this between us ok"]


def test_prefix_query(world: World) -> None:
    p = run(world, "photo*")
    assert texts(p) == ["i took photographs of the boats"] and marked(p) == [["photographs"]]
    assert run(world, "lightho*").total == 2
    assert run(world, '"the lightho*"').total == 2  # a phrase ending in a prefix
    assert run(world, '"the lightho"*').total == 2
    with pytest.raises(UserError, match="too short"):
        run(world, "l*")


def test_hits_come_with_context_and_a_link_to_the_viewer(world: World) -> None:
    p = run(world, "parents", context=2)
    (h,) = p.hits
    assert h.case_ref == "OP-A" and h.platform == "whatsapp"
    assert [m.seq for m in h.before] == [7, 8] and [m.seq for m in h.after] == [10, 11]
    assert h.message.seq == 9 and h.message.is_hit and h.message.sender == "Sam"
    assert not any(m.is_hit or m.marks for m in [*h.before, *h.after])
    assert h.link == f"/cases/OP-A/conversations/{h.conversation_id}?start=7#m-9"
    assert [m.seq for m in run(world, "parents", context=0).hits[0].before] == []


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_case(world: World) -> None:
    assert {h.case_ref for h in run(world, "meet").hits} == {"OP-A", "OP-B"}
    assert {h.case_ref for h in run(world, "meet", cases=("OP-B",)).hits} == {"OP-B"}
    assert run(world, "meet", cases=("OP-A", "OP-B")).total == 3


def test_filter_by_platform(world: World) -> None:
    p = run(world, "meet", platform="Telegram")
    assert texts(p) == ["can we meet near the station on friday"]
    assert run(world, "meet", platform="discord").total == 0


def test_filter_by_participant(world: World) -> None:
    assert texts(run(world, '"new phone"', participant="kim")) == [
        "really? a new phone would be cool"
    ]
    assert texts(run(world, "secret", participant="user1")) == [
        "dont tell anyone about our chats, it is our secret"
    ]
    assert run(world, "secret", participant="user2").total == 0


def test_filter_by_date(world: World) -> None:
    june = parse_bound("2024-06-01")
    assert texts(run(world, "meet", cases=("OP-A",), date_from=june)) == [
        "can we meet near the station on friday"
    ]
    may_end = parse_bound("2024-05-01", end=True)
    assert texts(run(world, "meet", cases=("OP-A",), date_to=may_end)) == [
        "we should m33t up on saturday"
    ]
    at = parse_bound("2024-05-01T18:04:00")
    assert run(world, "meet", cases=("OP-A",), date_from=at, date_to=may_end).total == 1
    after = parse_bound("2024-05-01T18:04:01")
    assert run(world, "meet", cases=("OP-A",), date_from=after, date_to=may_end).total == 0


def test_filter_by_category(world: World) -> None:
    assert run(world, "phone").total == 2
    p = run(world, "phone", category="gifts_inducements")
    assert texts(p) == ["i can get you a new phone if you want"]
    assert run(world, "phone", category="meeting_travel").total == 0


def test_order_and_paging(world: World) -> None:
    if run(world, "practice").total == 0:
        world.ingest("OP-A", "WhatsApp Chat with Coach.txt", PRACTICE)
    seen: list[int] = []
    for page, size, more in ((1, 3, True), (2, 3, True), (3, 1, False)):
        p = run(world, "practice", page=page, per_page=3)
        assert (p.total, len(p.hits), p.has_next) == (7, size, more)
        seen += [h.message.seq for h in p.hits]
    assert seen == [7, 6, 5, 4, 3, 2, 1]  # newest first, each once
    assert [h.message.seq for h in run(world, "practice", order="oldest", per_page=7).hits] == [
        1, 2, 3, 4, 5, 6, 7,
    ]  # fmt: skip
    with pytest.raises(UserError, match="pages go up to"):
        run(world, "practice", page=1000, per_page=100)


# --- need to know, purpose, audit ------------------------------------------------------------


def test_need_to_know(world: World) -> None:
    p = run(world, "lighthouse", user="ana")
    assert (p.total, p.hits, p.cases_searched, p.more) == (0, [], 1, False)
    assert run(world, "meet", user="ana").total == 2  # only OP-A's
    refused = []
    for ref in ("OP-B", "OP-NO-SUCH-CASE"):
        with pytest.raises(AccessDenied) as exc:
            run(world, "lighthouse", user="ana", cases=(ref,))
        refused.append(str(exc.value).replace(ref, "REF"))
    assert refused[0] == refused[1]  # a case one is not on reads like one that does not exist
    scope = search_scope(world.as_("ana"))
    assert scope.cases == [("OP-A", "First operation")]
    assert scope.platforms == ["telegram", "whatsapp"]


def test_unindexed_messages_of_other_cases_are_not_counted(world: World) -> None:
    world.ingest("OP-B", "WhatsApp Chat with Robin.txt",
                 "02/07/2024, 09:00 - Robin: lighthouse tour tickets\n" * 3)  # fmt: skip
    p = run(world, "lighthouse", user="ana")
    assert p.index.complete and p.index.pending_messages == 0 and p.total == 0
    assert run(world, "tickets").total == 3  # tester is on OP-B: indexed when searched


def test_a_role_that_does_not_read_may_not_search(world: World) -> None:
    before = len(search_entries(world))
    with pytest.raises(AccessDenied):
        run(world, "meet", user="aud")
    with pytest.raises(AccessDenied):
        search_scope(world.as_("aud"))
    assert len(search_entries(world)) == before


@pytest.mark.parametrize("purpose", [None, "", "   "])
def test_purpose_is_required(world: World, purpose: str | None) -> None:
    before = len(search_entries(world))
    with pytest.raises(SearchPurposeRequired):
        run(world, "meet", purpose=purpose)
    with pytest.raises(SearchPurposeRequired):
        run(world, "meet", purpose=purpose, cases=("OP-A",))
    with pytest.raises(UserError, match="few words"):
        run(world, "meet", purpose="ab")
    assert len(search_entries(world)) == before


def test_one_audit_entry_per_search_with_query_and_purpose(world: World) -> None:
    before = search_entries(world)
    p = run(world, '"new phone"', user="ana", purpose="check   the gift offers",
            participant="Kim", cases=("OP-A",))  # fmt: skip
    after = search_entries(world)
    assert len(after) == len(before) + 1
    e = after[-1]
    d = json.loads(e.details)
    assert (e.actor, e.action, e.purpose, e.case_ref) == (
        "ana", "view", "check the gift offers", "OP-A",
    )  # fmt: skip
    assert e.object_id == '"new phone"' and d["query"] == '"new phone"'
    assert d["filters"] == {"cases": ["OP-A"], "participant": "Kim"} and d["hits"] == 1
    assert d["shown"] == [["OP-A", p.hits[0].conversation_id, 12]]
    assert "cool" not in json.dumps(d)  # which messages were shown, never their text
    run(world, "meet", user="ana")
    assert search_entries(world)[-1].case_ref is None  # across cases: no single case


def test_bad_input_is_a_user_error(world: World) -> None:
    for text in ("", '""', "a\x00b", "x" * 501):
        with pytest.raises(UserError):
            run(world, text)
    with pytest.raises(UserError, match="time range is empty"):
        run(world, "meet", date_from=parse_bound("2024-06-01"), date_to=parse_bound("2024-05-01"))
    for bad in ("yesterday", "2024-13-01", "9999-12-31T23:59:59-10:00"):
        with pytest.raises(UserError, match="bad date"):
            parse_bound(bad)
    with pytest.raises(UserError, match="bad date"):
        parse_bound("9999-12-31", end=True)


# --- the index ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str | None:
    """A fresh database: SQLite (None) or one on the PostgreSQL server."""
    return request.getfixturevalue("pg_url") if request.param == "postgres" else None


def state(w: World, columns: str) -> list[tuple[Any, ...]]:
    with w.ws.sessions() as s:
        rows = s.execute(sa.text(f"SELECT {columns} FROM search_state ORDER BY 1")).all()
    return [tuple(r) for r in rows]


def test_index_is_updated_incrementally_after_a_new_ingest(tmp_path: Path, url: str | None) -> None:
    w = build(tmp_path, url)
    first = run(w, "meet")
    assert first.index.indexed == 12 + 6 + 3 and first.total == 3
    before = state(w, "conversation_id, indexed_at")
    w.ingest("OP-A", "WhatsApp Chat with Jo.txt", "03/05/2024, 08:00 - Jo: m e e t at the gate\n")
    again = run(w, "meet")
    assert again.index.indexed == 1 and again.total == 4  # only the new message was read
    assert ["m e e t"] in marked(again)
    assert run(w, "meet").index.indexed == 0
    after = state(w, "conversation_id, indexed_at")
    assert len(after) == 4 and after[:3] == before  # the others were not indexed again


def test_a_budget_leaves_the_rest_pending_and_says_so(
    tmp_path: Path, url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "CHUNK", 5)  # the 12-message chat takes 3 transactions
    w = build(tmp_path, url)
    p = search(w.ws, SearchQuery("meet"), PURPOSE, budget=5)
    assert p.index.indexed == 5 and not p.index.complete
    assert p.index.pending_messages == 21 - 5
    full = search(w.ws, SearchQuery("meet"), PURPOSE, budget=None)
    assert full.index.complete and full.total == 3
    assert sorted(state(w, "max_seq, messages")) == [(3, 3), (6, 6), (12, 12)]


def test_a_new_index_version_rebuilds_the_index(
    tmp_path: Path, url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = build(tmp_path, url)
    assert run(w, "meet").total == 3
    monkeypatch.setattr(search_index, "VERSION", search_index.VERSION + "-next")
    p = run(w, "meet")
    assert p.total == 3 and p.index.indexed == 21
    assert {v for (v,) in state(w, "version")} == {search_index.VERSION}


# --- the query language (pure) -------------------------------------------------------------


def test_query_parsing() -> None:
    assert [str(t) for t in parse('meet "between  US" sat* m33t')] == [
        "meet", '"between us"', "sat*",
    ]  # fmt: skip
    assert [str(t) for t in parse("wanna")] == ['"want to"']
    assert [str(t) for t in parse('"unclosed phrase')] == ['"unclosed phrase"']
    assert [str(t) for t in parse("Café")] == ["cafe"]
    for bad in ("", "   ", "!!", '""'):
        with pytest.raises(UserError, match="nothing to search"):
            parse(bad)
    with pytest.raises(UserError, match="more than"):
        parse(" ".join(f"w{i}" for i in range(20)))


def test_backend_queries_are_quoted() -> None:
    terms = parse('meet "new phone" pho*')
    assert fts5_match(terms) == '"meet" AND "new phone" AND "pho"*'
    assert pg_tsquery(terms) == "'meet' & ('new' <-> 'phone') & 'pho':*"
    assert tsvector_literal("a new phone") == "'a':1 'new':2 'phone':3"


def test_marks_point_into_the_original_text() -> None:
    text = "we should M33T up, then m e e t again"
    assert [text[a:b] for a, b in marks(text, parse("meet"))] == ["M33T", "m e e t"]
    assert marks("nothing here", parse("meet")) == []


# --- the command line ------------------------------------------------------------------------


def test_cli_search(tmp_path: Path) -> None:
    home = tmp_path / "cli"
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_USER": "cli.tester", "COLUMNS": "200"}
    env.pop("VIGIL_DATABASE_URL", None)

    def vigil(*args: str, alone: bool = False) -> subprocess.CompletedProcess[str]:
        """In this process (tests/clirun.py), or with ``alone`` through the real executable."""
        return child(args, env, timeout=120) if alone else in_process(args, env)

    assert vigil("admin", "init").returncode == 0
    assert vigil("case", "create", "OP-CLI", "--title", "CLI search").returncode == 0
    chat = tmp_path / "WhatsApp Chat with Kim.txt"
    chat.write_text(CHAT_A, encoding="utf-8")
    assert vigil("ingest", "--case", "OP-CLI", "--tz", "UTC", str(chat)).returncode == 0
    r = vigil("search", "meet", alone=True)
    assert r.returncode == 5 and "state why you are searching" in r.stderr
    r = vigil("search", "meet", "--purpose", PURPOSE, alone=True)
    assert r.returncode == 0, r.stderr
    assert "m33t up on saturday" in r.stdout and "lead for a trained person" in r.stdout
    r = vigil("search", "phone", "--purpose", PURPOSE, "--participant", "Kim", "--json")
    out = json.loads(r.stdout)
    assert out["total"] == 1 and out["hits"][0]["message"]["seq"] == 12
    assert vigil("search", "meet", "--purpose", PURPOSE, "--case", "OP-X").returncode == 5
    engine = sa.create_engine(Settings(home=home, user="cli.tester", database_url=None).url)
    with engine.connect() as c:
        n = c.execute(
            select(func.count())
            .select_from(CustodyEntry)
            .where(CustodyEntry.object_type == "search")
        ).scalar_one()
    engine.dispose()
    assert n == 2  # one audit entry per search that ran (none for the two refused)
