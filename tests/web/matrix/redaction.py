"""Redaction (issue 20 items 4 and 5): adding, withdrawing and producing redacted output need
the disclose role (the disclosure officer) on a case one is on; listing needs read."""

from __future__ import annotations

from typing import Any

C = "/cases/{case_ref}"
A = "/api/v1" + C
E = C + "/conversations/{conv_id}/redaction"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", E): "case:disclose",
    ("POST", E): "case:disclose",
    ("GET", E + "/preview.pdf"): "case:disclose",
    ("POST", C + "/redactions/{rid}/withdraw"): "case:disclose",
    ("POST", C + "/redaction/bundle"): "case:disclose",
    ("GET", A + "/redactions"): "case:read",
    ("POST", A + "/redactions"): "case:disclose",
    ("POST", A + "/redactions/{rid}/withdraw"): "case:disclose",
}
FORMS: dict[str, dict[str, str]] = {
    E: {"kind": "phrase", "phrase": "matrix phrase", "reason": "other", "note": "access matrix"},
    C + "/redactions/{rid}/withdraw": {"why": "access matrix test"},
    C + "/redaction/bundle": {"audience": "defence"},
}
BODIES: dict[str, Any] = {
    A + "/redactions": {"kind": "phrase", "phrase": "matrix words", "reason": "third_party"},
    A + "/redactions/{rid}/withdraw": {"why": "access matrix test"},
}
QUERIES: dict[str, str] = {E + "/preview.pdf": "audience=defence"}


def _fresh_redaction(world: Any, method: str, path: str) -> str:
    """A new standing redaction for each call, made by the disclosure officer on the case."""
    from tests.web.conftest import CASE
    from vigil.services.access import as_user
    from vigil.services.redaction.records import add_phrase

    officer = as_user(world.ws, "disclosure-officer-in")
    return str(add_phrase(officer, CASE, "matrix fill", "other", "access matrix").id)


FILLS: dict[str, Any] = {"{rid}": _fresh_redaction}
