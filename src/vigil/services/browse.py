"""Paged lists for the web and the API: a case's exhibits, the audit log, users, and a user's
case memberships. Each takes the signed-in person and a :class:`~vigil.services.listing.ListQuery`
and checks access itself; the SQL pages, sorts (on named columns only) and searches.

Who may list what:

- a case's exhibits: members whose role reads the case (the view is logged, like the case page);
- the audit log: administrators and auditors, all of it; a role that audits the cases it is on
  (supervisors) the entries of those cases only, never entries naming no case or other cases;
- users and memberships: administrators.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from vigil.db.tables.access import CaseMember, Credential, User
from vigil.db.tables.cases import Case
from vigil.db.tables.evidence import Blob, CustodyEntry, Exhibit
from vigil.errors import AccessDenied, UserError
from vigil.services.access import (
    Principal,
    get_user,
    record_view,
    require_case,
    require_global,
    role_allows,
    stated_purpose,
)
from vigil.services.audit import AuditEntry
from vigil.services.cases import ExhibitRow
from vigil.services.listing import LIKE_ESCAPE, ListQuery, Page, Sorts, like_pattern, order_by
from vigil.services.workspace import Workspace

# --- a case's exhibits -------------------------------------------------------------------------

EXHIBIT_SORTS = Sorts(
    {"ref": ("reference", "asc"), "registered": ("registered", "desc"),
     "name": ("original name", "asc"), "type": ("type", "asc"), "size": ("size", "desc")},
    default="ref",
)  # fmt: skip
_EXHIBIT_COLUMNS = {
    "ref": (Exhibit.initials, Exhibit.seq), "registered": (Exhibit.registered_at,),
    "name": (Exhibit.original_name,), "type": (Exhibit.mime_type,), "size": (Exhibit.size,),
}  # fmt: skip


def exhibit_rows(s: Session, stmt: Select[Any]) -> list[ExhibitRow]:
    """The exhibits ``stmt`` selects, with their hashes and parents (one query)."""
    parent = aliased(Exhibit)
    rows = s.execute(
        stmt.add_columns(Blob.sha1, Blob.md5, parent.ref)
        .join(Blob, Blob.sha256 == Exhibit.blob_sha256)
        .outerjoin(parent, parent.id == Exhibit.parent_exhibit_id)
    ).all()
    return [
        ExhibitRow(e.ref, e.original_name, e.mime_type, e.size, e.blob_sha256, e.registered_at,
                   parent_ref, sha1, md5)
        for e, sha1, md5, parent_ref in rows
    ]  # fmt: skip


def case_exhibits_page(
    ws: Workspace, user: Principal, case_ref: str, query: ListQuery | None = None
) -> Page[ExhibitRow]:
    """A page of a case's exhibits (hashes and names, no content), searched by reference,
    name, type or SHA-256; the view is logged with the purpose stated for the case, if any."""
    query = query or ListQuery.parse(EXHIBIT_SORTS)
    with ws.sessions() as s:
        case = require_case(s, user, case_ref, "read")
        purpose = stated_purpose(s, user, case.id, ws.now())
        where: list[Any] = [Exhibit.case_id == case.id]
        if query.like:
            where.append(or_(Exhibit.ref.ilike(query.like, escape=LIKE_ESCAPE),
                             Exhibit.original_name.ilike(query.like, escape=LIKE_ESCAPE),
                             Exhibit.mime_type.ilike(query.like, escape=LIKE_ESCAPE),
                             Exhibit.blob_sha256.like(query.q.lower() + "%")))  # fmt: skip
        total = int(s.execute(select(func.count()).where(*where)).scalar_one())
        items = exhibit_rows(
            s,
            select(Exhibit)
            .where(*where)
            .order_by(*order_by(query, _EXHIBIT_COLUMNS, Exhibit.id))
            .offset(query.offset)
            .limit(query.limit),
        )
    with ws.transaction() as s:
        record_view(
            s, user, case_ref, object_type="case", object_id=case_ref, purpose=purpose,
            details={"page": "exhibits", "listed": len(items), "offset": query.offset,
                     "sort": f"{query.sort} {query.order}", "q": query.q or None},
            now=ws.now(),
        )  # fmt: skip
    return Page.of(items, total, query)


# --- the audit log -----------------------------------------------------------------------------

AUDIT_SORTS = Sorts(
    {"when": ("time", "desc"), "who": ("who", "asc"), "action": ("action", "asc"),
     "case": ("case", "asc")},
    default="when",
)  # fmt: skip
_AUDIT_COLUMNS = {
    "when": (CustodyEntry.seq,), "who": (CustodyEntry.actor, CustodyEntry.seq),
    "action": (CustodyEntry.action, CustodyEntry.seq),
    "case": (CustodyEntry.case_ref, CustodyEntry.seq),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What the audit log is narrowed to, besides the search text (all optional)."""

    case: str | None = None
    actor: str | None = None
    action: str | None = None
    object_id: str | None = None
    date_from: date | None = None
    """The first day (UTC) of the range, inclusive."""
    date_to: date | None = None
    """The last day (UTC) of the range, inclusive."""
    before: int | None = None
    """Only entries before this sequence number (to continue from ``next_before``)."""


