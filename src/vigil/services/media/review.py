"""Welfare on a case's media: the review queue, two-person grading, blurred thumbnails, the
logged unblurred view (exposure), and VICS export of the hashes graded alike by two people (or
whose graders' disagreement a supervisor resolved: :mod:`vigil.services.media.resolution`).

No function here returns image content except :func:`thumbnail`, which is blurred unless a reason
is given; an unblurred view writes the exposure row and the custody entry (action ``view``,
purpose = the reason) in one transaction before any byte is read. Known (matched) material never
appears in the review queue. A grade is a person's judgement; Vigil only records it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Exhibit
from vigil.db.tables.media import (
    MediaExposure,
    MediaGrading,
    MediaItem,
    MediaMatch,
    MediaResolution,
)
from vigil.errors import NotFound, UserError
from vigil.evidence import custody
from vigil.media.blur import Thumbnail, blurred_thumbnail, unblurred_thumbnail
from vigil.media.categories import registry
from vigil.media.hashsets import HashRecord, HashValue, export_vics
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.evidence.exhibits import check_registered_bytes, open_content
from vigil.services.workspace import Workspace

GRADES: dict[str, str] = {"A": "A", "B": "B", "C": "C", "NOT_INDECENT": "N"}
"""Grade as typed -> code in the ``uk-sentencing`` category scheme."""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """An unmatched item awaiting grading: ids, hashes, markers and grades — never pixels."""

    item_id: int
    exhibit_ref: str
    kind: str
    status: str
    md5: str
    sha256: str
    pdq: str | None
    pdq_quality: int | None
    markers: list[str]
    grades: dict[str, str]
    state: str
    disagreement: bool
    resolved_grade: str | None = None
    resolved_by: str | None = None

    @property
    def final_grade(self) -> str | None:
        """The grade that stands: the supervisor's resolution, else the graders' agreed one."""
        if self.resolved_grade is not None:
            return self.resolved_grade
        return next(iter(self.grades.values())) if self.state == "agreed" else None


RESOLVED = "resolved by a supervisor"
FINAL_STATES = ("agreed", RESOLVED)
"""States in which an item's grade stands (and may be exported)."""


def grade_code(value: str) -> str:
    """A grade as typed (``a``, ``Not indecent``, ``not-indecent`` ...) as stored: A, B, C or
    ``not_indecent``; UserError otherwise."""
    key = value.strip().upper().replace("-", "_").replace(" ", "_")
    if key not in GRADES:
        raise UserError(f"unknown grade {value!r}", hint="use A, B, C or not_indecent")
    return key if key in ("A", "B", "C") else "not_indecent"


def _state(grades: dict[str, str], resolved: MediaResolution | None = None) -> tuple[str, bool]:
    if resolved is not None:
        return RESOLVED, False
    if not grades:
        return "awaiting first grade", False
    if len(set(grades.values())) > 1:
        return "DISAGREEMENT: refer to a supervisor", True
    if len(grades) == 1:
        return "awaiting second grader", False
    return "agreed", False


def _grades(s: Session, item_id: int) -> dict[str, str]:
    rows = s.execute(
        select(MediaGrading).where(MediaGrading.media_item_id == item_id).order_by(MediaGrading.id)
    ).scalars()
    return {g.grader: g.grade for g in rows}


def _resolution(s: Session, item_id: int) -> MediaResolution | None:
    return s.execute(
        select(MediaResolution).where(MediaResolution.media_item_id == item_id)
    ).scalar_one_or_none()


def review(ws: Workspace, case_ref: str, *, include_agreed: bool = False) -> list[ReviewItem]:
    """Unmatched media of the case (known material never appears here), with grading state."""
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        matched = set(
            s.execute(
                select(MediaMatch.media_item_id).where(MediaMatch.status == "match")
            ).scalars()
        )
        low = set(
            s.execute(
                select(MediaMatch.media_item_id).where(MediaMatch.status == "cannot be scored")
            ).scalars()
        )
        q = (
            select(MediaItem, Exhibit)
            .join(Exhibit, Exhibit.id == MediaItem.exhibit_id)
            .where(MediaItem.case_id == case.id)
            .order_by(MediaItem.id)
        )
        out: list[ReviewItem] = []
        for item, ex in s.execute(q).all():
            if item.id in matched:
                continue
            grades = _grades(s, item.id)
            resolved = _resolution(s, item.id)
            state, disagreement = _state(grades, resolved)
            if state in FINAL_STATES and not include_agreed:
                continue
            status = (
                "undecodable"
                if item.status == "undecodable"
                else "cannot be scored"
                if item.id in low
                else "no match"
            )
            marks = [
                f"{m['label']}: {m['rule']} at {m['location']}" for m in json.loads(item.markers)
            ]
            out.append(
                ReviewItem(
                    item.id,
                    ex.ref,
                    item.kind,
                    status,
                    item.md5,
                    item.sha256,
                    item.pdq,
                    item.pdq_quality,
                    marks,
                    grades,
                    state,
                    disagreement,
                    resolved.grade if resolved else None,
                    resolved.resolver if resolved else None,
                )
            )
        return out


def _item(s: Session, item_id: int) -> tuple[MediaItem, Exhibit, str]:
    item = s.get(MediaItem, item_id)
    if item is None:
        raise NotFound(f"no media item {item_id}", hint="see `vigil media review --case C`")
    ex = s.get(Exhibit, item.exhibit_id)
    assert ex is not None
    case = s.get(Case, item.case_id)
    assert case is not None
    return item, ex, case.ref


