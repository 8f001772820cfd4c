"""Declarative base and portable column types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SEARCH_PREFIX = "search_"
"""The full-text index's tables (migration 0011; :mod:`vigil.services.search.index`) start
with this; they have no ORM form (an FTS5 virtual table on SQLite)."""


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic's schema comparison (``include_name``): leave out the search index's
    tables, which only the migration makes."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_PREFIX))


BigId = BigInteger().with_variant(Integer, "sqlite")
"""64-bit ids on PostgreSQL; INTEGER (rowid alias, auto-increment) on SQLite."""


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes, stored as naive UTC on every backend."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
