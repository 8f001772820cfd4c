"""Hash lists: importing them (with source, version, date and deletions) and matching against them.

Import reads the file with the pure importer for its format (``vigil.media.hashsets``), stores
live entries and the file's deletions, and marks earlier entries of lists with the same name
as deleted when the new file deletes them (never a hard delete). Matching rebuilds the
in-memory indexes (exact dict, faiss PDQ index, vPDQ index) from every live entry and stores
one row per match, or one ``cannot be scored`` row when the query's quality is too low.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from vigil import tool_version
from vigil.db.tables.media import HashListEntry, HashListRow, MediaItem, MediaMatch
from vigil.errors import ParseError, UserError
from vigil.evidence import custody
from vigil.media.categories import Category
from vigil.media.hashers.crypto import CryptoHashes
from vigil.media.hashers.pdq import PdqHash, PdqResult, Preparation
from vigil.media.hashers.vpdq import parse_vpdq_text
from vigil.media.hashsets import IMPORTERS, HashList, HashRecord, HashValue
from vigil.media.index import ExactIndex, PdqIndex
from vigil.media.matching import DEFAULT_THRESHOLD, ListRef, Lookup
from vigil.media.vpdq_index import VpdqIndex
from vigil.services import access, audit
from vigil.services.workspace import Workspace

FORMATS: tuple[str, ...] = tuple(IMPORTERS)
HASH_COLUMNS: tuple[str, ...] = ("md5", "sha1", "sha256", "pdq", "vpdq")
LOCATION_KEY = re.compile(r"^(line \d+|item \d+|value\[)")
"""Record keys that importers make from a location in the file (not an id): never matched
across files, or line 3 of one file would delete line 3 of another."""


@dataclass(frozen=True, slots=True)
class ListInfo:
    """An imported list as shown to the user."""

    id: int
    name: str
    source: str
    version: str | None
    format: str
    scheme: str
    imported_at: datetime
    imported_by: str
    entries: int
    deleted: int
    issues: int
    pdq_threshold: int
    file_sha256: str


def _info(row: HashListRow) -> ListInfo:
    return ListInfo(
        row.id,
        row.name,
        row.source,
        row.version,
        row.format,
        row.scheme,
        row.imported_at,
        row.imported_by,
        row.entry_count,
        row.deleted_count,
        row.issue_count,
        row.pdq_threshold,
        row.file_sha256,
    )


def _entry(list_id: int, rec: HashRecord, deleted: bool) -> HashListEntry:
    cat = rec.category
    values = {c: rec.get(c) for c in HASH_COLUMNS}
    return HashListEntry(
        list_id=list_id,
        media_id=rec.key,
        category_scheme=cat.scheme if cat else None,
        category_code=cat.code if cat else None,
        category_label=cat.label if cat else None,
        deleted=deleted,
        deleted_by_list_id=list_id if deleted else None,
        **values,
    )


def import_list(
    ws: Workspace,
    path: Path,
    *,
    name: str,
    fmt: str,
    source: str | None = None,
    version: str | None = None,
    pdq_threshold: int = DEFAULT_THRESHOLD,
    scheme: str = "projectvic-us",
) -> tuple[ListInfo, tuple[str, ...]]:
    """Import a hash-list file; returns the stored list and the importer's issues (location: what)."""
    if fmt not in IMPORTERS:
        raise UserError(f"unknown hash-list format {fmt!r}", hint="use " + "|".join(FORMATS))
    if not 0 <= pdq_threshold <= 128:
        raise UserError("the PDQ threshold must be between 0 and 128 bits")
    if not name.strip():
        raise UserError("a hash list needs a name")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from exc
    label = source or path.name
    if fmt == "plain":
        parsed: HashList = IMPORTERS[fmt](data, label)
    else:
        parsed = IMPORTERS[fmt](data, label, scheme=scheme)
    now = ws.now()
    with ws.transaction() as session:
        custody.lock(session)
        access.require_act(session, ws, "write")  # a list changes what every case matches
        row = HashListRow(
            name=name.strip(),
            source=label,
            version=version or parsed.version,
            format=fmt,
            scheme=scheme,
            file_sha256=hashlib.sha256(data).hexdigest(),
            imported_at=now,
            imported_by=ws.actor,
            entry_count=len(parsed.entries),
            deleted_count=0,
            issue_count=len(parsed.issues),
            pdq_threshold=pdq_threshold,
            details=json.dumps(
                {"metadata": dict(parsed.metadata), "file": path.name}, sort_keys=True
            ),
        )
        session.add(row)
        session.flush()
        session.add_all(_entry(row.id, r, False) for r in parsed.entries)
        session.add_all(_entry(row.id, r, True) for r in parsed.deletions)
        row.deleted_count = len(parsed.deletions) + _apply_deletions(session, row, parsed)
        audit.record(
            session,
            ws.actor,
            "create",
            audit.Subject("hash_list", str(row.id)),
            details={
                "name": row.name,
                "source": label,
                "format": fmt,
                "version": row.version,
                "sha256": row.file_sha256,
                "entries": row.entry_count,
                "deletions": row.deleted_count,
                "issues": row.issue_count,
                "pdq_threshold": pdq_threshold,
            },
            now=now,
        )
        info = _info(row)
    return info, tuple(f"{i.location}: {i.message}" for i in parsed.issues)


