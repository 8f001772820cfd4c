"""What every case-work record shares: the custody/audit entry of a create or update,
reference checks, the error for a duplicate reference, and the helpers of the batch entry
points (which apply the same per-record checks and write the same per-record entries as the
single-record functions, in the caller's one transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from vigil.db.tables.cases import Case
from vigil.errors import UserError
from vigil.services import access, audit
from vigil.services.workspace import Workspace

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 500
"""References looked up per query by :func:`fetch_by_ref`."""


@dataclass(frozen=True, slots=True)
class Change:
    """One custody/audit entry of a case-work change (the arguments of :func:`record_change`)."""

    action: str
    object_type: str
    object_id: str
    case_ref: str | None = None
    details: Mapping[str, Any] | None = None


def record_change(
    ws: Workspace,
    session: Session,
    action: str,
    object_type: str,
    object_id: str,
    case_ref: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """The custody/audit entry for a create or update of a case-work record (through
    :func:`vigil.services.audit.record`), once the acting person is found to be allowed to
    write it (:func:`vigil.services.access.require_act`: a member of its case, if it has one,
    whose role may write). Raised inside the caller's transaction, a refusal undoes the change."""
    record_changes(ws, session, [Change(action, object_type, object_id, case_ref, details)])


def record_changes(ws: Workspace, session: Session, changes: Iterable[Change]) -> int:
    """:func:`record_change` for each change in turn: the same check, the same entry, one entry
    per change. Within one call the acting person's right to write is checked once per case
    (the call changes no memberships or roles). Returns the number of entries written."""
    allowed: set[str | None] = set()
    entries: list[tuple[str, audit.Subject, Mapping[str, Any] | None]] = []
    for c in changes:
        if c.case_ref not in allowed:
            access.require_act(session, ws, "write", c.case_ref)
            allowed.add(c.case_ref)
        entries.append((c.action, audit.Subject(c.object_type, c.object_id, c.case_ref), c.details))
    return audit.record_many(session, ws.actor, entries, now=ws.now())


def check_ref(ref: str, what: str) -> str:
    ref = ref.strip()
    if not ref or any(c.isspace() for c in ref) or "/" in ref:
        raise UserError(f"bad {what} reference {ref!r}", hint="use letters, digits and dashes")
    return ref


def unique_or_error(exc: SAIntegrityError, what: str, ref: str) -> UserError:
    return UserError(f"{what} {ref!r} already exists", hint="choose another reference")


# --- batch entry points ----------------------------------------------------------------------

MAX_LISTED = 5


def check_each(records: Sequence[T], check: Callable[[T], R], what: str) -> list[R]:
    """``check`` (a single-record function's own checks) applied to every record; if any is
    refused, a UserError listing the refused records by position (the first few), and nothing
    of the batch is written."""
    out: list[R] = []
    bad: list[str] = []
    for i, rec in enumerate(records, start=1):
        try:
            out.append(check(rec))
        except UserError as exc:
            bad.append(f"{what} {i}: {exc}")
    if bad:
        more = f"; and {len(bad) - MAX_LISTED} more" if len(bad) > MAX_LISTED else ""
        raise UserError(
            f"{len(bad)} of {len(records)} {what} records refused: "
            + "; ".join(bad[:MAX_LISTED])
            + more,
            hint="correct them and send the batch again (nothing of it was written)",
        )
    return out


def check_new_refs(
    session: Session, column: InstrumentedAttribute[str], refs: Sequence[str], what: str
) -> None:
    """The duplicate-reference error of the single-record functions, for the first reference
    of a batch that repeats within it or is already held."""
    seen: set[str] = set()
    for r in refs:
        if r in seen:
            raise UserError(f"{what} {r!r} already exists", hint="choose another reference")
        seen.add(r)
    held = fetch_refs(session, column, refs)
    for r in refs:
        if r in held:
            raise UserError(f"{what} {r!r} already exists", hint="choose another reference")


def fetch_refs(
    session: Session, column: InstrumentedAttribute[str], refs: Iterable[str]
) -> set[str]:
    """Which of ``refs`` are held in ``column``."""
    wanted = sorted(set(refs))
    held: set[str] = set()
    for i in range(0, len(wanted), CHUNK):
        held.update(
            session.execute(select(column).where(column.in_(wanted[i : i + CHUNK]))).scalars()
        )
    return held


def fetch_by_ref(
    session: Session,
    column: InstrumentedAttribute[str],
    refs: Iterable[str | None],
    get: Callable[[Session, str], T],
) -> dict[str, T]:
    """The records a batch names, by reference, in a few queries; a reference that is not held
    raises what ``get`` (the single-record lookup, e.g. ``get_case``) raises for it."""
    wanted = sorted({r for r in refs if r is not None})
    model = column.class_
    found: dict[str, T] = {}
    for i in range(0, len(wanted), CHUNK):
        rows = session.execute(select(model).where(column.in_(wanted[i : i + CHUNK]))).scalars()
        found.update((getattr(row, column.key), row) for row in rows)
    for r in wanted:
        if r not in found:
            found[r] = get(session, r)  # raises NotFound, as the single-record function does
    return found


def case_refs_of(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Case id -> case reference, for the cases of a batch's records."""
    wanted = sorted(set(ids))
    out: dict[int, str] = {}
    for i in range(0, len(wanted), CHUNK):
        stmt = select(Case.id, Case.ref).where(Case.id.in_(wanted[i : i + CHUNK]))
        out.update((cid, ref) for cid, ref in session.execute(stmt).all())
    return out
