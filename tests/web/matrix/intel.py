"""Access matrix: the intelligence pages (identifiers, cross-case hits, link graph, exports).

Each needs read on the case (vigil.services.intel.pages checks it, then the stated purpose);
the API calls state their purpose with ``?purpose=``.
"""

from __future__ import annotations

C = "/cases/{case_ref}"
A = "/api/v1" + C
PURPOSE = "purpose=access+matrix+test"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", C + "/intel"): "case:read",
    ("GET", C + "/intel/graph.json"): "case:read",
    ("GET", C + "/intel/export"): "case:read",
    ("GET", A + "/intel"): "case:read",
    ("GET", A + "/intel/graph.json"): "case:read",
    ("GET", A + "/intel/export"): "case:read",
}
QUERIES: dict[str, str] = {
    C + "/intel/export": "format=graphml",
    A + "/intel": PURPOSE,
    A + "/intel/graph.json": PURPOSE,
    A + "/intel/export": "format=maltego&" + PURPOSE,
}