@dataclass(slots=True)
class AuditList:
    """A page of the audit log (the fields of :class:`~vigil.services.listing.Page`, with the
    rows as ``entries``), what it was narrowed to, and whose cases it covers."""

    entries: list[AuditEntry]
    total: int
    offset: int
    limit: int
    sort: str
    order: str
    q: str
    next_before: int | None
    """The sequence number to pass as ``before`` for the next (older) page, newest first."""
    scope: Literal["all", "my cases"]
    """``all`` for administrators and auditors; ``my cases`` for a role that audits only the
    cases it is a member of."""
    case: str | None = None
    actor: str | None = None
    action: str | None = None
    object_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _audit_scope(s: Session, user: Principal, case: str | None) -> Any | None:
    """None when ``user`` may search the whole log; else a subquery of the references of the
    cases whose entries they may see (AccessDenied when there can be none, or ``case`` is not
    one of them)."""
    if user.may("audit"):
        return None
    if not role_allows(user.role, "audit"):
        raise AccessDenied(
            f"the {user.role_label} role may not see the audit log",
            hint="administrators, auditors and supervisors (for their cases) may",
        )
    if case:
        require_case(s, user, case, "audit")
    return (
        select(Case.ref)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == user.user_id)
    )


def _mentions_case(case: str) -> Any:
    """Entries filed under no single case whose details name ``case`` (a dashboard view that
    listed several cases names each in ``details.cases``)."""
    quoted = like_pattern(json.dumps(case, ensure_ascii=False))
    return and_(
        CustodyEntry.case_ref.is_(None),
        CustodyEntry.object_type == "triage",
        CustodyEntry.details.like(quoted, escape=LIKE_ESCAPE),
    )


def audit_page(
    ws: Workspace,
    user: Principal,
    query: ListQuery | None = None,
    filters: AuditFilters | None = None,
) -> AuditList:
    """A page of the audit log, newest first unless ``query`` sorts otherwise, searched in
    purposes, details and object references, narrowed by ``filters``."""
    query = query or ListQuery.parse(AUDIT_SORTS)
    f = filters or AuditFilters()
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise UserError("the date range ends before it starts", hint="swap from and to")
    with ws.sessions() as s:
        scope = _audit_scope(s, user, f.case)
        where: list[Any] = []
        if scope is not None:
            where.append(CustodyEntry.case_ref.in_(scope))
        if f.case:
            here = CustodyEntry.case_ref == f.case
            where.append(here if scope is not None else or_(here, _mentions_case(f.case)))
        for col, value in ((CustodyEntry.actor, f.actor), (CustodyEntry.action, f.action),
                           (CustodyEntry.object_id, f.object_id)):  # fmt: skip
            if value:
                where.append(col == value)
        if f.date_from:
            where.append(CustodyEntry.recorded_at >= f.date_from.isoformat())
        if f.date_to:
            where.append(CustodyEntry.recorded_at < (f.date_to + timedelta(days=1)).isoformat())
        if f.before is not None:
            where.append(CustodyEntry.seq < f.before)
        if query.like:
            where.append(or_(*(c.ilike(query.like, escape=LIKE_ESCAPE) for c in (
                CustodyEntry.purpose, CustodyEntry.details, CustodyEntry.object_id))))  # fmt: skip
        total = int(
            s.execute(select(func.count()).select_from(CustodyEntry).where(*where)).scalar_one()
        )
        rows = list(
            s.execute(
                select(CustodyEntry)
                .where(*where)
                .order_by(*order_by(query, _AUDIT_COLUMNS, CustodyEntry.seq))
                .offset(query.offset)
                .limit(query.limit)
            ).scalars()
        )
    entries = [
        AuditEntry(r.seq, r.recorded_at, r.actor, r.action, r.object_type, r.object_id,
                   r.case_ref, r.purpose, json.loads(r.details), r.entry_hash)
        for r in rows
    ]  # fmt: skip
    newest_first = query.sort == "when" and query.descending
    more = query.offset + len(entries) < total
    return AuditList(
        entries, total, query.offset, query.limit, query.sort, query.order, query.q,
        entries[-1].seq if newest_first and more and entries else None,
        "all" if scope is None else "my cases",
        f.case, f.actor, f.action, f.object_id, f.date_from, f.date_to,
    )  # fmt: skip


