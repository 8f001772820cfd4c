"""Alembic environment: runs against the engine Vigil hands it (no alembic.ini)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from vigil.db import tables  # noqa: F401  (the package registers every table on Base.metadata)
from vigil.db.base import Base, include_name

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine")
    assert isinstance(engine, Engine), "Vigil passes its engine in config.attributes"
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
