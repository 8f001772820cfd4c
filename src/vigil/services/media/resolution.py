"""A supervisor's resolution of graders who disagree about a media item.

Two people grade every unmatched item (:func:`vigil.services.media.review.grade`); when their
grades differ the item is disputed and can never be exported. A supervisor (a member of the
case whose role may *authorise*, :mod:`vigil.services.access`) who graded nothing of the item
decides the grade that stands, with a reason. The resolution is written once, in the same
transaction as its custody entry (action ``annotate`` on the ``media_item``, with the grades as
they stood, the grade decided and the SHA-256 of the reason: the reason itself is kept in the
resolution row, not in the searchable log, in case it describes the image). From then on the
item counts as graded for :func:`~vigil.services.media.review.export_graded` and takes no more
grades. The grade is a person's judgement; Vigil only records it.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.media import MediaMatch, MediaResolution
from vigil.errors import AccessDenied, UserError
from vigil.evidence import custody
from vigil.services import access, audit
from vigil.services.media.review import (
    RESOLVED,
    ReviewItem,
    _grades,
    _item,
    _resolution,
    grade_code,
    review,
)
from vigil.services.workspace import Workspace

RESOLVE_NEED: access.Need = "authorise"
"""The case need a resolver's role must allow: supervisors (authorising officers)."""


def reason_text(reason: str | None) -> str:
    """The reason, whitespace-normalised; a few words at least."""
    text = " ".join((reason or "").split())[:1000]
    if len(text) < 4:
        raise UserError(
            "give the reason for your decision in a few words",
            hint="it is kept with the resolution",
        )
    return text


def resolve(ws: Workspace, item_id: int, value: str, reason: str) -> ReviewItem:
    """Resolve a disagreement on ``item_id`` with grade ``value``, as the acting person.

    Refused (AccessDenied) unless the acting person is a member of the item's case whose role
    may authorise, and (UserError) when they graded the item themselves, when the graders agree
    or fewer than two have graded, or when it is already resolved.
    """
    code = grade_code(value)
    why = reason_text(reason)
    with ws.transaction() as session:
        custody.lock(session)
        _, ex, case_ref = _item(session, item_id)
        access.require_act(session, ws, RESOLVE_NEED, case_ref)
        grades = _grades(session, item_id)
        if ws.actor in grades:
            raise AccessDenied(
                f"you graded media item {item_id}, so you cannot resolve it",
                hint="a supervisor who did not grade it must decide",
            )
        if _resolution(session, item_id) is not None:
            raise UserError(f"media item {item_id} has already been resolved")
        if _known(session, item_id):
            raise UserError(
                f"media item {item_id} matched a hash list",
                hint="known material is not graded in the review queue",
            )
        if len(grades) < 2 or len(set(grades.values())) < 2:
            raise UserError(
                f"media item {item_id} is not disputed",
                hint="only a disagreement between two graders is resolved by a supervisor",
            )
        now = ws.now()
        session.add(
            MediaResolution(
                media_item_id=item_id,
                resolver=ws.actor,
                grade=code,
                reason=why,
                graders=json.dumps(grades, sort_keys=True),
                resolved_at=now,
            )
        )
        audit.record(
            session,
            ws.actor,
            "annotate",
            audit.Subject("media_item", str(item_id), case_ref),
            details={
                "exhibit": ex.ref,
                "resolution": code,
                "grades": grades,
                "state": RESOLVED,
                "reason_sha256": hashlib.sha256(why.encode("utf-8")).hexdigest(),
            },
            now=now,
        )
    found = [r for r in review(ws, case_ref, include_agreed=True) if r.item_id == item_id]
    assert found, "an unmatched item is always in the review queue"
    return found[0]


def _known(session: Session, item_id: int) -> bool:
    stmt = select(MediaMatch.id).where(
        MediaMatch.media_item_id == item_id, MediaMatch.status == "match"
    )
    return session.execute(stmt).first() is not None
