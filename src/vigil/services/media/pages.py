"""What the media pages and their API show: a case's media as cards (blurred thumbnails,
hash-list matches, grading state), thumbnails, grading and resolving on the web, and the
exposure log for welfare.

Each function takes the signed-in :class:`~vigil.services.access.Principal` and checks that
they are on the case with a role that allows the act; listings and thumbnails also need a
purpose stated for the case in this sign-in and are written to the custody log with it. An
item is always looked up *within* the case named in the address, so one case's page cannot
reach another case's media. Grading and resolving go through
:mod:`vigil.services.media.review` and :mod:`vigil.services.media.resolution` acting as the
signed-in person, the same calls ``vigil media grade`` and ``vigil media resolve`` make.

Who sees the exposure log (:func:`exposure_log`): every member of the case whose role reads
it sees their own unblurred views; a supervisor (a role that may *authorise*) sees everyone's
on the cases they are on, to look after the people who grade. Nothing else of anyone's welfare
is shown to anyone.

A match is a lead for a trained person, never a verdict; nothing here returns image content
except :func:`item_thumbnail` (blurred unless a reason is given, and then logged as exposure).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.media import (
    HashListRow,
    MediaExposure,
    MediaGrading,
    MediaItem,
    MediaMatch,
    MediaResolution,
)
from vigil.errors import NotFound
from vigil.media.blur import Thumbnail
from vigil.services import access
from vigil.services.listing import ListQuery, Page, Sorts, order_by
from vigil.services.media import resolution, review
from vigil.services.workspace import Workspace

MEDIA_SORTS = Sorts({"item": ("order scanned", "asc"), "exhibit": ("exhibit", "asc")}, "item")
GRADE_LABELS = {"A": "A", "B": "B", "C": "C", "not_indecent": "not indecent"}
LEAD_NOTE = "A match is a lead for a trained person to check, never a verdict."


def grade_label(code: str | None) -> str:
    return "" if code is None else GRADE_LABELS.get(code, code)


@dataclass(frozen=True, slots=True)
class MatchView:
    """One hash-list result for an item: which list, its category, how close."""

    result: str  # "match" or "cannot be scored"
    method: str  # e.g. "exact (MD5)", "PDQ"
    list_name: str | None
    category: str | None
    distance: int | None
    threshold: int | None
    quality: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class GradeView:
    grader: str  # a name people read
    grade: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MediaCard:
    """One media item of the case as the grid shows it (never pixels: the thumbnail is a URL)."""

    item_id: int
    exhibit_ref: str
    name: str
    kind: str
    readable: bool
    width: int | None
    height: int | None
    known: bool
    matches: list[MatchView]
    grades: list[GradeView]
    state: str
    disagreement: bool
    resolved_grade: str | None
    resolved_by: str | None
    may_grade: bool
    may_resolve: bool
    thumb_url: str | None


@dataclass(slots=True)
class MediaPage:
    case_ref: str
    title: str
    purpose: str
    items: Page[MediaCard]
    may_write: bool
    may_resolve: bool
    counts: dict[str, int] = field(default_factory=dict)
    note: str = LEAD_NOTE


def _names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(sorted(usernames)))
    )
    return {u: (d or u) for u, d in rows}


def _method(m: MediaMatch) -> str:
    if m.method == "exact":
        return f"exact ({m.algorithm.upper()})"
    return {"pdq": "PDQ", "vpdq": "vPDQ"}.get(m.algorithm or m.method, m.algorithm or m.method)


def _case_item(session: Session, case_: Case, item_id: int) -> MediaItem:
    item = session.get(MediaItem, item_id)
    if item is None or item.case_id != case_.id:
        raise NotFound(f"no media item {item_id} in case {case_.ref}")
    return item


def thumb_url(case_ref: str, item_id: int) -> str:
    from vigil.services import links

    return f"{links.case(case_ref)}/media/{int(item_id)}/thumb"


def media_page(ws: Workspace, user: access.Principal, case_ref: str, query: ListQuery) -> MediaPage:
    """A page of the case's media items as cards, for ``user`` (read and a stated purpose)."""
    with ws.transaction() as session:
        case_ = access.require_case(session, user, case_ref, "read")
        purpose = access.require_purpose(session, user, case_, ws.now())
        where = [MediaItem.case_id == case_.id]
        if query.like:
            where.append(
                or_(
                    Exhibit.ref.like(query.like, escape="\\"),
                    Exhibit.original_name.like(query.like, escape="\\"),
                )
            )
        base = select(MediaItem, Exhibit).join(Exhibit, Exhibit.id == MediaItem.exhibit_id)
        total = session.execute(
            select(func.count())
            .select_from(MediaItem)
            .join(Exhibit, Exhibit.id == MediaItem.exhibit_id)
            .where(*where)
        ).scalar_one()
        cols: dict[str, list[Any]] = {"item": [MediaItem.id], "exhibit": [Exhibit.ref]}
        rows = session.execute(
            base.where(*where)
            .order_by(*order_by(query, cols, MediaItem.id))
            .offset(query.offset)
            .limit(query.limit)
        ).all()
        ids = [item.id for item, _ in rows]
        matches: dict[int, list[MatchView]] = {i: [] for i in ids}
        for m, lst in session.execute(
            select(MediaMatch, HashListRow)
            .outerjoin(HashListRow, HashListRow.id == MediaMatch.list_id)
            .where(MediaMatch.media_item_id.in_(ids))
            .order_by(MediaMatch.media_item_id, MediaMatch.id)
        ):
            cat = m.category_label or m.category_code
            if cat and m.category_scheme:
                cat = f"{cat} ({m.category_scheme})"
            matches[m.media_item_id].append(
                MatchView(m.status, _method(m), lst.name if lst else None, cat, m.distance,
                          m.threshold, m.quality, m.reason)
            )  # fmt: skip
        gradings: dict[int, list[MediaGrading]] = {i: [] for i in ids}
        for g in session.execute(
            select(MediaGrading)
            .where(MediaGrading.media_item_id.in_(ids))
            .order_by(MediaGrading.id)
        ).scalars():
            gradings[g.media_item_id].append(g)
        resolved = {
            r.media_item_id: r
            for r in session.execute(
                select(MediaResolution).where(MediaResolution.media_item_id.in_(ids))
            ).scalars()
        }
        people = {g.grader for gs in gradings.values() for g in gs}
        people |= {r.resolver for r in resolved.values()}
        names = _names(session, people)
        writes = access.role_allows(user.role, "write")
        resolves = access.role_allows(user.role, resolution.RESOLVE_NEED)
        cards = []
        for item, ex in rows:
            grades = {g.grader: g.grade for g in gradings[item.id]}
            res = resolved.get(item.id)
            state, disputed = review._state(grades, res)
            known = any(m.result == "match" for m in matches[item.id])
            mine = user.username in grades
            cards.append(
                MediaCard(
                    item.id, ex.ref, ex.original_name, item.kind, item.status != "undecodable",
                    item.width, item.height, known, matches[item.id],
                    [GradeView(names.get(g.grader, g.grader), grade_label(g.grade), g.graded_at)
                     for g in gradings[item.id]],
                    "known material (matched a hash list)" if known else state, disputed,
                    grade_label(res.grade) if res else None,
                    names.get(res.resolver, res.resolver) if res else None,
                    writes and not known and not mine and res is None
                    and not (disputed and resolves),
                    resolves and disputed and not mine and not known,
                    thumb_url(case_.ref, item.id)
                    if item.kind == "image" and item.status != "undecodable"
                    else None,
                )
            )  # fmt: skip
        counts = Counter("known" if c.known else "disputed" if c.disagreement else "other"
                         for c in cards)  # fmt: skip
        access.record_view(
            session, user, case_ref, object_type="media", object_id=case_ref, purpose=purpose,
            details={"items": len(cards), "offset": query.offset, "q": query.q or None},
            now=ws.now(),
        )  # fmt: skip
        return MediaPage(
            case_.ref, case_.title, purpose, Page.of(cards, int(total), query), writes, resolves,
            dict(counts),
        )  # fmt: skip


