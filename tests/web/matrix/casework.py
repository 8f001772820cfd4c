"""Access-matrix routes of the case-work forms (opening a case, recording case-work records)
and of the platform report's API.

Every allowed call must succeed (a page POST redirects, an API call answers 201), once per
allowed role, so the forms and bodies here are callables ``(world, n)`` that return fresh
references for each call (``n`` is unique per call) and, the first time, seed what the forms
name on OP-WEB: an operation, a persona, a suspect, a child and an authorisation to review and
renew. A cancellation gets an authorisation of its own each call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

C = "/cases/{case_ref}"
A = "/api/v1" + C
W = C + "/work"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/cases/new"): "case-open",
    ("POST", "/cases/new"): "case-open",
    ("GET", W): "case:read",
    **{
        ("POST", W + "/" + p): "case:write"
        for p in (
            "suspects",
            "assessments",
            "children",
            "safeguarding",
            "offences",
            "outcomes",
            "referrals",
            "authorisations",
            "authorisations/review",
            "authorisations/renew",
            "authorisations/cancel",
        )
    },
    ("POST", "/api/v1/cases"): "case-open",
    ("GET", A + "/work"): "case:read",
    **{
        ("POST", A + "/" + p): "case:write"
        for p in (
            "suspects",
            "assessments",
            "children",
            "safeguarding",
            "offences",
            "outcomes",
            "referrals",
            "authorisations",
            "authorisations/review",
            "authorisations/renew",
            "authorisations/cancel",
        )
    },
    ("GET", "/api/v1/reports/platforms"): "reports",
}

_seeded: set[str] = set()


def _seed(world: Any) -> None:
    """Records on OP-WEB the forms name (once per workspace)."""
    from vigil.services.casework.authorisations import grant_authorisation
    from vigil.services.casework.children import create_child
    from vigil.services.casework.operations import create_operation
    from vigil.services.casework.personas import create_persona
    from vigil.services.casework.suspects import create_suspect
    from vigil.services.casework.units import create_unit

    key = str(world.ws.settings.home)
    if key in _seeded:
        return
    _seeded.add(key)
    ws = world.ws
    create_unit(ws, "UMX", "Matrix test unit", "team")
    create_operation(ws, "OP-MX", "Operation matrix", "UMX", case_ref="OP-WEB")
    create_persona(ws, "P-MX", "Sam", 13, "UMX", [("snapchat", "p_mx_handle")])
    create_suspect(ws, "OP-WEB", "S-MX", "Subject matrix", None, [])
    create_child(ws, "OP-WEB", "C-MX", 12, "S-MX")
    granted = ws.now() - timedelta(days=1)
    grant_authorisation(
        ws,
        "AUTH-MX",
        "P-MX",
        "directed_surveillance",
        "Supt Matrix",
        "superintendent",
        granted,
        operation_ref="OP-MX",
    )


def _auth_to_cancel(world: Any, n: int) -> str:
    from vigil.services.casework.authorisations import grant_authorisation

    ref = f"AUTH-MXC-{n}"
    grant_authorisation(
        world.ws,
        ref,
        "P-MX",
        "directed_surveillance",
        "Supt Matrix",
        "superintendent",
        world.ws.now() - timedelta(hours=1),
        operation_ref="OP-MX",
    )
    return ref


Maker = Callable[[Any, int], dict[str, Any]]


def _seeding(make: Maker) -> Maker:
    def call(world: Any, n: int) -> dict[str, Any]:
        _seed(world)
        return make(world, n)

    return call


FORMS: dict[str, Maker] = {
    "/cases/new": lambda w, n: {"ref": f"OP-MX-{n}", "title": "Matrix case", "tz": "UTC"},
    W + "/suspects": _seeding(lambda w, n: {"ref": f"S-MX-{n}", "label": "Subject matrix"}),
    W + "/assessments": _seeding(
        lambda w, n: {"suspect": "S-MX", "assessor": "DS Matrix", "q_meeting_arranged": "yes"}
    ),
    W + "/children": _seeding(lambda w, n: {"ref": f"C-MX-{n}", "age": "12"}),
    W + "/safeguarding": _seeding(
        lambda w, n: {"child": "C-MX", "kind": "strategy_meeting", "by": "DC Matrix"}
    ),
    W + "/offences": _seeding(
        lambda w, n: {
            "offence_type": "grooming",
            "legal_form": "sexual_communication",
            "suspect": "S-MX",
            "platforms": "snapchat",
        }
    ),
    W + "/outcomes": _seeding(lambda w, n: {"suspect": "S-MX", "kind": "arrest"}),
    W + "/referrals": _seeding(
        lambda w, n: {
            "ref": f"REF-MX-{n}",
            "direction": "out",
            "partner_kind": "nca",
            "partner": "National Crime Agency",
        }
    ),
    W + "/authorisations": _seeding(
        lambda w, n: {
            "ref": f"AUTH-MXG-{n}",
            "persona": "P-MX",
            "kind": "chis",
            "operation": "OP-MX",
            "officer": "Supt Matrix",
            "rank": "superintendent",
        }
    ),
    W + "/authorisations/review": _seeding(
        lambda w, n: {"ref": "AUTH-MX", "reviewer": "Supt Matrix"}
    ),
    W + "/authorisations/renew": _seeding(
        lambda w, n: {"ref": "AUTH-MX", "officer": "Supt Matrix", "rank": "superintendent"}
    ),
    W + "/authorisations/cancel": _seeding(
        lambda w, n: {"ref": _auth_to_cancel(w, n), "by": "Supt Matrix", "reason": "ended"}
    ),
}

BODIES: dict[str, Maker] = {
    "/api/v1/cases": lambda w, n: {"ref": f"OP-MXA-{n}", "title": "Matrix case"},
    A + "/suspects": _seeding(lambda w, n: {"ref": f"S-MXA-{n}", "label": "Subject matrix"}),
    A + "/assessments": _seeding(
        lambda w, n: {
            "suspect": "S-MX",
            "assessor": "DS Matrix",
            "answers": {"meeting_arranged": True},
        }
    ),
    A + "/children": _seeding(lambda w, n: {"ref": f"C-MXA-{n}", "age_at_time": 12}),
    A + "/safeguarding": _seeding(
        lambda w, n: {"child": "C-MX", "kind": "strategy_meeting", "recorded_by": "DC Matrix"}
    ),
    A + "/offences": _seeding(
        lambda w, n: {
            "offence_type": "grooming",
            "legal_form": "sexual_communication",
            "suspect": "S-MX",
            "platforms": ["snapchat"],
        }
    ),
    A + "/outcomes": _seeding(lambda w, n: {"suspect": "S-MX", "kind": "arrest"}),
    A + "/referrals": _seeding(
        lambda w, n: {
            "ref": f"REF-MXA-{n}",
            "direction": "in",
            "partner_kind": "industry",
            "partner_name": "Example platform",
        }
    ),
    A + "/authorisations": _seeding(
        lambda w, n: {
            "ref": f"AUTH-MXGA-{n}",
            "persona": "P-MX",
            "kind": "chis",
            "operation": "OP-MX",
            "authorising_officer": "Supt Matrix",
            "rank": "superintendent",
        }
    ),
    A + "/authorisations/review": _seeding(
        lambda w, n: {"ref": "AUTH-MX", "reviewer": "Supt Matrix"}
    ),
    A + "/authorisations/renew": _seeding(
        lambda w, n: {
            "ref": "AUTH-MX",
            "authorising_officer": "Supt Matrix",
            "rank": "superintendent",
        }
    ),
    A + "/authorisations/cancel": _seeding(
        lambda w, n: {"ref": _auth_to_cancel(w, n), "by": "Supt Matrix", "reason": "ended"}
    ),
}
