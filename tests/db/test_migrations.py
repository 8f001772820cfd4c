"""Migrations from empty produce exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from vigil.config import Settings
from vigil.db import session as dbs
from vigil.db.base import Base, include_name
from vigil.errors import UserError
from vigil.services.cases import create_case
from vigil.services.evidence.exhibits import register_file
from vigil.services.evidence.verify import verify_workspace
from vigil.services.workspace import init_workspace, open_workspace


def _diff(url: str) -> list[object]:
    engine = dbs.make_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        return list(compare_metadata(ctx, Base.metadata))


def test_sqlite_migration_from_empty_matches_models(settings: Settings) -> None:
    ws, before, after = init_workspace(settings)
    assert before is None and after == dbs.head_revision(ws.engine)
    assert _diff(settings.url) == []
    tables = set(inspect(ws.engine).get_table_names())
    assert {
        "cases",
        "exhibits",
        "blobs",
        "acquisitions",
        "custody_log",
        "conversations",
        "participants",
        "messages",
        "attachments",
    } <= tables


def test_init_is_idempotent(settings: Settings) -> None:
    init_workspace(settings)
    _, before, after = init_workspace(settings)
    assert before == after


def test_uninitialised_workspace_is_a_user_error(settings: Settings) -> None:
    with pytest.raises(UserError, match="not been initialised"):
        open_workspace(settings)


def test_message_indexes_exist(settings: Settings) -> None:
    ws, _, _ = init_workspace(settings)
    idx = {i["name"] for i in inspect(ws.engine).get_indexes("messages")}
    assert "ix_messages_sender" in idx
    assert "ix_messages_conv_sent" not in idx  # dropped in 0008: no query used it


@pytest.mark.postgres
def test_postgres_migration_and_evidence(pg_url: str, tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "pgws", database_url=pg_url, user="pg.tester")
    ws, before, after = init_workspace(s)
    assert before is None and after is not None
    assert _diff(pg_url) == []
    create_case(ws, "OP-PG", "Postgres case", None, "UTC")
    f = tmp_path / "evidence.txt"
    f.write_bytes(b"same on every backend")
    r1 = register_file(ws, "OP-PG", f, source="s", acquired_by="Jane Smith")
    r2 = register_file(ws, "OP-PG", f, source="again", acquired_by="Jane Smith")
    assert r1.exhibit.ref == "JS/1" and not r2.new_exhibit
    rep = verify_workspace(ws)
    assert rep.ok and rep.chain is not None and rep.chain.entries >= 5


def test_upgrade_keeps_existing_evidence(settings: Settings, tmp_path: Path) -> None:
    """A workspace created at the first revision upgrades to the newest with its data intact."""
    from alembic import command

    engine = dbs.make_engine(settings.url)
    settings.resolved_home.mkdir(parents=True, exist_ok=True)
    command.upgrade(dbs.alembic_config(engine), "0001")
    assert dbs.current_revision(engine) == "0001"
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO users (username, role, created_at) VALUES ('old', 'investigator', '2025-01-01')"
        )
    ws, before, after = init_workspace(settings)
    assert before == "0001" and after == dbs.head_revision(engine)
    with ws.engine.connect() as c:
        names = [r[0] for r in c.exec_driver_sql("SELECT username FROM users ORDER BY id")]
    assert names[0] == "old"
    assert _diff(settings.url) == []
