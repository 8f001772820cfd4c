"""Media triage on a case: scan (register, hash, find markers, match) and the stored matches.

Review, grading, thumbnails and export are in :mod:`vigil.services.media.review`.

Every read of exhibit bytes goes on the custody log first (``open_content`` with the purpose
"media hashing"). Only hashes, sizes and metadata markers are stored; nothing here returns image
content. Images are hashed from their bytes; videos from the read-only blob path (vpdq's FFmpeg
decoder reads the file itself), after the same custody entry.
Vigil's output is a lead for a trained person, never a verdict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from vigil import tool_version
from vigil.db.tables.evidence import Blob, Exhibit
from vigil.db.tables.media import HashListEntry, HashListRow, MediaItem, MediaMatch
from vigil.errors import ParseError, UserError
from vigil.evidence.mime import guess_mime
from vigil.services import audit
from vigil.services.cases import get_case
from vigil.services.evidence.exhibits import open_content, register_file
from vigil.services.media.lists import match_items
from vigil.services.workspace import Workspace

HASH_PURPOSE = "media hashing"


@dataclass
class ScanReport:
    """What a scan did (counts of items, never content)."""

    case_ref: str
    items: int = 0
    new_items: int = 0
    images: int = 0
    videos: int = 0
    undecodable: int = 0
    exact: int = 0
    pdq: int = 0
    vpdq: int = 0
    cannot_be_scored: int = 0
    for_review: int = 0
    with_markers: int = 0
    skipped: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def _kind(mime: str) -> str | None:
    major = mime.split("/", 1)[0]
    return major if major in ("image", "video") else None


def _files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.is_symlink()))
        else:
            out.append(p)
    return out


def _hash_one(
    ws: Workspace, case_ref: str, ex: Exhibit, kind: str, dihedral: bool, seconds_per_hash: float
) -> MediaItem:
    from vigil.media.hashers.pdq import hash_image
    from vigil.media.markers import find_markers

    item = MediaItem(
        case_id=ex.case_id,
        exhibit_id=ex.id,
        kind=kind,
        status="hashed",
        markers="[]",
        created_at=ws.now(),
        tool_version=tool_version(),
    )
    with open_content(ws, case_ref, ex.ref, purpose=HASH_PURPOSE) as fh:
        if kind == "image":
            data = fh.read()
            item.md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            item.sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
            item.sha256 = hashlib.sha256(data).hexdigest()
            item.markers = json.dumps([asdict(m) for m in find_markers(data)], sort_keys=True)
            try:
                res = hash_image(
                    data, name=ex.ref, dihedral=dihedral, max_pixels=ws.settings.max_image_pixels
                )
            except ParseError as exc:
                item.status, item.error = "undecodable", str(exc)
                return item
            item.pdq, item.pdq_quality = res.hash.hex, res.hash.quality
            if res.dihedral:
                item.pdq_dihedral = json.dumps([h.hex for h in res.dihedral])
            item.pipeline_version = res.preparation.version
            item.preparation = json.dumps(asdict(res.preparation), sort_keys=True)
            item.width, item.height = res.preparation.width, res.preparation.height
            return item
    return _hash_video(ws, ex, item, seconds_per_hash)


def _hash_video(ws: Workspace, ex: Exhibit, item: MediaItem, seconds_per_hash: float) -> MediaItem:
    sha = ex.blob_sha256
    with ws.sessions() as s:
        b = s.get(Blob, sha)
        assert b is not None
        item.md5, item.sha1, item.sha256 = b.md5, b.sha1, b.sha256
    try:
        from vigil.media.hashers.vpdq import format_vpdq_text, hash_video

        res = hash_video(ws.store.path_for(sha), seconds_per_hash=seconds_per_hash)
    except (ParseError, ImportError, OSError) as exc:
        item.status, item.error = "undecodable", str(exc)
        return item
    item.vpdq = format_vpdq_text(res.frames)
    item.vpdq_frames = len(res.frames)
    item.pipeline_version = res.preparation.version
    item.preparation = json.dumps(asdict(res.preparation), sort_keys=True)
    return item


def scan(
    ws: Workspace,
    case_ref: str,
    paths: Sequence[Path] = (),
    *,
    from_attachments: bool = False,
    source: str | None = None,
    acquired_by: str | None = None,
    dihedral: bool = False,
    seconds_per_hash: float = 1.0,
) -> ScanReport:
    """Register media files (or take the case's image/video exhibits), hash, mark and match them."""
    if not paths and not from_attachments:
        raise UserError("nothing to scan", hint="give files or folders, or --from-attachments")
    report = ScanReport(case_ref)
    refs: list[str] = []
    for f in _files(paths):
        if not f.exists():
            raise UserError(f"{f}: no such file", hint="check the path")
        with f.open("rb") as fh:
            mime = guess_mime(fh.read(8192), f.name)
        if _kind(mime) is None:
            report.skipped.append(f"{f}: {mime} is not an image or a video")
            continue
        reg = register_file(
            ws,
            case_ref,
            f,
            source=source or f"media scan of {f.parent}",
            acquired_by=acquired_by or ws.actor,
        )
        refs.append(reg.exhibit.ref)
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        exhibits = list(s.execute(select(Exhibit).where(Exhibit.case_id == case.id)).scalars())
        done = {
            i.exhibit_id
            for i in s.execute(select(MediaItem).where(MediaItem.case_id == case.id)).scalars()
        }
    wanted = set(refs)
    if from_attachments:
        wanted |= {e.ref for e in exhibits if _kind(e.mime_type) is not None}
    chosen = [e for e in exhibits if e.ref in wanted]
    new_items = [
        _hash_one(ws, case_ref, e, _kind(e.mime_type) or "image", dihedral, seconds_per_hash)
        for e in chosen
        if e.id not in done
    ]
    with ws.transaction() as session:
        session.add_all(new_items)
        session.flush()
        ids = [e.id for e in chosen]
        items = list(
            session.execute(
                select(MediaItem).where(MediaItem.case_id == case.id, MediaItem.exhibit_id.in_(ids))
            ).scalars()
        )
        rows = match_items(session, items, ws.now())
        _fill(report, items, rows, len(new_items))
        audit.record(
            session,
            ws.actor,
            "annotate",
            audit.Subject("case", case_ref, case_ref),
            details={
                "media_scan": {
                    k: v for k, v in asdict(report).items() if k not in ("skipped", "item_ids")
                }
            },
            now=ws.now(),
        )
    return report


def _fill(report: ScanReport, items: list[MediaItem], rows: list[MediaMatch], new: int) -> None:
    report.items, report.new_items = len(items), new
    report.item_ids = sorted(i.id for i in items)
    report.images = sum(i.kind == "image" for i in items)
    report.videos = sum(i.kind == "video" for i in items)
    report.undecodable = sum(i.status == "undecodable" for i in items)
    report.with_markers = sum(i.markers != "[]" for i in items)
    by: dict[str, set[int]] = {"exact": set(), "pdq": set(), "vpdq": set(), "cbs": set()}
    for r in rows:
        by[r.method if r.status == "match" else "cbs"].add(r.media_item_id)
    report.exact, report.pdq, report.vpdq = len(by["exact"]), len(by["pdq"]), len(by["vpdq"])
    report.cannot_be_scored = len(by["cbs"])
    matched = by["exact"] | by["pdq"] | by["vpdq"]
    report.for_review = sum(i.id not in matched for i in items)


def rematch(ws: Workspace, case_ref: str) -> ScanReport:
    """Match every media item of the case again (after importing a list)."""
    report = ScanReport(case_ref)
    with ws.transaction() as session:
        case = get_case(session, case_ref)
        items = list(
            session.execute(select(MediaItem).where(MediaItem.case_id == case.id)).scalars()
        )
        _fill(report, items, match_items(session, items, ws.now()), 0)
    return report


# --- listings --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchInfo:
    """One stored look-up result: a match, or a hash that cannot be scored."""

    item_id: int
    exhibit_ref: str
    status: str
    method: str
    algorithm: str
    list_name: str | None
    list_id: int | None
    listed_media_id: str | None
    distance: int | None
    quality: int | None
    threshold: int | None
    variant: str | None
    category: str | None
    reason: str


def matches(ws: Workspace, case_ref: str) -> list[MatchInfo]:
    """Every match and every "cannot be scored" result of the case's media."""
    with ws.sessions() as s:
        case = get_case(s, case_ref)
        q = (
            select(MediaMatch, MediaItem, Exhibit, HashListRow, HashListEntry)
            .join(MediaItem, MediaItem.id == MediaMatch.media_item_id)
            .join(Exhibit, Exhibit.id == MediaItem.exhibit_id)
            .outerjoin(HashListRow, HashListRow.id == MediaMatch.list_id)
            .outerjoin(HashListEntry, HashListEntry.id == MediaMatch.entry_id)
            .where(MediaItem.case_id == case.id)
            .order_by(MediaItem.id, MediaMatch.id)
        )
        out = []
        for m, item, ex, lst, entry in s.execute(q).all():
            cat = None
            if m.category_scheme is not None:
                cat = f"{m.category_scheme}:{m.category_code} ({m.category_label})"
            out.append(
                MatchInfo(
                    item.id,
                    ex.ref,
                    m.status,
                    m.method,
                    m.algorithm,
                    lst.name if lst else None,
                    m.list_id,
                    entry.media_id if entry else None,
                    m.distance,
                    m.quality,
                    m.threshold,
                    m.variant,
                    cat,
                    m.reason,
                )
            )
        return out
