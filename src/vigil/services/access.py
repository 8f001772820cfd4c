"""Need to know: roles, case membership, API tokens, stated purposes and the record of views.

Every page and API call that touches a case goes through :func:`require_case` here, so the
browser and the API cannot differ. Membership of the case is needed whatever the role; the role
then limits what a member may do:

================== =====================================================
role               on a case they are a member of
================== =====================================================
administrator      read, write, audit (and, without membership: manage
                   users and memberships, search the whole audit log)
supervisor         read, write, audit, authorise
investigator       read, write
analyst            read, write
disclosure_officer read, disclose
auditor            audit (and, without membership: search the audit log)
================== =====================================================

The audit log holds who looked at what and why, never message or exhibit content, which is
why administrators and auditors may search it across cases.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vigil.db.tables.access import AccessPurpose, ApiToken, CaseMember, Credential, User
from vigil.db.tables.cases import Case
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.services import audit
from vigil.services.workspace import Workspace

Need = Literal["read", "write", "audit", "authorise", "disclose"]
GlobalNeed = Literal["admin", "audit"]

ROLES: tuple[str, ...] = (
    "administrator",
    "supervisor",
    "investigator",
    "analyst",
    "disclosure_officer",
    "auditor",
)
ROLE_LABELS: dict[str, str] = {r: r.replace("_", " ") for r in ROLES}

CASE_NEEDS: dict[str, frozenset[str]] = {
    "administrator": frozenset({"read", "write", "audit"}),
    "supervisor": frozenset({"read", "write", "audit", "authorise"}),
    "investigator": frozenset({"read", "write"}),
    "analyst": frozenset({"read", "write"}),
    "disclosure_officer": frozenset({"read", "disclose"}),
    "auditor": frozenset({"audit"}),
}
GLOBAL_NEEDS: dict[str, frozenset[str]] = {
    "administrator": frozenset({"admin", "audit"}),
    "auditor": frozenset({"audit"}),
}

PURPOSE_HOURS = 12
TOKEN_PREFIX = "vgl_"


class PurposeRequired(UserError):
    """Case content was asked for before a purpose was stated for this case and sign-in."""

    exit_code = 5

    def __init__(self, case_ref: str) -> None:
        super().__init__(
            f"state why you need the material of case {case_ref} first",
            hint="a purpose is asked once per case per sign-in and kept with every view",
        )
        self.case_ref = case_ref


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in person a request acts for; ``session_key`` ties purposes to the sign-in."""

    user_id: int
    username: str
    role: str
    display_name: str | None
    session_key: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def may(self, need: str) -> bool:
        """Whether the role allows a global ``need`` (``admin`` or ``audit``)."""
        return need in GLOBAL_NEEDS.get(self.role, frozenset())


def normalise_role(role: str) -> str:
    r = role.strip().lower().replace(" ", "_").replace("-", "_")
    if r not in ROLES:
        raise UserError(f"unknown role {role!r}", hint="roles: " + ", ".join(ROLES))
    return r


def role_allows(role: str, need: str) -> bool:
    """Whether a member of a case with ``role`` may do ``need`` on it (pure)."""
    return need in CASE_NEEDS.get(role, frozenset())


def as_user(ws: Workspace, username: str) -> Workspace:
    """The same workspace acting as ``username`` (custody entries are attributed to them)."""
    return replace(ws, settings=replace(ws.settings, user=username))


def get_user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user {username!r}", hint="see `vigil user list`")
    return user


def principal_of(user: User, session_key: str) -> Principal:
    return Principal(user.id, user.username, user.role, user.display_name, session_key)


MEMBERS = "vigil.access.members"
"""Key in ``Session.info``: the (case id, user id) memberships this session has found, so a
transaction that checks thousands of records asks once per case (:func:`forget_memberships`
when one is removed)."""


def is_member(session: Session, user_id: int, case_id: int) -> bool:
    known: set[tuple[int, int]] = session.info.setdefault(MEMBERS, set())
    if (case_id, user_id) in known:
        return True
    if session.get(CaseMember, (case_id, user_id)) is None:
        return False
    known.add((case_id, user_id))
    return True


def forget_memberships(session: Session) -> None:
    """Drop the memberships :func:`is_member` remembered (after one is removed)."""
    session.info.pop(MEMBERS, None)


def member_cases(session: Session, user: Principal) -> list[Case]:
    """The cases ``user`` is a member of, by reference."""
    stmt = (
        select(Case)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == user.user_id)
        .order_by(Case.ref)
    )
    return list(session.execute(stmt).scalars())


def readable_cases(session: Session, user: Principal) -> list[Case]:
    """The cases ``user`` may read: those they are on, if their role reads at all."""
    return member_cases(session, user) if role_allows(user.role, "read") else []


def require_case(session: Session, user: Principal, case_ref: str, need: Need = "read") -> Case:
    """The case, if ``user`` is a member and their role allows ``need``; else AccessDenied.

    An unknown case and a case the user is not on give the same answer, so that refusals
    do not reveal which cases exist.
    """
    case = session.execute(select(Case).where(Case.ref == case_ref)).scalar_one_or_none()
    if case is None or not is_member(session, user.user_id, case.id):
        raise AccessDenied(
            f"you are not a member of case {case_ref!r}",
            hint="ask an administrator to add you to the case if you need to know",
        )
    if not role_allows(user.role, need):
        raise AccessDenied(
            f"the {user.role_label} role may not {need} in case {case_ref!r}",
            hint="ask an administrator if your role should change",
        )
    return case


