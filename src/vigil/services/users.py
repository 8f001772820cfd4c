"""People who sign in: accounts, roles, passwords (Argon2id), TOTP, lock-out and membership.

Managing other people's accounts needs the administrator role; the acting user is
``ws.actor`` (the signed-in user in the web app, the local user on the command line).
"""

from __future__ import annotations

import functools
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session

from vigil.db.tables.access import (
    ApiToken,
    CaseMember,
    Credential,
    SignInEvent,
    User,
    WebSession,
)
from vigil.db.tables.cases import Case
from vigil.errors import AccessDenied, NotFound, UserError
from vigil.services import audit
from vigil.services.access import (
    Principal,
    TokenInfo,
    create_token,
    forget_memberships,
    get_user,
    normalise_role,
    principal_of,
    require_global,
)
from vigil.services.cases import get_case
from vigil.services.workspace import Workspace

MIN_PASSWORD = 12
MIN_STRENGTH = 3
"""The least zxcvbn score (0-4) a password must reach: 3 is "safely unguessable" against an
online attack with rate limiting, which is what sign-in faces."""
LOCK_AFTER = 5
LOCK_MINUTES = 15
FAILURES = ("bad-password", "bad-totp", "bad-enrolment-code", "unknown-user")
"""Sign-in outcomes that count towards a lock-out (an unknown name counts like a known one)."""
RESETS = ("signed-in", "totp-enrolled")
"""Outcomes after which earlier failures from the same address no longer count: a whole
sign-in, never the password alone (else a right password would reset the count of wrong
second-factor codes, and the codes could be guessed without end)."""
TOTP_ISSUER = "Vigil"

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so timing does not tell (made once)."""
    return _hasher.hash("not a real password, used to even out timing")


@dataclass(frozen=True, slots=True)
class UserInfo:
    username: str
    display_name: str | None
    role: str
    created_at: datetime
    has_password: bool
    totp_enrolled: bool
    disabled: bool
    locked_until: datetime | None
    cases: list[str]


@dataclass(frozen=True, slots=True)
class DemoSignIn:
    username: str
    password: str
    totp_secret: str
    totp_uri: str


# --- checks and helpers ----------------------------------------------------------------------


def _require_admin(session: Session, ws: Workspace) -> None:
    me = session.execute(select(User).where(User.username == ws.actor)).scalar_one_or_none()
    if me is None or me.role != "administrator":
        raise AccessDenied(
            f"{ws.actor} is not an administrator", hint="only administrators manage accounts"
        )


def _cred(session: Session, user: User) -> Credential:
    cred = session.get(Credential, user.id)
    if cred is None:
        cred = Credential(user_id=user.id, failed_count=0, disabled=False)
        session.add(cred)
        session.flush()
    return cred


def check_password_rules(password: str, username: str) -> None:
    """Refuse a password that is short, holds the username, or is quick to guess (zxcvbn:
    common passwords, keyboard walks, repeats, sequences, dates, names and words)."""
    if not password.strip():
        raise UserError(
            "a password cannot be only spaces", hint="use a passphrase of several words"
        )
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"password too short (at least {MIN_PASSWORD} characters)",
            hint="use a passphrase of several words",
        )
    if username.lower() in password.lower():
        raise UserError("password must not contain the username")
    from zxcvbn import zxcvbn  # (its word lists load on first use: only when a password is set)

    verdict = zxcvbn(password[:100], user_inputs=[username, "vigil"])
    if verdict["score"] < MIN_STRENGTH:
        feedback = verdict.get("feedback") or {}
        why = feedback.get("warning") or "it follows a pattern that is quick to guess."
        tips = " ".join(feedback.get("suggestions") or [])
        raise UserError(
            f"password too easy to guess: {why}",
            hint=tips or "use a passphrase of several uncommon words",
        )


def _revoke_everywhere(session: Session, user_id: int, now: datetime) -> dict[str, int]:
    """End every web session of a user and revoke all their API tokens (a password or second
    factor changed: whoever held the old one must not stay in)."""
    ended = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return {"sessions_ended": ended.rowcount or 0, "tokens_revoked": revoked.rowcount or 0}  # type: ignore[attr-defined]


def _info(session: Session, user: User, now: datetime | None = None) -> UserInfo:
    cred = session.get(Credential, user.id)
    refs = session.execute(
        select(Case.ref)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == user.id)
        .order_by(Case.ref)
    ).scalars()
    return UserInfo(
        user.username,
        user.display_name,
        user.role,
        user.created_at,
        bool(cred and cred.password_hash),
        bool(cred and cred.totp_enrolled_at),
        bool(cred and cred.disabled),
        lock_end(session, user.username, now) if now is not None else None,
        list(refs),
    )


def _log(
    ws: Workspace, session: Session, action: str, obj_type: str, obj: str, **details: object
) -> None:
    audit.record(
        session, ws.actor, action, audit.Subject(obj_type, obj), details=details, now=ws.now()
    )


# --- administration --------------------------------------------------------------------------


def list_users(ws: Workspace) -> list[UserInfo]:
    with ws.sessions() as session:
        _require_admin(session, ws)
        users = session.execute(select(User).order_by(User.username)).scalars().all()
        return [_info(session, u, ws.now()) for u in users]


def show_user(ws: Workspace, username: str) -> UserInfo:
    with ws.sessions() as session:
        if username != ws.actor:
            _require_admin(session, ws)
        return _info(session, get_user(session, username), ws.now())


def create_user(
    ws: Workspace,
    username: str,
    role: str,
    display_name: str | None = None,
    password: str | None = None,
) -> UserInfo:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() or c in "/:" for c in username):
        raise UserError(f"bad username {username!r}", hint="letters, digits, dots and dashes")
    role = normalise_role(role)
    if password is not None:
        check_password_rules(password, username)
    try:
        with ws.transaction() as session:
            _require_admin(session, ws)
            user = User(
                username=username, display_name=display_name, role=role, created_at=ws.now()
            )
            session.add(user)
            session.flush()
            cred = _cred(session, user)
            if password is not None:
                cred.password_hash = _hasher.hash(password)
                cred.password_set_at = ws.now()
            _log(ws, session, "create", "user", username, role=role, password=password is not None)
            return _info(session, user, ws.now())
    except SAIntegrityError as exc:
        raise UserError(f"user {username!r} already exists") from exc


def set_password(ws: Workspace, username: str, password: str) -> None:
    """Set a password (administrators for anyone; a user for themself)."""
    check_password_rules(password, username)
    with ws.transaction() as session:
        if username != ws.actor:
            _require_admin(session, ws)
        user = get_user(session, username)
        cred = _cred(session, user)
        cred.password_hash = _hasher.hash(password)
        cred.password_set_at = ws.now()
        cred.failed_count = 0
        cred.locked_until = None
        gone = _revoke_everywhere(session, user.id, ws.now())
        _log(ws, session, "update", "user", username, password="set", **gone)


def set_role(ws: Workspace, username: str, role: str) -> UserInfo:
    role = normalise_role(role)
    with ws.transaction() as session:
        _require_admin(session, ws)
        user = get_user(session, username)
        if user.username == ws.actor and role != "administrator":
            raise UserError("you may not remove your own administrator role")
        before = user.role
        user.role = role
        _log(ws, session, "update", "user", username, role=role, role_before=before)
        return _info(session, user, ws.now())


def set_disabled(ws: Workspace, username: str, disabled: bool) -> None:
    with ws.transaction() as session:
        _require_admin(session, ws)
        user = get_user(session, username)
        _cred(session, user).disabled = disabled
        _log(ws, session, "update", "user", username, disabled=disabled)


def unlock(ws: Workspace, username: str) -> None:
    with ws.transaction() as session:
        _require_admin(session, ws)
        cred = _cred(session, get_user(session, username))
        cred.failed_count = 0
        cred.locked_until = None
        _event(session, ws.now(), username, None, "unlocked")  # earlier failures stop counting
        _log(ws, session, "update", "user", username, unlocked=True)


def set_membership(ws: Workspace, username: str, case_ref: str, member: bool) -> None:
    """Add ``username`` to a case (need to know) or take them off it."""
    with ws.transaction() as session:
        _require_admin(session, ws)
        user = get_user(session, username)
        case = get_case(session, case_ref)
        row = session.get(CaseMember, (case.id, user.id))
        if member and row is None:
            session.add(
                CaseMember(case_id=case.id, user_id=user.id, added_at=ws.now(), added_by=ws.actor)
            )
        elif not member and row is not None:
            session.delete(row)
            forget_memberships(session)
        else:
            return
        _log(ws, session, "admin", "membership", f"{case_ref}:{username}", member=member)


def reset_totp(ws: Workspace, username: str) -> tuple[str, str]:
    """Give ``username`` a new, confirmed TOTP secret (administrators; for out-of-band set-up)."""
    secret = pyotp.random_base32()
    with ws.transaction() as session:
        _require_admin(session, ws)
        user = get_user(session, username)
        cred = _cred(session, user)
        cred.totp_secret = secret
        cred.totp_enrolled_at = ws.now()
        cred.totp_last_step = None
        gone = _revoke_everywhere(session, user.id, ws.now())
        _log(ws, session, "update", "user", username, totp="reset", **gone)
    return secret, totp_uri(username, secret)


def issue_token(
    ws: Workspace, username: str, name: str, days: int | None = 90
) -> tuple[str, TokenInfo]:
    """An API token for ``username`` (administrators for anyone; a user for themself)."""
    if username != ws.actor:
        with ws.sessions() as session:
            _require_admin(session, ws)
    return create_token(ws, username, name, days)


def totp_uri(username: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def demo_sign_in(
    ws: Workspace, username: str, case_refs: list[str], role: str = "investigator"
) -> DemoSignIn:
    """A ready sign-in for a demonstration: account, random password, TOTP, case membership."""
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    with ws.sessions() as session:
        exists = session.execute(select(User.id).where(User.username == username)).first()
    if exists is None:
        create_user(ws, username, role, display_name="Demonstration user", password=password)
    else:
        set_password(ws, username, password)
    secret, uri = reset_totp(ws, username)
    for ref in case_refs:
        set_membership(ws, username, ref, True)
    return DemoSignIn(username, password, secret, uri)


# --- signing in -------------------------------------------------------------------------------


def _event(session: Session, now: datetime, username: str, ip: str | None, outcome: str) -> None:
    session.add(SignInEvent(at=now, username=username[:128], ip=ip, outcome=outcome))


def _place(username: str, ip: str | None) -> Any:
    same_ip = SignInEvent.ip.is_(None) if ip is None else SignInEvent.ip == ip
    return and_(SignInEvent.username == username, same_ip)


def _failures_since_reset(
    session: Session, username: str, ip: str | None, now: datetime
) -> list[datetime]:
    """Times of the failures as ``username`` from ``ip`` within the lock window, since the
    last success from there or an administrator's unlock."""
    since = now - timedelta(minutes=LOCK_MINUTES)
    reset = session.execute(
        select(func.max(SignInEvent.at)).where(
            or_(
                and_(_place(username, ip), SignInEvent.outcome.in_(RESETS)),
                and_(SignInEvent.username == username, SignInEvent.outcome == "unlocked"),
            )
        )
    ).scalar_one()
    if reset is not None and reset > since:
        since = reset
    return list(
        session.execute(
            select(SignInEvent.at)
            .where(_place(username, ip), SignInEvent.outcome.in_(FAILURES), SignInEvent.at > since)
            .order_by(SignInEvent.at)
        ).scalars()
    )


