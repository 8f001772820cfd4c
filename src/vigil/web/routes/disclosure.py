"""The disclosure officer's view of a case (issue 20 items 3 and 5; docs/disclosure.md).

One page per case: the schedules' states (with "revised schedule needed" once a served
schedule no longer matches), the revisions with their downloads and the form to record
service, and the items (unscheduled first) with the form that sets an item's status,
description and MG6E flag. The API under ``/api/v1`` makes the same calls. Members who read
the case see it all; only the disclosure officer's role (``disclose``) changes anything:
:mod:`vigil.services.disclosure` checks it, and writes every act to the custody log.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from vigil.disclosure.items import KEY_MAX
from vigil.disclosure.status import DESCRIPTION_MAX, KINDS, LABELS, STATUSES
from vigil.disclosure.writers import FORMATS, MEDIA_TYPES
from vigil.services import links
from vigil.services.disclosure.decide import Decided, Decision, decide, decide_many
from vigil.services.disclosure.items import SHOW, shown
from vigil.services.disclosure.schedules import (
    SERVED_TO_MAX,
    Overview,
    RevisionInfo,
    generate,
    mark_served,
    overview,
    render,
)
from vigil.services.times import parse_day
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["disclosure"], responses=API_ERRORS)

C = "/cases/{case_ref}/disclosure"
SHOW_LABELS = {"unscheduled": "unscheduled", "all": "all", **LABELS, "mg6e": "MG6E flagged"}
PAGE_SIZE = 200
KIND_PATTERN = "^(" + "|".join(KINDS) + ")$"
FORMAT_PATTERN = "^(" + "|".join(FORMATS) + ")$"
STATUS_PATTERN = "^(" + "|".join(STATUSES) + "|not-relevant)?$"
Format = Annotated[str, Query(pattern=FORMAT_PATTERN, description="pdf, csv, xlsx or ods")]
Number = Annotated[int, Path(ge=1, le=2_000_000_000, description="The revision number")]


def _here(case_ref: str) -> str:
    return links.case(case_ref) + "/disclosure"


@pages.get(C)
def disclosure_page(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    show: Annotated[str, Query(pattern="^(" + "|".join(SHOW) + ")$")] = "unscheduled",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    item: Annotated[str, Query(max_length=KEY_MAX)] = "",
) -> HTMLResponse:
    """The case's disclosure: schedules, revisions, items; ``item`` fills the form."""
    ov = overview(ws.acting_for(user), case_ref)
    listed = shown(ov.items, show)
    chosen = next((i for i in ov.items if i.key == item), None)
    counts = {s: len(shown(ov.items, s)) for s in SHOW}
    return page(request, "disclosure.html", {
        "ov": ov, "show": show, "listed": listed[offset : offset + PAGE_SIZE], "offset": offset,
        "total": len(listed), "page_size": PAGE_SIZE, "chosen": chosen, "counts": counts,
        "labels": LABELS, "show_labels": SHOW_LABELS, "statuses": STATUSES, "kinds": KINDS, "formats": FORMATS,
        "here": _here(case_ref), "today": ws.now().date().isoformat(),
    })  # fmt: skip


@pages.post(C + "/items")
def item_submit(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    item: Annotated[str, Form(min_length=3, max_length=KEY_MAX)],
    status: Annotated[str, Form(pattern=STATUS_PATTERN)] = "",
    description: Annotated[str, Form(max_length=DESCRIPTION_MAX + 200)] = "",
    undermines: Annotated[str, Form(pattern="^(yes|no)?$")] = "",
) -> RedirectResponse:
    """Record the form's decision on one item; back to the list, at the item."""
    flag = {"yes": True, "no": False}.get(undermines)
    decide(ws.acting_for(user), case_ref,
           Decision(item, status or None, description or None, flag))  # fmt: skip
    return RedirectResponse(_here(case_ref) + "?show=all#items", status_code=303)


@pages.post(C + "/schedules")
def schedule_submit(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    kind: Annotated[str, Form(pattern=KIND_PATTERN)],
) -> RedirectResponse:
    """Generate the schedule (a new revision if its rows changed); back to the revisions."""
    generate(ws.acting_for(user), case_ref, kind)
    return RedirectResponse(_here(case_ref) + "#revisions", status_code=303)


@pages.post(C + "/revisions/{number}/served")
def served_submit(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    number: Number,
    to: Annotated[str, Form(min_length=2, max_length=SERVED_TO_MAX)],
    on: Annotated[str, Form(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
) -> RedirectResponse:
    """Record that revision ``number`` was served, when and to whom."""
    mark_served(ws.acting_for(user), case_ref, number, to, parse_day(on) if on else None)
    return RedirectResponse(_here(case_ref) + "#revisions", status_code=303)


def _download(ws: WorkspaceDep, user: CurrentUser, case_ref: str, number: int,
              fmt: str) -> Response:  # fmt: skip
    info, data = render(ws.acting_for(user), case_ref, number, fmt)
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"{case_ref}-{info.kind}-r{info.number}.{fmt}")
    return Response(data, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@pages.get(C + "/revisions/{number}/download")
def download_page(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, number: Number, format: Format = "pdf"
) -> Response:
    """A revision as a file (recorded as an export in the custody log)."""
    return _download(ws, user, case_ref, number, format)


# --- the API ------------------------------------------------------------------------------


class DecisionIn(BaseModel):
    """A decision on one item; a part left out stays as it stands."""

    item: str = Field(min_length=3, max_length=KEY_MAX, description="e.g. exhibit:SE/1")
    status: str | None = Field(None, pattern=STATUS_PATTERN)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX + 200)
    undermines: bool | None = Field(None, description="Might undermine / assist (MG6E)")


class DecisionsIn(BaseModel):
    decisions: list[DecisionIn] = Field(min_length=1, max_length=1000)


class ScheduleIn(BaseModel):
    kind: str = Field(pattern=KIND_PATTERN)


class Generated(BaseModel):
    revision: RevisionInfo
    new: bool


class ServedIn(BaseModel):
    to: str = Field(min_length=2, max_length=SERVED_TO_MAX, description="To whom")
    on: date | None = Field(None, description="Date served (default today)")


@api.get(C, response_model=Overview, summary="A case's disclosure: items, schedules, revisions")
def disclosure_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str) -> Overview:
    return overview(ws.acting_for(user), case_ref)


@api.post(C + "/items", response_model=list[Decided], summary="Set items' disclosure status")
def items_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: DecisionsIn
) -> list[Decided]:
    """All or none, one custody entry per changed item; the disclosure officer only."""
    return decide_many(ws.acting_for(user), case_ref, [
        Decision(d.item, d.status, d.description, d.undermines) for d in body.decisions
    ])  # fmt: skip


@api.post(C + "/schedules", response_model=Generated, summary="Generate a schedule revision")
def schedule_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: ScheduleIn) -> Generated:
    info, new = generate(ws.acting_for(user), case_ref, body.kind)
    return Generated(revision=info, new=new)


@api.post(C + "/revisions/{number}/served", response_model=RevisionInfo,
          summary="Record that a revision was served")  # fmt: skip
def served_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, number: Number, body: ServedIn
) -> RevisionInfo:
    return mark_served(ws.acting_for(user), case_ref, number, body.to, body.on)


@api.get(C + "/revisions/{number}/download", summary="A revision as PDF, CSV, XLSX or ODS",
         response_class=Response)  # fmt: skip
def download_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, number: Number, format: Format = "pdf"
) -> Response:
    return _download(ws, user, case_ref, number, format)
