"""Database: SQLAlchemy 2.0 tables, engine/session factory, Alembic migrations."""