def item_thumbnail(
    ws: Workspace,
    user: access.Principal,
    case_ref: str,
    item_id: int,
    *,
    unblur_reason: str | None = None,
) -> Thumbnail:
    """The item's thumbnail, blurred; unblurred only with a reason (logged as exposure by
    :func:`vigil.services.media.review.thumbnail`). Needs read and a stated purpose."""
    with ws.sessions() as s:
        case_ = access.require_case(s, user, case_ref, "read")
        access.require_purpose(s, user, case_, ws.now())
        _case_item(s, case_, item_id)
    return review.thumbnail(ws.acting_for(user), item_id, unblur_reason=unblur_reason)


def grade_item(
    ws: Workspace, user: access.Principal, case_ref: str, item_id: int, value: str
) -> review.ReviewItem | None:
    """Record ``user``'s grade of an item of this case (write; two different graders)."""
    with ws.sessions() as s:
        case_ = access.require_case(s, user, case_ref, "write")
        _case_item(s, case_, item_id)
    return review.grade(ws.acting_for(user), item_id, value)


def resolve_item(
    ws: Workspace, user: access.Principal, case_ref: str, item_id: int, value: str, reason: str
) -> review.ReviewItem:
    """A supervisor's resolution of a disagreement on an item of this case."""
    with ws.sessions() as s:
        case_ = access.require_case(s, user, case_ref, resolution.RESOLVE_NEED)
        _case_item(s, case_, item_id)
    return resolution.resolve(ws.acting_for(user), item_id, value, reason)


