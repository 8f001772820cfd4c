"""custody_checkpoints: the database's copy of the signed checkpoints of the custody log

Each transaction that appends custody entries now signs a checkpoint of its last entry inside
the transaction (so the copy commits with the entries) and appends the same line to the
checkpoint file after it commits. ``verify`` checks both copies against each other.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custody_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("sig", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("custody_checkpoints")
