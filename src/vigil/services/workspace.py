"""Opening a workspace: settings, database, evidence store, the acting user, the clock."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from vigil.config import Settings, load_settings
from vigil.db import session as dbs
from vigil.db.tables.access import User
from vigil.db.tables.evidence import CustodyCheckpoint
from vigil.evidence import checkpoints, custody
from vigil.evidence.store import BlobStore
from vigil.services import audit

if TYPE_CHECKING:  # (access builds on the workspace)
    from vigil.services.access import Principal


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Workspace:
    """Everything a service needs. Build with :func:`open_workspace`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: BlobStore
    clock: Callable[[], datetime] = field(default=_utcnow)
    principal: Principal | None = None
    """The signed-in person this workspace acts for (the web); None: the local user named by
    ``VIGIL_USER`` (the command line). See :func:`vigil.services.access.acting`."""

    @property
    def actor(self) -> str:
        return self.principal.username if self.principal is not None else self.settings.user

    def acting_for(self, principal: Principal) -> Workspace:
        """The same workspace acting for ``principal``: services check their role and
        memberships, and attribute custody entries to them."""
        return replace(self, principal=principal)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def transaction(self, checkpoint: bool = True) -> Iterator[Session]:
        """One transaction. If it appended custody entries, a signed checkpoint of its last
        entry is stored in the database within it (:mod:`vigil.evidence.checkpoints`); after
        it commits the custody anchor is moved forward and the checkpoint file is brought up
        to the database's copy. ``checkpoint=False`` does neither (a verify that failed)."""
        with dbs.transaction(self.sessions) as session:
            yield session
            if checkpoint and session.info.pop(custody.APPENDED, False):
                seq, digest = custody.head(session)
                key = _signing_key(self.settings.signing_key_path)
                cp = checkpoints.sign(key, seq, digest, self.now().isoformat())
                session.add(CustodyCheckpoint(**checkpoints.as_json(cp)))
        if not checkpoint:
            return
        with self.sessions() as s:
            seq, digest = custody.head(s)
            pending = checkpoints.stored_after(
                s, checkpoints.last_seq(self.settings.checkpoint_path)
            )
        if seq > 0:
            custody.write_anchor(self.settings.anchor_path, seq, digest)
        if pending:
            checkpoints.append_signed(self.settings.checkpoint_path, pending)

    def ensure_user(self, session: Session, role: str = "investigator") -> User:
        """The acting local user, created on first use (full sign-in comes with the web app)."""
        user = session.execute(select(User).where(User.username == self.actor)).scalar_one_or_none()
        if user is None:
            user = User(username=self.actor, display_name=None, role=role, created_at=self.now())
            session.add(user)
            session.flush()
            audit.record(
                session,
                self.actor,
                "create",
                audit.Subject("user", self.actor),
                details={"role": role},
                now=self.now(),
            )
        return user


@functools.cache
def _signing_key(path: Path) -> Ed25519PrivateKey:
    return checkpoints.load_or_create_key(path)


def open_workspace(settings: Settings | None = None, *, check: bool = True) -> Workspace:
    """Open the workspace named by the settings. ``check`` insists the schema is current."""
    settings = settings or load_settings()
    if settings.database_url is None:
        settings.resolved_home.mkdir(parents=True, exist_ok=True)
    engine = dbs.make_engine(settings.url)
    if check:
        dbs.check_current(engine)
    return Workspace(
        settings=settings,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        store=BlobStore(settings.evidence_dir),
    )


def init_workspace(settings: Settings | None = None) -> tuple[Workspace, str | None, str | None]:
    """Create or upgrade a workspace. Returns it with the schema revisions before and after."""
    ws = open_workspace(settings, check=False)
    before, after = dbs.upgrade(ws.engine)
    ws.store.ensure()
    ws.store.clear_stale_tmp()
    with ws.transaction() as session:
        ws.ensure_user(session, role="administrator")
        audit.record(
            session,
            ws.actor,
            "admin",
            audit.Subject("workspace", str(ws.settings.resolved_home)),
            details={"schema_before": before, "schema_after": after},
            now=ws.now(),
        )
    return ws, before, after