def _apply_deletions(session: Session, row: HashListRow, parsed: HashList) -> int:
    """Mark earlier live entries of same-named lists deleted by this file; returns how many."""
    earlier = select(HashListRow.id).where(HashListRow.name == row.name, HashListRow.id != row.id)
    marked = 0
    for rec in parsed.deletions:
        conds = [] if LOCATION_KEY.match(rec.key) else [HashListEntry.media_id == rec.key]
        for h in rec.hashes:
            if h.algorithm in ("md5", "sha1", "sha256", "pdq"):
                conds.append(getattr(HashListEntry, h.algorithm) == h.value)
        if not conds:
            continue
        res = session.execute(
            update(HashListEntry)
            .where(
                HashListEntry.list_id.in_(earlier),
                HashListEntry.deleted.is_(False),
                or_(*conds),
            )
            .values(deleted=True, deleted_by_list_id=row.id)
        )
        marked += int(getattr(res, "rowcount", 0) or 0)
    return marked


def list_lists(ws: Workspace) -> list[ListInfo]:
    """Every imported list, oldest first."""
    with ws.sessions() as s:
        return [_info(r) for r in s.execute(select(HashListRow).order_by(HashListRow.id)).scalars()]


# --- matching ------------------------------------------------------------------------------


@dataclass
class Indexes:
    """In-memory indexes over every live list entry, and the entries by id."""

    exact: ExactIndex
    pdq: PdqIndex
    vpdq: VpdqIndex
    entries: dict[int, HashListEntry]
    lists: dict[int, HashListRow]


def _category(e: HashListEntry) -> Category | None:
    if e.category_scheme is None or e.category_code is None:
        return None
    return Category(e.category_scheme, e.category_code, e.category_label or "")


def build_indexes(session: Session) -> Indexes:
    """Indexes over the live (non-deleted) entries of every list; record keys are entry ids."""
    lists = {r.id: r for r in session.execute(select(HashListRow)).scalars()}
    by_list: dict[int, list[HashListEntry]] = {i: [] for i in lists}
    entries: dict[int, HashListEntry] = {}
    for e in session.execute(
        select(HashListEntry).where(HashListEntry.deleted.is_(False)).order_by(HashListEntry.id)
    ).scalars():
        by_list[e.list_id].append(e)
        entries[e.id] = e
    exact, pdq, vpdq = ExactIndex(), PdqIndex(), VpdqIndex()
    for list_id, rows in by_list.items():
        lst = lists[list_id]
        ref = ListRef(str(list_id), lst.name, lst.pdq_threshold)
        records = tuple(
            HashRecord(
                str(e.id),
                tuple(
                    HashValue(alg, v)
                    for alg in ("md5", "sha1", "sha256", "pdq")
                    if (v := getattr(e, alg)) is not None
                ),
                _category(e),
            )
            for e in rows
        )
        hl = HashList(lst.source, lst.format, lst.version, records)
        exact.add_list(hl, ref)
        pdq.add_list(hl, ref)
        for e in rows:
            if e.vpdq:
                try:
                    frames = parse_vpdq_text(e.vpdq.replace(";", "\n"), lst.name)
                except ParseError:
                    continue  # an unreadable listed video cannot match; its entry stays listed
                vpdq.add_video(frames, ref, str(e.id), _category(e))
    return Indexes(exact, pdq, vpdq, entries, lists)


