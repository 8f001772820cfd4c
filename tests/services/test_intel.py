"""The intel services on ingested cases: extraction, cross-case hits, graph and exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict
from pathlib import Path

import networkx as nx
import pytest
from defusedxml import ElementTree
from followthemoney import model
from sqlalchemy import select
from tests.services.intel_fixtures import (
    EMAIL,
    PHONE,
    SNAP,
    WALLET,
    Msg,
    chat_a,
    chat_b,
    telegram_chat,
)

from vigil.config import Settings
from vigil.db.tables.cases import Case
from vigil.db.tables.conversations import ConversationRow, MessageRow
from vigil.db.tables.evidence import CustodyEntry
from vigil.db.tables.intel import IdentifierRow
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.evidence import custody
from vigil.services.access import as_user, get_user, principal_of
from vigil.services.cases import create_case
from vigil.services.casework.personas import create_persona
from vigil.services.casework.units import assign_case, create_unit
from vigil.services.ingest.run import ingest_file
from vigil.services.intel.graph import export_case, graph_summary
from vigil.services.intel.hits import hits
from vigil.services.intel.identifiers import after_ingest, extract_case, region_for_tz
from vigil.services.users import set_membership
from vigil.services.workspace import Workspace, init_workspace


def rows(ws: Workspace, case_ref: str = "OP-TEST") -> list[IdentifierRow]:
    with ws.sessions() as s:
        stmt = (
            select(IdentifierRow)
            .join(Case, Case.id == IdentifierRow.case_id)
            .where(Case.ref == case_ref)
            .order_by(IdentifierRow.id)
        )
        return list(s.execute(stmt).scalars())


def entries(ws: Workspace, action: str, object_type: str) -> list[dict[str, object]]:
    with ws.sessions() as s:
        return [
            e
            for e in custody.all_entries(s)
            if e["action"] == action and e["object_type"] == object_type
        ]


@pytest.fixture()
def two_cases(ws: Workspace, tmp_path: Path) -> tuple[Workspace, Workspace]:
    """OP-TEST (held by the fixture's user) and OP-OTHER, created and ingested by officer.b."""
    ingest_file(ws, "OP-TEST", chat_a(tmp_path / "a.json"))
    other = as_user(ws, "officer.b")
    create_case(other, "OP-OTHER", "Other secret title", "South unit", "Europe/London")
    ingest_file(other, "OP-OTHER", chat_b(tmp_path / "b.json"))
    return ws, other


def test_extraction_finds_identifiers_with_message_and_span(ws: Workspace, tmp_path: Path) -> None:
    ingest_file(ws, "OP-TEST", chat_a(tmp_path / "a.json"))
    stats = extract_case(ws, "OP-TEST")
    found = rows(ws)
    by_value = {(r.kind, r.value): r for r in found if r.source == "message"}
    for key in [("phone", PHONE), ("email", EMAIL), ("crypto", WALLET), ("money", "GBP 200.00"),
                ("handle", SNAP)]:  # fmt: skip
        assert key in by_value, f"{key} not found"
    with ws.sessions() as s:
        texts = {
            m.seq: m.text for m in s.execute(select(MessageRow).join(ConversationRow)).scalars()
        }
    for r in by_value.values():
        assert r.message_seq is not None and r.span_start is not None
        assert texts[r.message_seq][r.span_start : r.span_end] == r.raw
        assert r.participant_id is not None and r.reason
    assert by_value[("phone", PHONE)].message_seq == 3
    assert by_value[("crypto", WALLET)].platform == "bitcoin"
    assert by_value[("handle", SNAP)].platform == "snapchat"
    attach = [r for r in found if r.source == "attachment"]
    assert [(a.kind, a.value, a.message_seq) for a in attach] == [("phone", "+447400654321", 6)]
    accounts = {(r.platform, r.value) for r in found if r.field == "account"}
    assert accounts == {("telegram", "user501"), ("telegram", "user502")}
    assert stats.identifiers == len(found) and stats.messages == 7
    assert stats.by_kind["phone"] == 2 and stats.region == "GB"
    [derive] = entries(ws, "derive", "identifiers")
    assert derive["case_ref"] == "OP-TEST"


def test_extraction_again_replaces_rather_than_duplicates(ws: Workspace, tmp_path: Path) -> None:
    ingest_file(ws, "OP-TEST", chat_a(tmp_path / "a.json"))
    first = extract_case(ws, "OP-TEST")
    before = sorted((r.kind, r.value, r.message_seq, r.span_start) for r in rows(ws))
    second = extract_case(ws, "OP-TEST")
    after = sorted((r.kind, r.value, r.message_seq, r.span_start) for r in rows(ws))
    assert after == before and second.identifiers == first.identifiers
    assert second.replaced == len(before)
    assert len(entries(ws, "derive", "identifiers")) >= 2


def test_new_ingest_is_extracted_before_intel_is_used(ws: Workspace, tmp_path: Path) -> None:
    ingest_file(ws, "OP-TEST", chat_a(tmp_path / "a.json"))
    after_ingest(ws, "OP-TEST")
    assert after_ingest(ws, "OP-TEST") is None  # up to date: nothing to do
    extra: list[Msg] = [("Kim", "user900", "my new number is 07400 999888", {})]
    ingest_file(ws, "OP-TEST", telegram_chat(tmp_path / "c.json", 9003, "Kim", extra))
    graph_summary(ws, "OP-TEST")  # refreshes lazily if the hook did not run
    assert "+447400999888" in {r.value for r in rows(ws)}


def test_region_follows_the_case_time_zone(ws: Workspace, tmp_path: Path) -> None:
    assert region_for_tz("Europe/Dublin") == "IE"
    assert region_for_tz("UTC") == "GB"
    create_case(ws, "OP-IE", "Irish case", "Dublin unit", "Europe/Dublin")
    msgs: list[Msg] = [("Pat", "user1", "ring me on 087 123 4567", {})]
    ingest_file(ws, "OP-IE", telegram_chat(tmp_path / "ie.json", 1, "Pat", msgs))
    stats = extract_case(ws, "OP-IE")
    assert stats.region == "IE"
    assert "+353871234567" in {r.value for r in rows(ws, "OP-IE")}
    with pytest.raises(UserError):
        extract_case(ws, "OP-IE", region="Ireland")


def test_unknown_case_is_not_found(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        extract_case(ws, "OP-NONE")
    with pytest.raises(NotFound):
        hits(ws, "OP-NONE", purpose="check links")


def test_cross_case_hits_seen_from_both_cases_name_only_unit_and_officer(
    two_cases: tuple[Workspace, Workspace],
) -> None:
    ws, other = two_cases
    mine = hits(ws, "OP-TEST", purpose="plan enquiries")
    theirs = hits(other, "OP-OTHER", purpose="plan enquiries")
    keys = {(h.kind, h.value) for h in mine.hits}
    assert keys == {("phone", PHONE), ("account", SNAP)}
    assert {(h.kind, h.value) for h in theirs.hits} == keys
    for h in mine.hits:
        assert [(x.unit, x.officer) for x in h.holders] == [("South unit", "officer.b")]
        assert "South unit" in h.notice and "officer in charge" in h.notice
        assert h.seen_here >= 1 and h.where
    for h in theirs.hits:
        assert [(x.unit, x.officer) for x in h.holders] == [("Test unit", "tester")]
    text_mine = json.dumps(asdict(mine))
    text_theirs = json.dumps(asdict(theirs))
    for secret in ("OP-OTHER", "Other secret title", "bravo-only-line", "user777", "Alex"):
        assert secret not in text_mine
    for secret in ("OP-TEST", "Test operation", "alpha-only-line", "user501", "Sam"):
        assert secret not in text_theirs
    # a shared URL and a bare @name do not raise hits
    assert not any("example.org" in h.value or h.value == "jo_private" for h in mine.hits)
    views = entries(ws, "view", "cross_case_hits")
    assert [v["case_ref"] for v in views] == ["OP-TEST", "OP-OTHER"]
    assert all(v["purpose"] == "plan enquiries" for v in views)
    assert "OP-OTHER" not in json.dumps(views[0]["details"])


def test_hits_name_the_unit_on_record_and_skip_persona_accounts(
    two_cases: tuple[Workspace, Workspace],
) -> None:
    ws, other = two_cases
    create_unit(ws, "SOUTH-OCU", "Southern Online Child Abuse Team", "team")
    with pytest.raises(AccessDenied):  # OP-OTHER is officer.b's: the tester is not on it
        assign_case(ws, "OP-OTHER", "SOUTH-OCU")
    assign_case(other, "OP-OTHER", "SOUTH-OCU")
    create_persona(ws, "PER-1", "Sam persona", 15, handles=[("Snapchat", SNAP)])
    rep = hits(ws, "OP-TEST", purpose="plan enquiries")
    assert [(h.kind, h.holders[0].unit) for h in rep.hits] == [
        ("phone", "Southern Online Child Abuse Team")
    ]


def test_hits_need_a_purpose_and_membership(two_cases: tuple[Workspace, Workspace]) -> None:
    ws, other = two_cases
    with pytest.raises(UserError):
        hits(ws, "OP-TEST", purpose=" ")
    with pytest.raises(AccessDenied):
        hits(other, "OP-TEST", purpose="plan enquiries")  # officer.b is not on OP-TEST yet
    set_membership(ws, "officer.b", "OP-TEST", True)
    assert hits(other, "OP-TEST", purpose="plan enquiries").hits
    set_membership(ws, "tester", "OP-TEST", False)  # the case's creator, taken off it
    with pytest.raises(AccessDenied):
        hits(ws, "OP-TEST", purpose="plan enquiries")
    with ws.sessions() as s:
        tester = principal_of(get_user(s, "tester"), "w:1")
    with pytest.raises(AccessDenied):
        hits(ws, "OP-OTHER", purpose="plan enquiries", user=tester)


def test_graph_summary_covers_only_this_case(two_cases: tuple[Workspace, Workspace]) -> None:
    ws, _ = two_cases
    s = graph_summary(ws, "OP-TEST", purpose="chart the accounts")
    labels = [r.label for r in s.top_accounts]
    assert labels[0] == "Telegram: user501"
    assert s.component_count >= 1 and s.components[0].size > 1
    assert "Telegram: user777" not in json.dumps(asdict(s))
    assert all(r.cases == ("OP-TEST",) for r in s.top_accounts)
    [view] = entries(ws, "view", "intel_graph")
    assert view["purpose"] == "chart the accounts"


@pytest.mark.parametrize("fmt", ["ftm", "anx", "maltego", "graphml", "csv"])
def test_exports_parse_and_are_logged(
    two_cases: tuple[Workspace, Workspace], tmp_path: Path, fmt: str
) -> None:
    ws, _ = two_cases
    out = tmp_path / "exports" / f"case.{fmt}"
    out.parent.mkdir()
    r = export_case(ws, "OP-TEST", fmt, out, purpose="chart for briefing")
    data = out.read_bytes()
    assert r.sha256 == hashlib.sha256(data).hexdigest() and r.entities > 0
    text = data.decode("utf-8")
    assert "OP-OTHER" not in text and "user777" not in text
    if fmt == "ftm":
        lines = text.splitlines()
        assert len(lines) == r.entities
        for line in lines:
            proxy = model.get_proxy(json.loads(line))
            proxy.schema.validate({"properties": proxy.to_dict()["properties"]})
        assert {"UserAccount", "CryptoWallet"} <= {json.loads(x)["schema"] for x in lines}
    elif fmt == "anx":
        root = ElementTree.fromstring(data)
        assert root.tag == "Chart"
        items = root.findall("./ChartItemCollection/ChartItem")
        assert any(i.find("./End/Entity") is not None for i in items)
        assert any(i.find("./Link") is not None for i in items)
    elif fmt == "graphml":
        g = nx.read_graphml(io.BytesIO(data))
        assert g.number_of_nodes() == r.entities and g.number_of_edges() > 0
    else:
        header = next(csv.reader(io.StringIO(text)))
        assert len(header) > 3
    [logged] = entries(ws, "export", "intel_export")
    assert logged["details"]["sha256"] == r.sha256  # type: ignore[index]
    assert logged["details"]["format"] == fmt  # type: ignore[index]
    assert logged["purpose"] == "chart for briefing"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_ftm_export_with_messages(two_cases: tuple[Workspace, Workspace], tmp_path: Path) -> None:
    ws, _ = two_cases
    out = tmp_path / "m.ftm.json"
    export_case(ws, "OP-TEST", "ftm", out, with_messages=True)
    msgs = [json.loads(x) for x in out.read_text().splitlines()]
    bodies = [m["properties"]["bodyText"][0] for m in msgs if m["schema"] == "Message"]
    assert any(PHONE[3:7] in b for b in bodies) and len(bodies) >= 4
    with pytest.raises(UserError):
        export_case(ws, "OP-TEST", "csv", out, with_messages=True)


def test_export_refusals_and_no_unlogged_file(
    two_cases: tuple[Workspace, Workspace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, other = two_cases
    with pytest.raises(UserError):
        export_case(ws, "OP-TEST", "pdf", tmp_path / "x.pdf")
    with pytest.raises(UserError):
        export_case(ws, "OP-TEST", "csv", tmp_path / "missing" / "x.csv")
    extract_case(ws, "OP-TEST")
    extract_case(other, "OP-OTHER")
    with ws.sessions() as s:
        n_before = len(s.execute(select(CustodyEntry)).all())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(custody, "append", broken)
    out = tmp_path / "out" / "x.csv"
    out.parent.mkdir()
    with pytest.raises(RuntimeError):
        export_case(ws, "OP-TEST", "csv", out)
    assert list(out.parent.iterdir()) == []
    with ws.sessions() as s:
        assert len(s.execute(select(CustodyEntry)).all()) == n_before


@pytest.mark.postgres
def test_extraction_and_hits_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    ws, _, _ = init_workspace(Settings(home=tmp_path / "pg", database_url=pg_url, user="pg.a"))
    create_case(ws, "OP-PG-A", "A", "Unit A", "Europe/London")
    ingest_file(ws, "OP-PG-A", chat_a(tmp_path / "a.json"))
    other = as_user(ws, "pg.b")
    create_case(other, "OP-PG-B", "B", "Unit B", "Europe/London")
    ingest_file(other, "OP-PG-B", chat_b(tmp_path / "b.json"))
    first = extract_case(ws, "OP-PG-A")
    assert extract_case(ws, "OP-PG-A").identifiers == first.identifiers == len(rows(ws, "OP-PG-A"))
    rep = hits(other, "OP-PG-B", purpose="plan enquiries")
    assert {(h.kind, h.value, h.holders[0].unit) for h in rep.hits} == {
        ("phone", PHONE, "Unit A"),
        ("account", SNAP, "Unit A"),
    }
