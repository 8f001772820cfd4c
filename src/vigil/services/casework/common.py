"""What every case-work record shares: the custody/audit entry of a create or update,
reference checks, and the error for a duplicate reference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.errors import UserError
from vigil.services import access, audit
from vigil.services.workspace import Workspace


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
    access.require_act(session, ws, "write", case_ref)
    audit.record(
        session,
        ws.actor,
        action,
        audit.Subject(object_type, object_id, case_ref),
        details=details,
        now=ws.now(),
    )


def check_ref(ref: str, what: str) -> str:
    ref = ref.strip()
    if not ref or any(c.isspace() for c in ref) or "/" in ref:
        raise UserError(f"bad {what} reference {ref!r}", hint="use letters, digits and dashes")
    return ref


def unique_or_error(exc: SAIntegrityError, what: str, ref: str) -> UserError:
    return UserError(f"{what} {ref!r} already exists", hint="choose another reference")