def grade(ws: Workspace, item_id: int, value: str) -> ReviewItem | None:
    """Record the acting user's grade; a second grade must come from a different person, and
    an item whose disagreement a supervisor has resolved takes no more grades."""
    code = grade_code(value)
    with ws.transaction() as session:
        custody.lock(session)
        _, ex, case_ref = _item(session, item_id)
        access.require_act(session, ws, "write", case_ref)
        if _resolution(session, item_id) is not None:
            raise UserError(
                f"media item {item_id} has been resolved by a supervisor",
                hint="its grade stands; it takes no more grades",
            )
        if ws.actor in _grades(session, item_id):
            raise UserError(
                f"you have already graded media item {item_id}",
                hint="the second grade must come from a different person",
            )
        session.add(
            MediaGrading(media_item_id=item_id, grader=ws.actor, grade=code, graded_at=ws.now())
        )
        session.flush()
        state, _ = _state(_grades(session, item_id))
        audit.record(
            session,
            ws.actor,
            "annotate",
            audit.Subject("media_item", str(item_id), case_ref),
            details={"exhibit": ex.ref, "grade": code, "state": state},
            now=ws.now(),
        )
    for r in review(ws, case_ref, include_agreed=True):
        if r.item_id == item_id:
            return r
    return None


def thumbnail(ws: Workspace, item_id: int, *, unblur_reason: str | None = None) -> Thumbnail:
    """A blurred thumbnail; unblurred only with a reason, logged as exposure and custody view."""
    with ws.sessions() as s:
        item, ex, case_ref = _item(s, item_id)
        known = (
            s.execute(
                select(MediaMatch.id).where(
                    MediaMatch.media_item_id == item_id, MediaMatch.status == "match"
                )
            ).first()
            is not None
        )
        graded = bool(_grades(s, item_id))
    if item.kind != "image":
        raise UserError(f"media item {item_id} is a {item.kind}; thumbnails are for images")
    if unblur_reason is None:
        with open_content(ws, case_ref, ex.ref, purpose="blurred thumbnail") as fh:
            return blurred_thumbnail(
                fh.read(), name=ex.ref, max_pixels=ws.settings.max_image_pixels
            )
    reason = unblur_reason.strip()
    if not reason:
        raise UserError("an unblurred view needs a reason (it is logged as exposure)")
    with ws.sessions() as s:
        access.require_act(s, ws, "read", case_ref)
        check_registered_bytes(s, case_ref, ex.ref, ex.blob_sha256)
    # made before the exposure is logged, and shown only after: an image that cannot be
    # decoded (or is over the pixel limit) was never seen, so it is not logged as exposure
    with ws.store.open(ex.blob_sha256) as fh:
        clear = unblurred_thumbnail(
            fh.read(), reason=reason, name=ex.ref, max_pixels=ws.settings.max_image_pixels
        )
    with ws.transaction() as session:
        custody.lock(session)
        access.require_act(session, ws, "read", case_ref)
        session.add(MediaExposure(user=ws.actor, media_item_id=item_id, reason=reason, at=ws.now()))
        audit.record(
            session,
            ws.actor,
            "view",
            audit.Subject("exhibit", ex.ref, case_ref),
            purpose=reason,
            details={
                "sha256": ex.blob_sha256,
                "media_item": item_id,
                "unblurred": True,
                "exposure": True,
                "known_material": known,
                "graded": graded,
            },
            now=ws.now(),
        )
    return clear


def exposures(ws: Workspace, item_id: int | None = None) -> list[MediaExposure]:
    """The exposure log (all, or one item's)."""
    with ws.sessions() as s:
        q = select(MediaExposure).order_by(MediaExposure.id)
        if item_id is not None:
            q = q.where(MediaExposure.media_item_id == item_id)
        return list(s.execute(q).scalars())


def export_graded(
    ws: Workspace,
    case_ref: str,
    *,
    version: str = "2.0",
    scheme: str = "projectvic-us",
    recipient: str | None = None,
) -> tuple[bytes, int, int]:
    """VICS JSON of the case's items graded alike by two or more people, or whose graders'
    disagreement a supervisor resolved (with the supervisor's grade).

    Returns (the document, items exported, graded items left out because grading is
    incomplete or disputed and unresolved). The export is logged as a disclosure.
    """
    cats = registry()
    records: list[HashRecord] = []
    left_out = 0
    for r in review(ws, case_ref, include_agreed=True):
        if not r.grades:
            continue
        final = r.final_grade
        if final is None:
            left_out += 1
            continue
        with ws.sessions() as s:
            item, _, _ = _item(s, r.item_id)
        hashes = [
            HashValue("md5", item.md5),
            HashValue("sha1", item.sha1),
            HashValue("sha256", item.sha256),
        ]
        if item.pdq is not None and (item.pdq_quality or 0) >= 50:
            hashes.append(HashValue("pdq", item.pdq))
        if item.vpdq:
            hashes.append(HashValue("vpdq", item.vpdq))
        code = GRADES[final.upper()]
        records.append(
            HashRecord(str(item.id), tuple(hashes), cats.category("uk-sentencing", code))
        )
    doc = export_vics(records, version=version, scheme=scheme, cats=cats)
    with ws.transaction() as session:
        get_case(session, case_ref)
        audit.record(
            session,
            ws.actor,
            "export",
            audit.Subject("case", case_ref, case_ref),
            details={
                "what": "graded media hashes (VICS)",
                "version": version,
                "scheme": scheme,
                "items": len(records),
                "sha256": hashlib.sha256(doc).hexdigest(),
                "recipient": recipient,
            },
            now=ws.now(),
        )
    return doc, len(records), left_out
