"""The link graph and its summary."""

from __future__ import annotations

from tests.intel.scenario import ACCOUNTS, PERSONS, sightings
from vigil.intel.entities import resolve
from vigil.intel.graph import build_graph, case_subgraph, summarise
from vigil.intel.model import make_id


def test_graph_holds_every_entity_and_link() -> None:
    res = resolve(ACCOUNTS, sightings(), PERSONS)
    g = build_graph(res)
    assert set(g.nodes) == set(res.entities)
    assert g.number_of_edges() <= len(res.links)
    assert all(isinstance(v, (str, int)) for _, _, d in g.edges(data=True) for v in d.values())


def test_summary_ranks_the_busiest_account_first_and_joins_the_cases() -> None:
    g = build_graph(resolve(ACCOUNTS, sightings(), PERSONS))
    summary = summarise(g, top=3)
    assert summary.top_accounts[0].label == "Snapchat: bob_99"
    assert summary.top_accounts[0].identifiers >= 2  # phone and wallet
    biggest = summary.components[0]
    assert biggest.cases == ("OP-A", "OP-B")  # the shared phone and wallet join the cases
    assert summary.component_count == len(summary.components) or summary.component_count > 3
    assert summary.types["case"] == 2


def test_case_summary_shows_only_that_case() -> None:
    g = build_graph(resolve(ACCOUNTS, sightings(), PERSONS))
    sub = case_subgraph(g, "OP-B")
    kim = make_id("account", "instagram", "kid_kim")
    assert kim in sub and make_id("account", "snapchat", "bob_99") not in sub
    summary = summarise(g, case_ref="OP-B")
    assert {c for comp in summary.components for c in comp.cases} == {"OP-B"}
    assert {c for r in summary.top_accounts for c in r.cases} == {"OP-B"}
    assert all(d["cases"] == "OP-B" for _, d in sub.nodes(data=True))
    labels = {r.label for r in summary.top_accounts}
    assert "Snapchat: bob_99" not in labels and "Instagram: kid_kim" in labels
