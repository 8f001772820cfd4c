"""The link graph (networkx) of people, accounts, identifiers, conversations and cases.

Nodes are entity ids with ``type``, ``label``, ``value``, ``platform`` and ``cases`` (comma
separated) attributes; edges carry ``relation``, ``count``, ``reasons`` and ``cases``. Attribute values
are plain strings and integers so that the graph can be written as GraphML unchanged.

:func:`summarise` reports the connected components and the most connected accounts; with
``case_ref`` it looks only at the part of the graph seen in that case, so a summary for one
case never shows another case's entities.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from vigil.intel.model import EntityType, Resolution

IDENTIFIER_TYPES = frozenset(
    {
        EntityType.PHONE, EntityType.EMAIL, EntityType.WALLET, EntityType.URL, EntityType.IP,
        EntityType.BANK_ACCOUNT, EntityType.POSTCODE,
    }
)  # fmt: skip


def build_graph(res: Resolution) -> nx.Graph[str]:
    """One node per entity, one edge per related pair (relations of a pair are joined)."""
    g: nx.Graph[str] = nx.Graph()
    for e in res.entities.values():
        g.add_node(
            e.id, type=e.type.value, label=e.label, value=e.value, platform=e.platform or "",
            cases=",".join(sorted(e.cases)),
        )  # fmt: skip
    for lk in res.links.values():
        cases = {ev.case_ref for ev in lk.evidence}
        if g.has_edge(lk.source, lk.target):
            data = g.edges[lk.source, lk.target]
            if lk.relation.value not in data["relation"].split(","):
                data["relation"] += "," + lk.relation.value
            data["count"] += lk.count
            data["reasons"] += " | " + " | ".join(lk.reasons)
            data["cases"] = ",".join(sorted(cases | set(data["cases"].split(","))))
        else:
            g.add_edge(
                lk.source, lk.target, relation=lk.relation.value, count=lk.count,
                reasons=" | ".join(lk.reasons), cases=",".join(sorted(cases)),
            )  # fmt: skip
    return g


def case_subgraph(g: nx.Graph[str], case_ref: str) -> nx.Graph[str]:
    """The part of the graph seen in one case (nodes whose ``cases`` include it).

    Each node's ``cases`` attribute is cut down to ``case_ref``: which other cases hold an
    entity is told only through cross-case hits, under need-to-know.
    """
    keep = [n for n, d in g.nodes(data=True) if case_ref in d["cases"].split(",")]
    sub = g.subgraph(keep).copy()
    for n in sub.nodes:
        sub.nodes[n]["cases"] = case_ref
    foreign = [(u, v) for u, v, d in sub.edges(data=True) if case_ref not in d["cases"].split(",")]
    sub.remove_edges_from(foreign)
    for _, _, d in sub.edges(data=True):
        d["cases"] = case_ref
    return sub


@dataclass(frozen=True, slots=True)
class ComponentSummary:
    size: int
    types: dict[str, int]
    accounts: tuple[str, ...]  # labels of the most connected accounts in the component
    cases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountRank:
    entity_id: str
    label: str
    degree: int
    identifiers: int  # distinct phones, e-mails, wallets, ... linked to the account
    conversations: int
    accounts: int  # other accounts linked (mentioned handles, possibly-same)
    cases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GraphSummary:
    nodes: int
    edges: int
    types: dict[str, int]
    components: tuple[ComponentSummary, ...]  # largest first
    component_count: int
    top_accounts: tuple[AccountRank, ...]


def _rank(g: nx.Graph[str], node: str) -> AccountRank:
    d = g.nodes[node]
    kinds = Counter(g.nodes[n]["type"] for n in g.neighbors(node))
    idents = sum(kinds[t.value] for t in IDENTIFIER_TYPES)
    return AccountRank(
        node, d["label"], g.degree[node], idents, kinds[EntityType.CONVERSATION.value],
        kinds[EntityType.ACCOUNT.value], tuple(c for c in d["cases"].split(",") if c),
    )  # fmt: skip


def summarise(g: nx.Graph[str], *, case_ref: str | None = None, top: int = 10) -> GraphSummary:
    """Components (largest first, at most ``top``) and the ``top`` most connected accounts.

    The connection count that ranks accounts leaves out the case node and counts every
    neighbour once, so an account talking in many conversations or naming many identifiers
    ranks high.
    """
    if case_ref is not None:
        g = case_subgraph(g, case_ref)
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    accounts = [n for n, d in g.nodes(data=True) if d["type"] == EntityType.ACCOUNT.value]
    ranks = sorted((_rank(g, n) for n in accounts), key=lambda r: (-r.degree, r.label))
    summaries = []
    for comp in comps[:top]:
        types = Counter(g.nodes[n]["type"] for n in comp)
        in_comp = [r for r in ranks if r.entity_id in comp][:3]
        cases = sorted({c for n in comp for c in g.nodes[n]["cases"].split(",") if c})
        summaries.append(
            ComponentSummary(len(comp), dict(types), tuple(r.label for r in in_comp), tuple(cases))
        )
    return GraphSummary(
        g.number_of_nodes(), g.number_of_edges(),
        dict(Counter(d["type"] for _, d in g.nodes(data=True))), tuple(summaries), len(comps),
        tuple(ranks[:top]),
    )  # fmt: skip