LOCAL = "l"
"""The session-key prefix of the command line's local principal."""


def acting(session: Session, ws: Workspace) -> Principal:
    """Who ``ws`` acts for: the signed-in person it was opened for (:meth:`Workspace.acting_for`,
    the web), else the account named by ``VIGIL_USER`` (the command line; created on first use
    as an investigator, as :meth:`Workspace.ensure_user` does)."""
    if ws.principal is not None:
        return ws.principal
    return principal_of(ws.ensure_user(session), f"{LOCAL}:{ws.actor}")


def require_act(
    session: Session, ws: Workspace, need: Need, case_ref: str | None = None
) -> Principal:
    """The acting principal, if their role allows ``need`` and, for a case's records, they are
    a member of the case; else AccessDenied. Every service that changes or opens case material
    calls this (or :func:`require_case`) inside its transaction, so the command line and the
    web are held to the same rules."""
    user = acting(session, ws)
    if case_ref is not None:
        require_case(session, user, case_ref, need)
    elif not role_allows(user.role, need):
        raise AccessDenied(
            f"the {user.role_label} role may not {need} case records",
            hint="ask an administrator if your role should change",
        )
    return user


def require_global(user: Principal, need: GlobalNeed) -> None:
    if not user.may(need):
        raise AccessDenied(
            f"the {user.role_label} role may not {'administer users' if need == 'admin' else 'search the audit log'}",
            hint="ask an administrator",
        )


# --- stated purposes -------------------------------------------------------------------------


def stated_purpose(session: Session, user: Principal, case_id: int, now: datetime) -> str | None:
    row = session.execute(
        select(AccessPurpose).where(
            AccessPurpose.session_key == user.session_key, AccessPurpose.case_id == case_id
        )
    ).scalar_one_or_none()
    if row is None or row.expires_at <= now:
        return None
    return row.purpose


def state_purpose(ws: Workspace, user: Principal, case_ref: str, purpose: str) -> str:
    """Record why ``user`` needs this case's material for the rest of this sign-in."""
    text = " ".join(purpose.split())
    if len(text) < 4:
        raise UserError("give a purpose of a few words", hint="e.g. 'review for interview plan'")
    text = text[:500]
    now = ws.now()
    with ws.transaction() as session:
        case = require_case(session, user, case_ref, "read")
        session.execute(
            delete(AccessPurpose).where(
                AccessPurpose.session_key == user.session_key, AccessPurpose.case_id == case.id
            )
        )
        session.add(
            AccessPurpose(
                session_key=user.session_key,
                user_id=user.user_id,
                case_id=case.id,
                purpose=text,
                stated_at=now,
                expires_at=now + timedelta(hours=PURPOSE_HOURS),
            )
        )
    return text


def require_purpose(session: Session, user: Principal, case: Case, now: datetime) -> str:
    purpose = stated_purpose(session, user, case.id, now)
    if purpose is None:
        raise PurposeRequired(case.ref)
    return purpose


def record_view(
    session: Session,
    user: Principal,
    case_ref: str,
    *,
    object_type: str,
    object_id: str,
    purpose: str | None,
    details: dict[str, Any],
    now: datetime,
    action: str = "view",
) -> None:
    """Append the view of case content to the custody/audit log, inside the caller's transaction."""
    audit.record(
        session,
        user,
        action,
        audit.Subject(object_type, object_id, case_ref),
        purpose=purpose,
        details=details,
        now=now,
    )


# --- API tokens --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked: bool


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_info(t: ApiToken) -> TokenInfo:
    return TokenInfo(
        t.id, t.name, t.prefix, t.created_at, t.last_used_at, t.expires_at, t.revoked_at is not None
    )


def create_token(
    ws: Workspace, username: str, name: str, days: int | None = 90
) -> tuple[str, TokenInfo]:
    """A new API token for ``username``. The token is returned once; only its hash is kept."""
    name = name.strip()[:128] or "token"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ws.now()
    with ws.transaction() as session:
        user = get_user(session, username)
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_digest(token),
            prefix=token[: len(TOKEN_PREFIX) + 6],
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            ws.actor,
            "create",
            audit.Subject("api_token", f"{username}:{row.id}"),
            details={"name": name, "prefix": row.prefix, "days": days},
            now=now,
        )
        info = _token_info(row)
    return token, info


def list_tokens(ws: Workspace, username: str) -> list[TokenInfo]:
    with ws.sessions() as session:
        user = get_user(session, username)
        rows = session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).scalars()
        return [_token_info(t) for t in rows]


def revoke_token(ws: Workspace, username: str, token_id: int) -> None:
    with ws.transaction() as session:
        user = get_user(session, username)
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != user.id:
            raise NotFound(f"no token {token_id} for {username}")
        if row.revoked_at is None:
            row.revoked_at = ws.now()
            audit.record(
                session,
                ws.actor,
                "update",
                audit.Subject("api_token", f"{username}:{token_id}"),
                details={"revoked": True},
                now=ws.now(),
            )


def token_principal(ws: Workspace, token: str) -> Principal | None:
    """:func:`principal_from_token` in its own transaction (its last-used time is saved)."""
    with ws.sessions() as s:
        p = principal_from_token(s, token, ws.now())
        if s.dirty:
            s.commit()
    return p


def principal_from_token(session: Session, token: str, now: datetime) -> Principal | None:
    """The user a bearer token belongs to, if it is valid, unexpired, unrevoked and enabled."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    cred = session.get(Credential, row.user_id)
    if user is None or (cred is not None and cred.disabled):
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return principal_of(user, f"t:{row.id}")
