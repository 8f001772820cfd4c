"""Case-work forms: new case, authorisations, suspects, children, offences, outcomes, referrals (issue 17 item 5).

Pages: ``GET/POST /cases/new``; ``GET /cases/{ref}/work`` (the case's records, each kind with
its form); ``POST /cases/{ref}/work/<kind>`` for each form (:data:`PATHS`). A refusal by the
rules is shown on its form with what was typed kept. The API twins are in
:mod:`vigil.web.casework_api`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vigil.cases import risk
from vigil.cases.authorisation import load_rules
from vigil.cases.taxonomy import taxonomy, vocabulary
from vigil.errors import UserError
from vigil.services import links
from vigil.services.casework import work
from vigil.web import casework_forms as forms
from vigil.web.casework_api import api as api
from vigil.web.deps import CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)

PATHS: dict[str, str] = {
    "suspect": "suspects",
    "assessment": "assessments",
    "child": "children",
    "safeguarding": "safeguarding",
    "offence": "offences",
    "outcome": "outcomes",
    "referral": "referrals",
    "grant": "authorisations",
    "review": "authorisations/review",
    "renewal": "authorisations/renew",
    "cancellation": "authorisations/cancel",
}
"""Form name -> the path under ``/cases/{ref}/work/`` it is posted to."""


async def _fields(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "csrf_token"}


Posted = Annotated[dict[str, str], Depends(_fields)]


def choices() -> dict[str, Any]:
    """The terms the forms offer, with their labels (from the rules and vocabularies)."""
    tax, rules = taxonomy(), load_rules()
    return {
        "vocab": vocabulary(),
        "taxonomy": tax,
        "auth_kinds": {k: r.label for k, r in rules.kinds.items()},
        "ranks": rules.ranks,
        "risk_form": risk.load_form(),
        "identifier_rows": range(1, forms.IDENTIFIER_ROWS + 1),
    }


def work_page(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    *,
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    error: UserError | None = None,
) -> HTMLResponse:
    w = work.case_work(ws, user, case_ref)
    saved = request.query_params.get("saved", "")
    ctx: dict[str, Any] = {
        "w": w,
        "paths": {k: f"{links.case(case_ref)}/work/{v}" for k, v in PATHS.items()},
        "saved": forms.FORMS[saved][0] if saved in forms.FORMS and failed is None else None,
        "failed": failed,
        "v": values or {},
        "error": error,
        **choices(),
    }
    return page(request, "casework_work.html", ctx, status=400 if error else 200)


@pages.get("/cases/new")
def new_case_form(request: Request, ws: WorkspaceDep, user: CurrentUser) -> HTMLResponse:
    work.require_open(user)
    v = {"tz": ws.settings.default_timezone}
    return page(request, "casework_new.html", {"v": v, "error": None})


@pages.post("/cases/new", response_model=None)
def new_case_submit(
    request: Request, ws: WorkspaceDep, user: CurrentUser, posted: Posted
) -> Response:
    work.require_open(user)
    f = forms.Fields(posted)
    try:
        c = work.open_case(
            ws, user, f.text("ref", "a case reference"), f.text("title", "a title"),
            f.opt("unit"), f.opt("tz"),
        )  # fmt: skip
    except UserError as exc:
        return page(request, "casework_new.html", {"v": posted, "error": exc}, status=400)
    return RedirectResponse(links.case(c.ref), status_code=303)


@pages.get("/cases/{case_ref}/work")
def work_get(request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> HTMLResponse:
    return work_page(request, ws, user, case_ref)


def _submit(name: str) -> Callable[..., Response]:
    _, act = forms.FORMS[name]

    def submit(
        request: Request, ws: WorkspaceDep, user: CurrentUser, case_ref: str, posted: Posted
    ) -> Response:
        try:
            act(ws, user, case_ref, forms.Fields(posted))
        except UserError as exc:
            return work_page(request, ws, user, case_ref, failed=name, values=posted, error=exc)
        target = f"{links.case(case_ref)}/work?saved={name}#{name}"
        return RedirectResponse(target, status_code=303)

    submit.__name__ = f"{name}_submit"
    return submit


for _name, _path in PATHS.items():
    pages.add_api_route(
        f"/cases/{{case_ref}}/work/{_path}",
        _submit(_name),
        methods=["POST"],
        response_model=None,
        name=f"casework_{_name}",
    )
