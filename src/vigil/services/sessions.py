"""Browser sign-in sessions, kept server-side so that signing out really ends them.

The cookie holds a random token; the database holds only its SHA-256. A session moves from
``password`` (TOTP still owed) or ``enrol`` (second factor being set up) to ``ok``; the token is
replaced at that step so a token seen before sign-in is worthless after it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from vigil.db.tables.access import Credential, User, WebSession
from vigil.services.access import Principal, principal_of
from vigil.services.workspace import Workspace

ABSOLUTE = timedelta(hours=12)
IDLE = timedelta(minutes=30)
PENDING = timedelta(minutes=10)
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SessionState:
    id: int
    stage: str
    csrf: str
    principal: Principal


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(ws: Workspace, user_id: int, stage: str, ip: str | None, agent: str | None) -> str:
    """Open a session at ``stage`` and return the cookie token."""
    token = secrets.token_urlsafe(32)
    now = ws.now()
    life = ABSOLUTE if stage == "ok" else PENDING
    with ws.sessions.begin() as s:
        s.add(
            WebSession(
                token_hash=_digest(token),
                user_id=user_id,
                stage=stage,
                csrf=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + life,
                ip=ip,
                user_agent=(agent or "")[:256] or None,
            )
        )
    return token


def load(ws: Workspace, token: str | None) -> SessionState | None:
    """The live session for a cookie token, or ``None`` (expired, idle, ended, disabled)."""
    if not token or len(token) > 128:
        return None
    now = ws.now()
    with ws.sessions() as s:
        row = s.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == _digest(token))
        ).first()
        if row is None:
            return None
        sess, user = row
        if sess.ended_at is not None or sess.expires_at <= now:
            return None
        if sess.stage == "ok" and now - sess.last_seen_at > IDLE:
            return None
        cred = s.get(Credential, user.id)
        if cred is not None and cred.disabled:
            return None
        if now - sess.last_seen_at > TOUCH_EVERY:
            s.execute(update(WebSession).where(WebSession.id == sess.id).values(last_seen_at=now))
            s.commit()
        return SessionState(sess.id, sess.stage, sess.csrf, principal_of(user, f"s:{sess.id}"))


def end(ws: Workspace, token: str | None) -> None:
    if not token:
        return
    with ws.sessions.begin() as s:
        s.execute(
            update(WebSession)
            .where(WebSession.token_hash == _digest(token), WebSession.ended_at.is_(None))
            .values(ended_at=ws.now())
        )


def promote(ws: Workspace, token: str, ip: str | None, agent: str | None) -> str:
    """End the pending session and open a full one for the same user; returns the new token."""
    with ws.sessions() as s:
        row = s.execute(
            select(WebSession).where(WebSession.token_hash == _digest(token))
        ).scalar_one()
        user_id = row.user_id
    end(ws, token)
    return start(ws, user_id, "ok", ip, agent)


def set_stage(ws: Workspace, token: str, stage: str) -> None:
    with ws.sessions.begin() as s:
        s.execute(
            update(WebSession).where(WebSession.token_hash == _digest(token)).values(stage=stage)
        )


def end_all_for(ws: Workspace, user_id: int) -> None:
    """Sign a user out everywhere (after a password change or when disabled)."""
    with ws.sessions.begin() as s:
        s.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
            .values(ended_at=ws.now())
        )
