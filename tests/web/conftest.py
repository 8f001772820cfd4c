"""Fixtures for the web tests: a workspace with two cases, a seeded chat, users per role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.web.seed import ingest_and_analyse, make_user
from vigil.config import Settings
from vigil.db.tables.cases import Case
from vigil.services.access import ROLES
from vigil.services.cases import create_case
from vigil.services.workspace import Workspace, init_workspace, open_workspace
from vigil.web.app import create_app
from vigil.web.security import SignInLimiter

CASE = "OP-WEB"
OTHER = "OP-OTHER"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium through Playwright (skips when absent)"
    )


@dataclass
class Account:
    username: str
    role: str
    member: bool
    password: str
    secret: str


@dataclass
class WebWorld:
    ws: Workspace
    app: FastAPI
    accounts: dict[tuple[str, bool], Account]
    conv_id: int
    other_conv_id: int
    exhibit_ref: str


def build_world(home: Path, database_url: str | None = None) -> WebWorld:
    ws, _, _ = init_workspace(Settings(home=home, user="web.admin", database_url=database_url))
    create_case(ws, CASE, "Operation web test", "Test unit", "Europe/London")
    create_case(ws, OTHER, "Another operation", "Test unit", "Europe/London")
    with ws.sessions() as s:
        ids = {c.ref: c.id for c in s.execute(select(Case)).scalars()}
    ingest_and_analyse(ws, CASE, ids[CASE], home.parent)
    ingest_and_analyse(ws, OTHER, ids[OTHER], home.parent)
    accounts = {}
    for role in ROLES:
        for member in (True, False):
            name = f"{role.replace('_', '-')}-{'in' if member else 'out'}"
            pw, secret = make_user(ws, name, role, [CASE] if member else [OTHER])
            accounts[(role, member)] = Account(name, role, member, pw, secret)
    from vigil.db.tables.conversations import ConversationRow
    from vigil.db.tables.evidence import Exhibit

    with ws.sessions() as s:
        conv = s.execute(
            select(ConversationRow.id).where(ConversationRow.case_id == ids[CASE])
        ).scalar_one()
        other = s.execute(
            select(ConversationRow.id).where(ConversationRow.case_id == ids[OTHER])
        ).scalar_one()
        ex = (
            s.execute(select(Exhibit.ref).where(Exhibit.case_id == ids[CASE]).order_by(Exhibit.id))
            .scalars()
            .first()
        )
    assert ex is not None
    app = create_app(workspace=ws)
    app.state.limiter = SignInLimiter(limit=100_000)  # many sign-ins from one test address
    return WebWorld(ws, app, accounts, conv, other, ex)


def copy_world(template: WebWorld, home: Path) -> WebWorld:
    """A world of its own made from a built one: its workspace folder is copied to ``home`` (the
    SQLite database, evidence and keys; under ``make test-pg`` tests/pgmode.py copies the
    database the folder names) and opened with a new app. The same records, ids, accounts and
    passwords as :func:`build_world` makes, in a copy, not a rebuild (about five seconds each)."""
    template.ws.engine.dispose()  # nothing half-written, no connection left on the original
    shutil.copytree(template.ws.settings.resolved_home, home)
    ws = open_workspace(Settings(home=home, user="web.admin", database_url=None))
    app = create_app(workspace=ws)
    app.state.limiter = SignInLimiter(limit=100_000)  # many sign-ins from one test address
    return replace(template, ws=ws, app=app, accounts=dict(template.accounts))


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    """The world built once per test process, for :func:`copy_world`; not used directly."""
    world = build_world(tmp_path_factory.mktemp("web-template") / "ws")
    world.ws.engine.dispose()
    return world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, world_template: WebWorld) -> Iterator[WebWorld]:
    """One workspace per test module: OP-WEB and OP-OTHER, each with the seeded chat; for every
    role an account on OP-WEB ("-in") and one on OP-OTHER only ("-out"). A copy of
    ``world_template``, so a module may change it freely."""
    yield copy_world(world_template, tmp_path_factory.mktemp("web") / "ws")
