"""Exports: i2 ANX structure, followthemoney validation, Maltego mapping, GraphML, CSV."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from followthemoney import model

from tests.intel.scenario import ACCOUNTS, MESSAGES, PERSONS, sightings
from vigil.intel.entities import resolve
from vigil.intel.exports import anx, ftm, graphml, maltego
from vigil.intel.exports import csv as csv_export
from vigil.intel.extract import extract_identifiers
from vigil.intel.model import Resolution


@pytest.fixture(scope="module")
def res() -> Resolution:
    return resolve(ACCOUNTS, sightings(), PERSONS)


def test_anx_is_well_formed_and_has_the_i2_structure(res: Resolution) -> None:
    text = anx.render(res)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "Chart"
    items = root.findall("./ChartItemCollection/ChartItem")
    entities = [i for i in items if i.find("./End/Entity") is not None]
    links = [i for i in items if i.find("./Link") is not None]
    assert len(entities) == len(res.entities) and len(links) == len(res.links)
    ids = set()
    type_names = {t.get("Name") for t in root.findall("./EntityTypeCollection/EntityType")}
    for item in entities:
        assert item.get("Label")
        ent = item.find("./End/Entity")
        assert ent is not None and ent.get("EntityId") == ent.get("Identity")
        style = ent.find("./Icon/IconStyle")
        assert style is not None and style.get("Type") in type_names
        ids.add(ent.get("EntityId"))
    assert len(ids) == len(entities)
    for item in links:
        link = item.find("./Link")
        assert link is not None
        assert link.get("End1Id") in ids and link.get("End2Id") in ids
        assert link.find("./LinkStyle") is not None
    classes = {a.get("Name") for a in root.findall("./AttributeClassCollection/AttributeClass")}
    used = {a.get("AttributeClass") for a in root.iter("Attribute")}
    assert used <= classes


def test_anx_escapes_awkward_labels() -> None:
    from vigil.intel.model import AccountSighting

    odd = resolve([AccountSighting("OP-<&>", 'c"1', "snapchat", "a<b>&'c")])
    root = ET.fromstring(anx.render(odd).split("\n", 1)[1])
    assert any("a<b>&'c" in (i.get("Label") or "") for i in root.iter("ChartItem"))


def _messages() -> list[ftm.MessageRecord]:
    return [
        ftm.MessageRecord(
            case,
            conv,
            mid,
            platform,
            author,
            "2026-01-02T10:00:00",
            text,
            tuple(extract_identifiers(text)),
        )
        for case, conv, platform, mid, author, text in MESSAGES
    ]


def test_followthemoney_validates_every_exported_entity(res: Resolution) -> None:
    lines = list(ftm.export(res, _messages()))
    schemata = set()
    ids = set()
    for line in lines:
        data = json.loads(line)
        proxy = model.get_proxy(data)  # raises on unknown schema or property
        proxy.schema.validate(data)  # raises InvalidData on a bad value
        assert proxy.to_dict() == data
        for prop, values in data["properties"].items():
            p = proxy.schema.get(prop)
            assert p is not None
            for v in values:
                assert p.type.clean(v, proxy=proxy) is not None, (prop, v)
        schemata.add(data["schema"])
        ids.add(data["id"])
    assert {
        "Person",
        "UserAccount",
        "CryptoWallet",
        "BankAccount",
        "Note",
        "UnknownLink",
        "Message",
    } <= schemata
    assert len(ids) == len(lines)
    accounts = [json.loads(x) for x in lines if '"UserAccount"' in x]
    wa = next(a for a in accounts if a["properties"]["service"] == ["whatsapp"])
    assert wa["properties"]["phone"] == ["+447400123456"]
    owned = next(a for a in accounts if "owner" in a["properties"])
    assert owned["properties"]["username"] == ["bob_99"]


def test_followthemoney_rejects_invalid_values() -> None:
    proxy = model.make_entity("UserAccount")
    proxy.id = "x"
    with pytest.raises(ftm.ExportError, match="rejects email"):
        ftm.add(proxy, "email", "not an address")
    with pytest.raises(ftm.ExportError, match="rejects ipAddress"):
        ftm.add(proxy, "ipAddress", "300.1.1.1")
    with pytest.raises(ftm.ExportError, match="no property"):
        ftm.add(proxy, "wallet", "x")
    link = model.make_entity("UnknownLink")
    link.id = "l"
    ftm.add(link, "subject", "nobody")
    ftm.add(link, "object", "x")
    with pytest.raises(ftm.ExportError, match="unknown"):
        ftm.check(link, {"x"})
    empty = model.make_entity("UserAccount")
    empty.id = "e"
    with pytest.raises(ftm.ExportError, match="required property username"):
        ftm.check(empty, set())


def test_maltego_rows_follow_the_mapping(res: Resolution) -> None:
    rows = list(csv.DictReader(io.StringIO(maltego.render(res))))
    assert list(rows[0]) == [m[0] for m in maltego.MAPPING]
    assert len(rows) == len(res.links)
    entity_cols = [h for h, t, _ in maltego.MAPPING if t.startswith("maltego.")]
    for row in rows:
        assert sum(1 for c in entity_cols if row[c]) == 2, row
        assert row["Link Label"] and row["Link Reasons"]
    assert any(row["Phone Number"] == "+447400123456" for row in rows)


def test_graphml_round_trips(res: Resolution) -> None:
    g = nx.parse_graphml(graphml.render(res))
    assert set(g.nodes) == set(res.entities)
    assert {d["type"] for _, d in g.nodes(data=True)} >= {"account", "phone", "wallet", "case"}


def test_csv_has_one_row_per_link_and_no_message_text(res: Resolution) -> None:
    text = csv_export.render(res)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(res.links)
    assert all(r["reasons"] for r in rows)
    assert "send the money" not in text
    ents = list(csv.DictReader(io.StringIO(csv_export.entities(res))))
    assert len(ents) == len(res.entities)


def test_long_note_descriptions_are_capped_below_ftm_limits() -> None:
    from vigil.intel.exports.ftm import DESCRIPTION_LIMIT, _capped

    text = "\n".join(f"phone +4479{i:08d}: mentioned in message {i}" for i in range(4000))
    out = _capped(text)
    assert len(out) <= DESCRIPTION_LIMIT + 100
    assert out.endswith("left out (the full list is in the CSV export)")
    assert _capped("short") == "short"
