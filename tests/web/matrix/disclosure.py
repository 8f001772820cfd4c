"""Disclosure (issue 20 items 3 and 5): the page, the revisions and their downloads need read
on a case one is on; setting statuses, generating schedules and recording service need the
disclosure officer's ``disclose``. ``{number}`` is filled with a revision generated for the
call by the disclosure officer on the case (a fresh, unserved one for the ``served`` routes)."""

from __future__ import annotations

from typing import Any

C = "/cases/{case_ref}/disclosure"
A = "/api/v1" + C
OFFICER = "disclosure-officer-in"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", C): "case:read",
    ("POST", C + "/items"): "case:disclose",
    ("POST", C + "/schedules"): "case:disclose",
    ("POST", C + "/revisions/{number}/served"): "case:disclose",
    ("GET", C + "/revisions/{number}/download"): "case:read",
    ("GET", A): "case:read",
    ("POST", A + "/items"): "case:disclose",
    ("POST", A + "/schedules"): "case:disclose",
    ("POST", A + "/revisions/{number}/served"): "case:disclose",
    ("GET", A + "/revisions/{number}/download"): "case:read",
}


def _item(world: Any) -> str:
    return f"exhibit:{world.exhibit_ref}"


FORMS: dict[str, Any] = {
    C + "/items": lambda world, n: {
        "item": _item(world),
        "status": "unused",
        "description": f"matrix description {n}",
    },
    C + "/schedules": {"kind": "mg6c"},
    C + "/revisions/{number}/served": {"to": "CPS matrix lawyer"},
}
BODIES: dict[str, Any] = {
    A + "/items": lambda world, n: {
        "decisions": [
            {
                "item": _item(world),
                "status": "sensitive",
                "description": f"matrix description {n}",
                "undermines": True,
            }
        ]
    },
    A + "/schedules": {"kind": "mg6d"},
    A + "/revisions/{number}/served": {"to": "CPS matrix lawyer"},
}
QUERIES: dict[str, str] = {
    C + "/revisions/{number}/download": "format=csv",
    A + "/revisions/{number}/download": "format=xlsx",
}

_count = iter(range(1, 1_000_000))


def _revision(world: Any, method: str, path: str) -> str:
    """A revision of the case: a fresh unserved one for ``served``, else any."""
    from vigil.services.access import as_user
    from vigil.services.disclosure.decide import Decision, decide
    from vigil.services.disclosure.schedules import generate

    ws = as_user(world.ws, OFFICER)
    if path.endswith("/served"):  # change a row, so the revision is new and unserved
        decide(ws, "OP-WEB", Decision(_item(world), "unused", f"matrix fill {next(_count)}"))
    elif not path.endswith("/download"):
        raise AssertionError(path)
    else:
        decide(ws, "OP-WEB", Decision(_item(world), "unused", "matrix fill"))
    info, _ = generate(ws, "OP-WEB", "mg6c")
    return str(info.number)


FILLS: dict[str, Any] = {"{number}": _revision}
