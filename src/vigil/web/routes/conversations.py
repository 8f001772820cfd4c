"""The conversation viewer (windowed, findings in place, chart, finding-to-finding jumps) and
the CSV export, as pages and as API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from vigil.services import links
from vigil.services.access import state_purpose
from vigil.services.conversation_csv import export_csv
from vigil.services.conversations import ConversationPage, conversation_page
from vigil.web import chart
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.highlight import segments
from vigil.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["conversations"], responses=API_ERRORS)

Start = Annotated[int, Query(ge=1, le=2_000_000_000, description="First message seq to show")]
Limit = Annotated[int, Query(ge=1, le=500)]
Category = Annotated[str | None, Query(max_length=64)]
Participant = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{0,9}$", description="A participant's id (empty: everyone)"),
]
"""Text, not a number, so that the filter form's "all" (an empty value) is not an error."""


def _participant(raw: str | None) -> int | None:
    return int(raw) if raw else None


Purpose = Annotated[
    str | None,
    Query(min_length=4, max_length=500, description="Why you need it (stated once per case)"),
]


def _view_model(p: ConversationPage) -> dict[str, Any]:
    """Segments, finding-to-finding links and chart geometry for the template."""
    h = p.head
    q: dict[str, Any] = {
        "category": p.category,
        "participant": p.participant,
        "limit": p.limit if p.limit != 100 else None,
    }
    order = [line for m in p.messages for line in m.lines]  # one stop per line of findings
    nav: dict[int, tuple[str | None, str | None]] = {}
    before = (
        links.conversation(h.case_ref, h.conversation_id, f"f-{p.finding_before.id}",
                           start=max(1, p.finding_before.seq - 2), **q)
        if p.finding_before else None
    )  # fmt: skip
    after = (
        links.conversation(h.case_ref, h.conversation_id, f"f-{p.finding_after.id}",
                           start=max(1, p.finding_after.seq - 2), **q)
        if p.finding_after else None
    )  # fmt: skip
    for i, f in enumerate(order):
        prev_link = f"#f-{order[i - 1].id}" if i > 0 else before
        next_link = f"#f-{order[i + 1].id}" if i + 1 < len(order) else after
        nav[f.id] = (prev_link, next_link)
    return {
        "p": p,
        "h": h,
        "q": q,
        "segs": {m.seq: segments(m.text, m.findings) for m in p.messages},
        "nav": nav,
        "stops": {line.id for line in order},
        "first_finding": f"#f-{order[0].id}" if order else after,
        "chart": chart.build(p.chart, h.timeline, h.message_count),
        "prev_url": links.conversation(h.case_ref, h.conversation_id, start=p.prev_start, **q)
        if p.prev_start else None,
        "next_url": links.conversation(h.case_ref, h.conversation_id, start=p.next_start, **q)
        if p.next_start else None,
    }  # fmt: skip


@pages.get("/cases/{case_ref}/conversations/{conv_id}")
def conversation_view(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conv_id: int,
    start: Start = 1,
    limit: Limit = 100,
    category: Category = None,
    participant: Participant = None,
) -> HTMLResponse:
    p = conversation_page(
        ws, user, case_ref, conv_id, start=start, limit=limit,
        category=category or None, participant=_participant(participant),
    )  # fmt: skip
    return page(request, "conversation.html", _view_model(p))


@pages.get("/cases/{case_ref}/conversations/{conv_id}/export.csv")
def conversation_csv(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, conv_id: int
) -> StreamingResponse:
    rows = export_csv(ws, user, case_ref, conv_id)
    name = f"{case_ref}-conversation-{conv_id}.csv".replace('"', "")
    return StreamingResponse(
        rows, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@api.get(
    "/cases/{case_ref}/conversations/{conv_id}/messages",
    response_model=ConversationPage,
    summary="A window of a conversation's messages with findings",
    responses={428: {"description": "no purpose stated for this case yet"}},
)
def messages_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conv_id: int,
    start: Start = 1,
    limit: Limit = 100,
    category: Category = None,
    participant: Participant = None,
    purpose: Purpose = None,
) -> ConversationPage:
    """Messages from ``start`` on (keyset by seq); ``next_start`` continues. The view is logged."""
    if purpose:
        state_purpose(ws, user, case_ref, purpose)
    return conversation_page(
        ws, user, case_ref, conv_id, start=start, limit=limit,
        category=category or None, participant=_participant(participant),
    )  # fmt: skip


@api.get(
    "/cases/{case_ref}/conversations/{conv_id}/export.csv",
    summary="The whole conversation as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, 428: {"description": "no purpose stated"}},
)
def csv_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, conv_id: int, purpose: Purpose = None
) -> StreamingResponse:
    if purpose:
        state_purpose(ws, user, case_ref, purpose)
    return conversation_csv(ws, user, case_ref, conv_id)