def _locked(session: Session, username: str, ip: str | None, now: datetime) -> bool:
    """Whether signing in as ``username`` from ``ip`` is paused: :data:`LOCK_AFTER` failures
    from that address within :data:`LOCK_MINUTES`. The pause is per name and address, so a
    stranger elsewhere cannot lock the real user out; an unknown name pauses the same way, so
    the answers cannot tell names apart."""
    return len(_failures_since_reset(session, username, ip, now)) >= LOCK_AFTER


def lock_end(session: Session, username: str, now: datetime) -> datetime | None:
    """When the last pause on ``username`` ends (from whichever address), or None."""
    ips = session.execute(
        select(SignInEvent.ip)
        .where(
            SignInEvent.username == username,
            SignInEvent.outcome.in_(FAILURES),
            SignInEvent.at > now - timedelta(minutes=LOCK_MINUTES),
        )
        .distinct()
    ).scalars()
    ends = []
    for ip in ips:
        times = _failures_since_reset(session, username, ip, now)
        if len(times) >= LOCK_AFTER:
            ends.append(times[len(times) - LOCK_AFTER] + timedelta(minutes=LOCK_MINUTES))
    return max(ends, default=None)


def check_password(
    ws: Workspace, username: str, password: str, ip: str | None
) -> tuple[Principal | None, str]:
    """Check a username and password. Returns the user (``None`` on failure) and an outcome.

    Outcomes: ``ok``, ``bad`` (unknown user or wrong password, told apart only in the log),
    ``locked`` (too many failures, for LOCK_MINUTES), ``disabled``.
    """
    now = ws.now()
    with ws.transaction() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        cred = session.get(Credential, user.id) if user is not None else None
        if _locked(session, username, ip, now):
            _verify(_dummy_hash(), password)
            _event(session, now, username, ip, "locked")
            return None, "locked"
        if user is None or cred is None or not cred.password_hash:
            _verify(_dummy_hash(), password)
            _event(session, now, username, ip, "unknown-user")
            return None, "locked" if _locked(session, username, ip, now) else "bad"
        if cred.disabled:
            _verify(_dummy_hash(), password)
            _event(session, now, username, ip, "disabled")
            return None, "disabled"
        if not _verify(cred.password_hash, password):
            _event(session, now, username, ip, "bad-password")
            return None, "locked" if _locked(session, username, ip, now) else "bad"
        if _hasher.check_needs_rehash(cred.password_hash):
            cred.password_hash = _hasher.hash(password)
        _event(session, now, username, ip, "password-ok")
        return principal_of(user, "pending"), "ok"


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def totp_enrolled(ws: Workspace, user_id: int) -> bool:
    with ws.sessions() as session:
        cred = session.get(Credential, user_id)
        return bool(cred and cred.totp_enrolled_at and cred.totp_secret)


