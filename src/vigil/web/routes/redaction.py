"""The redaction editor (issue 20 items 4 and 5): per conversation, select text, choose a
reason, save; list and withdraw; preview the redacted transcript as PDF; download the
redacted bundle. The API lists, adds and withdraws redactions.

Every call goes through :mod:`vigil.services.redaction`, which checks membership and role
(``disclose`` to change or produce, ``read`` to list) and writes one custody entry per act.
The redacted output is a disclosure copy; the evidence never changes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from vigil.errors import UserError
from vigil.redaction.images import Box
from vigil.redaction.reasons import NOTE_MAX
from vigil.services import links
from vigil.services.redaction.editor import bundle_bytes, editor_page, preview_pdf
from vigil.services.redaction.records import (
    PHRASE_MAX,
    RedactionInfo,
    add_box,
    add_phrase,
    add_span,
    list_redactions,
    withdraw,
)
from vigil.web.deps import API_ERRORS, CurrentUser, WorkspaceDep
from vigil.web.render import page
from vigil.web.security import safe_next

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["redaction"], responses=API_ERRORS)

C = "/cases/{case_ref}"
E = C + "/conversations/{conv_id}/redaction"
Audience = Literal["defence", "cps"]


def editor_url(case_ref: str, conv_id: int, anchor: str = "") -> str:
    return links.conversation(case_ref, conv_id) + "/redaction" + (f"#{anchor}" if anchor else "")


@pages.get(E)
def editor(
    request: Request,
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conv_id: int,
    start: Annotated[int, Query(ge=1, le=2_000_000_000)] = 1,
) -> HTMLResponse:
    p = editor_page(ws.acting_for(user), case_ref, conv_id, start=start)
    return page(request, "redaction.html", {"p": p, "editor_url": editor_url})


@pages.post(E)
def editor_add(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conv_id: int,
    reason: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(pattern="^(span|phrase)$")] = "span",
    seq: Annotated[int | None, Form(ge=1, le=2_000_000_000)] = None,
    start: Annotated[int | None, Form(ge=0, le=10_000_000)] = None,
    end: Annotated[int | None, Form(ge=0, le=10_000_000)] = None,
    phrase: Annotated[str, Form(max_length=PHRASE_MAX)] = "",
    scope: Annotated[str, Form(pattern="^(conversation|case)$")] = "conversation",
    note: Annotated[str, Form(max_length=NOTE_MAX)] = "",
) -> RedirectResponse:
    """Save a span (message, start, end) or a phrase; back to the editor at the message."""
    acting = ws.acting_for(user)
    if kind == "span":
        if seq is None or start is None or end is None:
            raise UserError("select text in a message first (or give message, start and end)")
        add_span(acting, case_ref, conv_id, seq, start, end, reason, note or None)
        return RedirectResponse(editor_url(case_ref, conv_id, f"m-{seq}"), status_code=303)
    add_phrase(acting, case_ref, phrase, reason, note or None,
               conv_id if scope == "conversation" else None)  # fmt: skip
    return RedirectResponse(editor_url(case_ref, conv_id, "redactions"), status_code=303)


@pages.post(C + "/redactions/{rid}/withdraw")
def editor_withdraw(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    rid: int,
    why: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2048)] = "",
) -> RedirectResponse:
    withdraw(ws.acting_for(user), case_ref, rid, why)
    return RedirectResponse(safe_next(next, links.case(case_ref)), status_code=303)


@pages.get(E + "/preview.pdf")
def preview(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conv_id: int,
    audience: Annotated[str, Query(pattern="^(defence|cps|unredacted)$")] = "defence",
) -> Response:
    """The transcript as PDF: redacted for the audience, or unredacted (for the court on
    order); logged as a transcript export."""
    pdf = preview_pdf(ws.acting_for(user), case_ref, conv_id, audience)
    name = f"{case_ref}-conversation-{conv_id}-{audience}.pdf".replace('"', "")
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})  # fmt: skip


@pages.post(C + "/redaction/bundle")
def bundle(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    audience: Annotated[str, Form(pattern="^(defence|cps)$")] = "defence",
) -> Response:
    """The redacted bundle for the audience, as a download (one custody entry)."""
    name, data = bundle_bytes(ws.acting_for(user), case_ref, audience)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


class RedactionIn(BaseModel):
    """A redaction to add: a span of a message, a phrase, or a box on an image exhibit."""

    kind: Literal["span", "phrase", "box"]
    reason: str = Field(max_length=64, description="third_party, victim, witness, operational, "
                        "persona or other (with a note)")  # fmt: skip
    note: str | None = Field(None, max_length=NOTE_MAX)
    conversation_id: int | None = Field(None, ge=1, description="span; phrase (else: the case)")
    seq: int | None = Field(None, ge=1, description="span: the message's number")
    start: int | None = Field(None, ge=0, description="span: first character (from 0)")
    end: int | None = Field(None, ge=1, description="span: one past the last character")
    phrase: str | None = Field(None, max_length=PHRASE_MAX)
    whole_word: bool = True
    exhibit_ref: str | None = Field(None, max_length=64, description="box: the image exhibit")
    box: tuple[int, int, int, int] | None = Field(None, description="box: x, y, width, height")


class WithdrawIn(BaseModel):
    why: str = Field(min_length=4, max_length=500)


@api.get(C + "/redactions", response_model=list[RedactionInfo],
         summary="A case's redactions, withdrawn ones included")  # fmt: skip
def list_api(
    ws: WorkspaceDep,
    user: CurrentUser,
    case_ref: str,
    conversation: Annotated[int | None, Query(ge=1)] = None,
) -> list[RedactionInfo]:
    return list_redactions(ws.acting_for(user), case_ref, conv_id=conversation)


@api.post(C + "/redactions", response_model=RedactionInfo, status_code=201,
          summary="Add a redaction (disclosure officers)")  # fmt: skip
def add_api(ws: WorkspaceDep, user: CurrentUser, case_ref: str, body: RedactionIn) -> RedactionInfo:
    acting = ws.acting_for(user)
    if body.kind == "span":
        if None in (body.conversation_id, body.seq, body.start, body.end):
            raise UserError("a span needs conversation_id, seq, start and end")
        return add_span(acting, case_ref, body.conversation_id or 0, body.seq or 0,
                        body.start or 0, body.end or 0, body.reason, body.note)  # fmt: skip
    if body.kind == "phrase":
        if not body.phrase:
            raise UserError("a phrase redaction needs the phrase")
        return add_phrase(acting, case_ref, body.phrase, body.reason, body.note,
                          body.conversation_id, body.whole_word)  # fmt: skip
    if not body.exhibit_ref or body.box is None:
        raise UserError("a box needs exhibit_ref and box [x, y, width, height]")
    return add_box(acting, case_ref, body.exhibit_ref, Box(*body.box), body.reason, body.note)


@api.post(C + "/redactions/{rid}/withdraw", response_model=RedactionInfo,
          summary="Withdraw a redaction (it stays on record)")  # fmt: skip
def withdraw_api(
    ws: WorkspaceDep, user: CurrentUser, case_ref: str, rid: int, body: WithdrawIn
) -> RedactionInfo:
    return withdraw(ws.acting_for(user), case_ref, rid, body.why)
