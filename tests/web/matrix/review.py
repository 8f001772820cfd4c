"""Review decisions (issue 17 item 2): deciding needs the write role on a case one is on;
reading the decisions needs read (and a purpose, given here in the query or the body)."""

from __future__ import annotations

from typing import Any

C = "/cases/{case_ref}"
A = "/api/v1" + C

ROUTES: dict[tuple[str, str], str] = {
    ("POST", C + "/conversations/{conv_id}/review"): "case:write",
    ("POST", A + "/conversations/{conv_id}/review"): "case:write",
    ("GET", A + "/conversations/{conv_id}/review"): "case:read",
    ("GET", A + "/review"): "case:read",
}
FORMS: dict[str, dict[str, str]] = {
    C + "/conversations/{conv_id}/review": {"state": "reviewed", "note": "access matrix note"},
}
BODIES: dict[str, Any] = {
    A + "/conversations/{conv_id}/review": {
        "state": "reviewed",
        "seq": 3,
        "tags_add": ["matrix"],
        "purpose": "access matrix test",
    },
}
QUERIES: dict[str, str] = {
    A + "/conversations/{conv_id}/review": "purpose=access+matrix+test",
    A + "/review": "purpose=access+matrix+test&state=reviewed",
}