def _pdq_query(item: MediaItem) -> PdqHash | PdqResult:
    assert item.pdq is not None and item.pdq_quality is not None
    base = PdqHash(item.pdq, item.pdq_quality)
    if not item.pdq_dihedral or not item.preparation:
        return base
    variants = tuple(PdqHash(h, item.pdq_quality) for h in json.loads(item.pdq_dihedral))
    return PdqResult(base, Preparation(**json.loads(item.preparation)), variants)


def _row(
    item: MediaItem, now: datetime, status: str, method: str, algorithm: str, **kw: object
) -> MediaMatch:
    return MediaMatch(
        media_item_id=item.id,
        status=status,
        method=method,
        algorithm=algorithm,
        matched_at=now,
        tool_version=tool_version(),
        **kw,
    )


def _lookup_rows(item: MediaItem, look: Lookup, method: str, now: datetime) -> list[MediaMatch]:
    if look.status == "cannot be scored":
        return [
            _row(
                item,
                now,
                "cannot be scored",
                method,
                look.algorithm,
                quality=look.quality,
                reason=look.reason,
            )
        ]
    out: list[MediaMatch] = []
    for m in look.matches:
        cat = m.category
        out.append(
            _row(
                item,
                now,
                "match",
                method,
                m.algorithm,
                list_id=int(m.list_id),
                entry_id=int(m.record_key),
                distance=m.distance,
                quality=m.quality,
                threshold=m.threshold,
                variant=m.variant,
                category_scheme=cat.scheme if cat else None,
                category_code=cat.code if cat else None,
                category_label=cat.label if cat else None,
                reason=m.reason,
            )
        )
    return out


def match_items(session: Session, items: Sequence[MediaItem], now: datetime) -> list[MediaMatch]:
    """Replace the match rows of ``items`` with fresh look-ups against every live list entry."""
    ids = [i.id for i in items]
    if ids:
        session.query(MediaMatch).filter(MediaMatch.media_item_id.in_(ids)).delete(
            synchronize_session=False
        )
    ix = build_indexes(session)
    rows: list[MediaMatch] = []
    images = [i for i in items if i.status == "hashed" and i.pdq is not None]
    pdq_looks = ix.pdq.lookup_many([_pdq_query(i) for i in images]) if images else []
    for item, look in zip(images, pdq_looks, strict=True):
        rows.extend(_lookup_rows(item, look, "pdq", now))
    for item in items:
        crypto = CryptoHashes(item.md5, item.sha1, item.sha256, 0)
        rows.extend(_lookup_rows(item, ix.exact.lookup(crypto), "exact", now))
        if item.status == "hashed" and item.vpdq is not None:
            vl = ix.vpdq.lookup(parse_vpdq_text(item.vpdq, f"media item {item.id}"))
            if vl.status == "cannot be scored":
                rows.append(
                    _row(
                        item,
                        now,
                        "cannot be scored",
                        "vpdq",
                        "vpdq",
                        quality=vl.quality,
                        reason=vl.reason,
                    )
                )
            for vm in vl.matches:
                cat = vm.category
                rows.append(
                    _row(
                        item,
                        now,
                        "match",
                        "vpdq",
                        "vpdq",
                        list_id=int(vm.list_id),
                        entry_id=int(vm.record_key),
                        distance=vm.distance,
                        quality=vm.quality,
                        threshold=vm.threshold,
                        category_scheme=cat.scheme if cat else None,
                        category_code=cat.code if cat else None,
                        category_label=cat.label if cat else None,
                        reason=vm.reason,
                    )
                )
    session.add_all(rows)
    session.flush()
    return rows