def _match_step(secret: str, code: str, now: datetime, last: int | None) -> int | None:
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for s in (step - 1, step, step + 1):
        if (last is None or s > last) and hmac.compare_digest(totp.at(s * totp.interval), code):
            return s
    return None


def check_totp(ws: Workspace, user_id: int, code: str, ip: str | None) -> str:
    """Check a TOTP code for an enrolled user; a code is accepted once. Returns the outcome."""
    now = ws.now()
    with ws.transaction() as session:
        user = session.get(User, user_id)
        cred = session.get(Credential, user_id)
        if user is None or cred is None or not cred.totp_secret or not cred.totp_enrolled_at:
            return "bad"
        name = user.username
        if _locked(session, name, ip, now):
            _event(session, now, name, ip, "locked")
            return "locked"
        step = _match_step(cred.totp_secret, code, now, cred.totp_last_step)
        if step is None:
            _event(session, now, name, ip, "bad-totp")
            return "locked" if _locked(session, name, ip, now) else "bad"
        cred.totp_last_step = step
        cred.failed_count = 0
        _event(session, now, name, ip, "signed-in")
        return "ok"


def begin_enrolment(ws: Workspace, user_id: int) -> tuple[str, str]:
    """A fresh, unconfirmed TOTP secret for a user enrolling themself; returns it and its URI."""
    secret = pyotp.random_base32()
    with ws.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("no such user")
        cred = _cred(session, user)
        if cred.totp_enrolled_at is not None:
            raise UserError("a second factor is already enrolled", hint="ask an administrator")
        cred.totp_secret = secret
        return secret, totp_uri(user.username, secret)