# --- the exposure log ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExposureView:
    person: str
    item_id: int
    exhibit_ref: str
    reason: str
    at: datetime


@dataclass(slots=True)
class ExposureLog:
    case_ref: str
    title: str
    everyone: bool  # True: all members' views (a supervisor); False: the caller's own
    rows: list[ExposureView]
    per_person: dict[str, int]


def exposure_log(ws: Workspace, user: access.Principal, case_ref: str) -> ExposureLog:
    """Unblurred views of the case's media: the caller's own, or everyone's for a supervisor.

    Needs membership with a role that reads the case; no purpose (it holds no case content
    beyond exhibit references), and the view is logged with the purpose if one was stated."""
    with ws.transaction() as session:
        case_ = access.require_case(session, user, case_ref, "read")
        everyone = access.role_allows(user.role, resolution.RESOLVE_NEED)
        stmt = (
            select(MediaExposure, Exhibit.ref)
            .join(MediaItem, MediaItem.id == MediaExposure.media_item_id)
            .join(Exhibit, Exhibit.id == MediaItem.exhibit_id)
            .where(MediaItem.case_id == case_.id)
            .order_by(MediaExposure.at.desc(), MediaExposure.id.desc())
        )
        if not everyone:
            stmt = stmt.where(MediaExposure.user == user.username)
        found = session.execute(stmt).all()
        names = _names(session, {e.user for e, _ in found})
        rows = [
            ExposureView(names.get(e.user, e.user), e.media_item_id, ref, e.reason, e.at)
            for e, ref in found
        ]
        per = Counter(r.person for r in rows)
        access.record_view(
            session, user, case_ref, object_type="media_exposures", object_id=case_ref,
            purpose=access.stated_purpose(session, user, case_.id, ws.now()),
            details={"rows": len(rows), "everyone": everyone}, now=ws.now(),
        )  # fmt: skip
        return ExposureLog(case_.ref, case_.title, everyone, rows, dict(per.most_common()))
