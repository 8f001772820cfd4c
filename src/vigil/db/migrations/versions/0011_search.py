"""search: the full-text index of messages and what it covers

``search_index`` holds every message's text as the scanner's normaliser reads it (leet,
spacing tricks and shorthand undone, so "m33t" is found by "meet"):

- SQLite: a contentless FTS5 table (the text is not stored twice; rowid = ``messages.id``)
  holding Vigil's words of each message joined by spaces (``unicode61``, diacritics removed,
  splits them at the spaces only);
- PostgreSQL: ``(message_id, tsv)``, a ``tsvector`` built by Vigil from the same normalised
  words (no dictionary, like the ``simple`` configuration) with a GIN index.

``search_state`` says, per conversation, how far the index goes (``max_seq``, ``messages``)
and which version of the normaliser and tokeniser built it. The index is derived data, built
after ingest by :mod:`vigil.services.search.index`; every table here starts with
``search_`` (:data:`vigil.services.search.index.TABLE_PREFIX`), which is how schema
comparisons tell them from the ORM's tables.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5(body, content='', columnsize=0,"
            " detail=full, tokenize='unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE search_index (message_id BIGINT NOT NULL, tsv TSVECTOR NOT NULL,"
            " CONSTRAINT pk_search_index PRIMARY KEY (message_id))"
        )
        op.execute("CREATE INDEX ix_search_index_tsv ON search_index USING gin (tsv)")
    op.create_table(
        "search_state",
        sa.Column("conversation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("max_seq", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="fk_search_state_conversation_id_conversations",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_search_state"),
    )
    op.create_index("ix_search_state_version", "search_state", ["version"])


def downgrade() -> None:
    op.drop_index("ix_search_state_version", table_name="search_state")
    op.drop_table("search_state")
    op.execute("DROP TABLE search_index")
