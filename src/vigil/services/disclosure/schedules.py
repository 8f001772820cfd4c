"""Schedule revisions: generate one, write it in a format, mark it served, list them with
the "revised schedule needed" flag.

Generating needs the ``disclose`` role: the rows are built from the items' current statuses
(:func:`vigil.disclosure.schedule.rows_for`); when they are the same as the kind's latest
revision that revision is used again, otherwise a new one is stored (numbered per case) with
its rows as JSON, their SHA-256, and the keys of every item known then, and recorded in the
custody log (``create``). Writing a revision to a file or a download is an ``export`` entry
(the file's SHA-256 with it), for any member who may read the case; files are written to a
temporary name and renamed, so no half-written schedule is left. Marking a revision served
(the date and to whom) is an ``update`` entry, once per revision.

A kind needs a revised schedule when its latest served revision no longer matches: see
:mod:`vigil.disclosure.revision`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vigil.db.tables.access import User
from vigil.db.tables.cases import Case
from vigil.db.tables.disclosure import DisclosureRevision
from vigil.disclosure import mg6e
from vigil.disclosure.revision import Changes, compare
from vigil.disclosure.schedule import (
    Item,
    ScheduleDoc,
    content_sha256,
    row_dicts,
    rows_for,
    rows_from_json,
    rows_json,
    stored_rows,
)
from vigil.disclosure.status import KIND_TITLES, KINDS, check_kind
from vigil.disclosure.writers import check_format, writer
from vigil.errors import NotFound, UserError
from vigil.services import access, audit
from vigil.services.cases import get_case
from vigil.services.disclosure.items import case_items, clean
from vigil.services.workspace import Workspace

SERVED_TO_MAX = 300


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    """One stored revision."""

    number: int
    kind: str
    title: str
    rows: int
    generated_at: datetime
    generated_by: str
    content_sha256: str
    served_on: date | None
    served_to: str | None
    served_by: str | None


@dataclass(frozen=True, slots=True)
class KindState:
    """A schedule kind of a case: its latest and latest served revisions, and whether a
    revised schedule is needed (the changes since the latest served one)."""

    kind: str
    title: str
    rows_now: int
    latest: int | None
    latest_served: int | None
    up_to_date: bool
    """The latest revision's rows are the rows the schedule would have now."""
    revision_needed: bool
    changes: Changes


@dataclass(frozen=True, slots=True)
class Written:
    revision: RevisionInfo
    new: bool
    fmt: str
    sha256: str
    size: int


