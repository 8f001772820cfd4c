"""leads keep the run's language check: language, checked and note

A Spark run writes, per conversation, the detected language, whether it was checked (false
when the language has no patterns: a score of 0 then means nothing was checked, not that the
conversation is clean) and a note such as ``not checked: language xx``. The leads table now
keeps them; rows imported before this revision, or from a run that did not write them, leave
them empty (NULL).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("checked", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        for name in ("note", "checked", "language"):
            batch_op.drop_column(name)
