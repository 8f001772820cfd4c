"""The one gate to the custody/audit log: every act on the record is written by :func:`record`.

Outside :mod:`vigil.evidence.custody` (which chains and stores the entries) nothing else
appends to the log; a test checks the source tree for it. The CLI and the web call the same
service functions, so the same act writes the same entry through either; the entry's
``details["via"]`` says how a signed-in person came in (``s`` a browser session, ``t`` an API
token), and is absent for the local user of the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from vigil.db.tables.evidence import CustodyEntry
from vigil.evidence import custody


class SignedIn(Protocol):
    """A signed-in person (:class:`vigil.services.access.Principal`)."""

    @property
    def username(self) -> str: ...

    @property
    def session_key(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Subject:
    """What an entry is about: its kind, its reference, and the case it belongs to."""

    type: str
    id: str
    case_ref: str | None = None


def record(
    session: Session,
    actor: str | SignedIn,
    action: str,
    subject: Subject,
    *,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    now: datetime,
) -> CustodyEntry:
    """Append one entry inside the caller's transaction and return it.

    ``actor``: the local user's name (the command line) or the signed-in person (the web).
    Dates in ``details`` are written as ISO text.
    """
    extra = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in (details or {}).items()}
    if not isinstance(actor, str):
        extra = {"via": actor.session_key.split(":", 1)[0], **extra}
        actor = actor.username
    return custody.append(
        session,
        actor=actor,
        action=action,
        object_type=subject.type,
        object_id=subject.id,
        case_ref=subject.case_ref,
        purpose=purpose,
        details=extra,
        now=now,
    )