def pending_secret(ws: Workspace, user_id: int) -> str | None:
    with ws.sessions() as session:
        cred = session.get(Credential, user_id)
        if cred is None or cred.totp_enrolled_at is not None:
            return None
        return cred.totp_secret


def confirm_enrolment(ws: Workspace, user_id: int, code: str, ip: str | None) -> bool:
    """Confirm a pending TOTP secret with a code from the authenticator app."""
    now = ws.now()
    with ws.transaction() as session:
        user = session.get(User, user_id)
        cred = session.get(Credential, user_id)
        if user is None or cred is None or not cred.totp_secret or cred.totp_enrolled_at:
            return False
        step = _match_step(cred.totp_secret, code, now, None)
        if step is None:
            _event(session, now, user.username, ip, "bad-enrolment-code")
            return False
        cred.totp_enrolled_at = now
        cred.totp_last_step = step
        cred.failed_count = 0
        _event(session, now, user.username, ip, "totp-enrolled")
        audit.record(
            session,
            user.username,
            "update",
            audit.Subject("user", user.username),
            details={"totp": "enrolled"},
            now=now,
        )
        return True


@dataclass(frozen=True, slots=True)
class SignInRecord:
    at: datetime
    username: str
    ip: str | None
    outcome: str


def sign_in_events(ws: Workspace, limit: int = 100) -> list[SignInRecord]:
    with ws.sessions() as session:
        _require_admin(session, ws)
        rows = session.execute(
            select(SignInEvent).order_by(SignInEvent.id.desc()).limit(limit)
        ).scalars()
        return [SignInRecord(r.at, r.username, r.ip, r.outcome) for r in rows]


# --- Administration views for a signed-in administrator: every case (for membership) -------


@dataclass(slots=True)
class CaseRef:
    ref: str
    title: str


def all_cases(ws: Workspace, user: Principal) -> list[CaseRef]:
    """Every case's reference and title, for administrators granting membership."""
    require_global(user, "admin")
    with ws.sessions() as s:
        return [
            CaseRef(c.ref, c.title) for c in s.execute(select(Case).order_by(Case.ref)).scalars()
        ]


def user_id(ws: Workspace, username: str) -> int:
    """The database id of ``username`` (NotFound when there is none)."""
    with ws.sessions() as s:
        return get_user(s, username).id