# --- users and memberships (administrators) -----------------------------------------------------

USER_SORTS = Sorts(
    {"username": ("username", "asc"), "name": ("name", "asc"), "role": ("role", "asc"),
     "created": ("created", "desc"), "cases": ("cases", "desc")},
    default="username",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UserRow:
    """An account as the list of users shows it (the number of its cases, not their names)."""

    username: str
    display_name: str | None
    role: str
    created_at: datetime
    has_password: bool
    totp_enrolled: bool
    disabled: bool
    locked_until: datetime | None
    cases: int


def users_page(ws: Workspace, user: Principal, query: ListQuery | None = None) -> Page[UserRow]:
    """A page of the accounts, searched by username, name or role (administrators)."""
    from vigil.services.users import lock_end

    require_global(user, "admin")
    query = query or ListQuery.parse(USER_SORTS)
    n_cases = (
        select(func.count())
        .where(CaseMember.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
        .label("n_cases")
    )
    where: list[Any] = []
    if query.like:
        where.append(or_(*(c.ilike(query.like, escape=LIKE_ESCAPE)
                           for c in (User.username, User.display_name, User.role))))  # fmt: skip
    columns: dict[str, Sequence[Any]] = {"username": [User.username], "name": [User.display_name], "role": [User.role],
               "created": [User.created_at], "cases": [n_cases]}  # fmt: skip
    now = ws.now()
    with ws.sessions() as s:
        total = int(s.execute(select(func.count()).select_from(User).where(*where)).scalar_one())
        found = s.execute(
            select(User, Credential, n_cases)
            .outerjoin(Credential, Credential.user_id == User.id)
            .where(*where)
            .order_by(*order_by(query, columns, User.id))
            .offset(query.offset)
            .limit(query.limit)
        ).all()
        items = [
            UserRow(u.username, u.display_name, u.role, u.created_at,
                    bool(c and c.password_hash), bool(c and c.totp_enrolled_at),
                    bool(c and c.disabled), lock_end(s, u.username, now), n)
            for u, c, n in found
        ]  # fmt: skip
    return Page.of(items, total, query)


MEMBERSHIP_SORTS = Sorts(
    {"ref": ("case reference", "asc"), "title": ("title", "asc"),
     "member": ("member first", "desc"), "added": ("added", "desc")},
    default="ref",
)  # fmt: skip
Member = Literal["yes", "no", ""]


@dataclass(frozen=True, slots=True)
class Membership:
    """A case and whether the user is on it (and since when)."""

    ref: str
    title: str
    unit: str | None
    member: bool
    added_at: datetime | None


def memberships_page(
    ws: Workspace,
    user: Principal,
    username: str,
    query: ListQuery | None = None,
    member: Member = "",
) -> Page[Membership]:
    """A page of every case with whether ``username`` is on it, searched by reference, title
    or unit, optionally only the cases they are on (``member="yes"``) or not (``"no"``);
    for administrators granting need to know."""
    require_global(user, "admin")
    query = query or ListQuery.parse(MEMBERSHIP_SORTS)
    with ws.sessions() as s:
        target = get_user(s, username)
        on = and_(CaseMember.case_id == Case.id, CaseMember.user_id == target.id)
        where: list[Any] = []
        if member == "yes":
            where.append(CaseMember.user_id.is_not(None))
        elif member == "no":
            where.append(CaseMember.user_id.is_(None))
        if query.like:
            where.append(or_(*(c.ilike(query.like, escape=LIKE_ESCAPE)
                               for c in (Case.ref, Case.title, Case.unit))))  # fmt: skip
        is_member = CaseMember.user_id.is_not(None)
        columns: dict[str, Sequence[Any]] = {"ref": [Case.ref], "title": [Case.title],
                   "member": [func.coalesce(CaseMember.user_id * 0 + 1, 0)],
                   "added": [CaseMember.added_at]}  # fmt: skip
        base = select(Case.id).outerjoin(CaseMember, on).where(*where)
        total = int(s.execute(select(func.count()).select_from(base.subquery())).scalar_one())
        found = s.execute(
            select(Case.ref, Case.title, Case.unit, is_member, CaseMember.added_at)
            .outerjoin(CaseMember, on)
            .where(*where)
            .order_by(*order_by(query, columns, Case.id))
            .offset(query.offset)
            .limit(query.limit)
        ).all()
    items = [Membership(ref, title, unit, bool(m), added) for ref, title, unit, m, added in found]
    return Page.of(items, total, query, member=member or None)
