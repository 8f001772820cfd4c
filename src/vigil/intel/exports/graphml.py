"""GraphML, written by networkx from the link graph (:func:`vigil.intel.graph.build_graph`).

Node attributes: type, label, value, platform, cases. Edge attributes: relation, count,
reasons. Opens in Gephi, yEd, Cytoscape and networkx (``nx.read_graphml``).
"""

from __future__ import annotations

import networkx as nx

from vigil.intel.graph import build_graph
from vigil.intel.model import Resolution


def render(res: Resolution) -> str:
    return "\n".join(nx.generate_graphml(build_graph(res))) + "\n"