def _name(s: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    u = s.get(User, user_id)
    return (u.display_name or u.username) if u is not None else None


def _info(s: Session, r: DisclosureRevision) -> RevisionInfo:
    return RevisionInfo(r.number, r.kind, KIND_TITLES[r.kind], r.row_count, r.generated_at,
                        _name(s, r.generated_by_id) or "?", r.content_sha256, r.served_on,
                        r.served_to, _name(s, r.served_by_id))  # fmt: skip


def _revisions(s: Session, case: Case, kind: str | None = None) -> list[DisclosureRevision]:
    q = select(DisclosureRevision).where(DisclosureRevision.case_id == case.id)
    if kind is not None:
        q = q.where(DisclosureRevision.kind == kind)
    return list(s.execute(q.order_by(DisclosureRevision.number)).scalars())


def _revision(s: Session, case: Case, number: int) -> DisclosureRevision:
    r = s.execute(
        select(DisclosureRevision).where(
            DisclosureRevision.case_id == case.id, DisclosureRevision.number == number
        )
    ).scalar_one_or_none()
    if r is None:
        raise NotFound(f"no schedule revision {number} in case {case.ref}",
                       hint=f"see `vigil disclosure revisions --case {case.ref}`")  # fmt: skip
    return r


def _certification(s: Session, case: Case, user: access.Principal, now: datetime) -> str:
    return mg6e.certification(case.ref, _name(s, user.user_id) or user.username,
                              now.strftime("%Y-%m-%d"))  # fmt: skip


def generate(ws: Workspace, case_ref: str, kind: str) -> tuple[RevisionInfo, bool]:
    """The revision of schedule ``kind`` as it stands now: the latest one if its rows are
    the same, else a new one. Returns it and whether it is new."""
    kind = check_kind(kind)
    now = ws.now()
    with ws.transaction() as s:
        user = access.require_act(s, ws, "disclose", case_ref)
        case = get_case(s, case_ref)
        items = case_items(s, case)
        rows = rows_for(kind, items)
        cert = _certification(s, case, user, now) if kind == "mg6e" else None
        previous = _revisions(s, case, kind)
        if previous and stored_rows(previous[-1].rows_json) == row_dicts(rows):
            return _info(s, previous[-1]), False
        canonical = rows_json(rows, cert)
        digest = content_sha256(canonical)
        number = (s.execute(select(func.max(DisclosureRevision.number))
                            .where(DisclosureRevision.case_id == case.id)).scalar_one()
                  or 0) + 1  # fmt: skip
        entry = audit.record(
            s, user, "create", audit.Subject("disclosure_schedule", f"{kind}:{number}", case.ref),
            details={"kind": kind, "revision": number, "rows": len(rows),
                     "content_sha256": digest}, now=now,
        )  # fmt: skip
        rev = DisclosureRevision(
            case_id=case.id, kind=kind, number=number, generated_at=now,
            generated_by_id=user.user_id, content_sha256=digest, row_count=len(rows),
            rows_json=canonical,
            item_keys_json=json.dumps(sorted(i.key for i in items)), custody_seq=entry.seq,
        )  # fmt: skip
        s.add(rev)
        s.flush()
        return _info(s, rev), True


def _doc(
    s: Session, case: Case, r: DisclosureRevision, audience: str | None = None
) -> tuple[ScheduleDoc, int]:
    """The revision ready for a writer, and how many redaction markers it holds: with an
    ``audience``, each row's description and location go through the case's standing
    redactions for it (case-wide phrases and, for the defence, persona identities; see
    docs/redaction.md). The stored revision never changes."""
    rows, cert = rows_from_json(r.rows_json)
    notes: tuple[str, ...] = tuple(mg6e.notes(rows)) if r.kind == "mg6e" else ()
    marks = 0
    if audience is not None:
        from vigil.services.redaction.text import redactor

        red = redactor(s, case.id, case.ref, audience)
        shown = []
        for row in rows:
            desc, loc = red.free(row.description), red.free(row.location)
            marks += len(desc.applied) + len(loc.applied)
            shown.append(replace(row, description=desc.text, location=loc.text))
        rows = shown
        notes = (*notes, f"Redacted for the {audience}: {marks} redaction(s) in this copy; the "
                 "unredacted schedule is held and can be produced on order.")  # fmt: skip
    doc = ScheduleDoc(
        case.ref, clean(case.title), r.kind, r.number,
        r.generated_at.strftime("%Y-%m-%d %H:%M UTC"), clean(_name(s, r.generated_by_id) or "?"),
        rows, cert, notes,
    )  # fmt: skip
    return doc, marks


def render(
    ws: Workspace, case_ref: str, number: int, fmt: str, audience: str | None = None
) -> tuple[RevisionInfo, bytes]:
    """Revision ``number`` of ``case_ref`` written as ``fmt`` (bytes), recorded as an export.
    Any member who may read the case may have it; with ``audience`` (``defence`` or ``cps``)
    the copy is redacted for it (see :func:`_doc`)."""
    fmt = check_format(fmt)
    now = ws.now()
    with ws.transaction() as s:
        user = access.require_act(s, ws, "read", case_ref)
        case = get_case(s, case_ref)
        r = _revision(s, case, number)
        doc, marks = _doc(s, case, r, audience)
        buf = io.BytesIO()
        writer(fmt)(doc, buf)
        data = buf.getvalue()
        details: dict[str, object] = {
            "format": fmt, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "content_sha256": r.content_sha256,
        }  # fmt: skip
        if audience is not None:
            details |= {"redacted_for": audience, "redactions": marks}
        audit.record(
            s, user, "export", audit.Subject("disclosure_schedule", f"{r.kind}:{r.number}",
                                             case.ref),
            details=details, now=now,
        )  # fmt: skip
        return _info(s, r), data


def write_schedule(
    ws: Workspace, case_ref: str, kind: str, fmt: str, out: Path, audience: str | None = None
) -> Written:
    """Generate (or reuse) the ``kind`` revision and write it to ``out`` as ``fmt``
    (atomically: a temporary file beside it, renamed); redacted for ``audience`` if given."""
    fmt = check_format(fmt)
    if out.is_dir():
        raise UserError(f"{out} is a folder", hint="give a file name, e.g. mg6c.pdf")
    if not out.parent.is_dir():
        raise UserError(f"no folder {out.parent} for {out.name}")
    info, new = generate(ws, case_ref, kind)
    _, data = render(ws, case_ref, info.number, fmt, audience)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Written(info, new, fmt, hashlib.sha256(data).hexdigest(), len(data))


def mark_served(
    ws: Workspace, case_ref: str, number: int, to: str, on: date | None = None
) -> RevisionInfo:
    """Record that revision ``number`` was served on ``on`` (default today) to ``to``."""
    who = clean(to)
    if len(who) < 2 or len(who) > SERVED_TO_MAX:
        raise UserError("say to whom it was served", hint="e.g. 'CPS Area North, J. Smith'")
    now = ws.now()
    on = on or now.date()
    if on > now.date():
        raise UserError(f"{on.isoformat()} is in the future")
    with ws.transaction() as s:
        user = access.require_act(s, ws, "disclose", case_ref)
        case = get_case(s, case_ref)
        r = _revision(s, case, number)
        if r.served_on is not None:
            raise UserError(f"revision {number} was served on {r.served_on.isoformat()} "
                            f"to {r.served_to}", hint="generate a revised schedule")  # fmt: skip
        if on < r.generated_at.date():
            raise UserError(f"revision {number} was generated after {on.isoformat()}")
        r.served_on, r.served_to, r.served_by_id, r.served_at = on, who, user.user_id, now
        audit.record(
            s, user, "update", audit.Subject("disclosure_schedule", f"{r.kind}:{r.number}",
                                             case.ref),
            details={"served_on": on, "served_to": who, "content_sha256": r.content_sha256},
            now=now,
        )  # fmt: skip
        s.flush()
        return _info(s, r)


def _state(kind: str, items: list[Item], revs: list[DisclosureRevision]) -> KindState:
    rows = rows_for(kind, items)
    latest = revs[-1] if revs else None
    served = [r for r in revs if r.served_on is not None]
    last_served = served[-1] if served else None
    up_to_date = latest is not None and stored_rows(latest.rows_json) == row_dicts(rows)
    changes = Changes()
    if last_served is not None:
        undecided = [i.key for i in items if i.status is None]
        changes = compare(rows_from_json(last_served.rows_json)[0],
                          json.loads(last_served.item_keys_json), rows, undecided)  # fmt: skip
    return KindState(kind, KIND_TITLES[kind], len(rows), latest.number if latest else None,
                     last_served.number if last_served else None, up_to_date,
                     changes.needed, changes)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Overview:
    """A case's disclosure at a glance: every item, each schedule's state, the revisions."""

    case_ref: str
    case_title: str
    items: list[Item]
    kinds: list[KindState]
    revisions: list[RevisionInfo]
    may_disclose: bool

    @property
    def unscheduled(self) -> list[Item]:
        return [i for i in self.items if i.status is None]


def overview(ws: Workspace, case_ref: str) -> Overview:
    """Every item with its status, the state of each schedule and every revision; for any
    member who may read the case (only the disclosure officer may change them)."""
    with ws.sessions() as s:
        user = access.require_act(s, ws, "read", case_ref)
        case = get_case(s, case_ref)
        items = case_items(s, case)
        revs = _revisions(s, case)
        kinds = [_state(k, items, [r for r in revs if r.kind == k]) for k in KINDS]
        infos = [_info(s, r) for r in reversed(revs)]
        return Overview(case.ref, clean(case.title), items, kinds, infos,
                        access.role_allows(user.role, "disclose"))  # fmt: skip
