"""disclosure statuses, schedules and their revisions

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "disclosure_items",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("undermines", sa.Boolean(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        _fk("disclosure_items", "case_id", "cases"),
        _fk("disclosure_items", "set_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_items")),
        sa.UniqueConstraint("case_id", "item_key", name="uq_disclosure_items_case_key"),
    )
    with op.batch_alter_table("disclosure_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_items_case_id"), ["case_id"], unique=False)

    op.create_table(
        "disclosure_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("undermines", sa.Boolean(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        _fk("disclosure_changes", "case_id", "cases"),
        _fk("disclosure_changes", "changed_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_changes")),
    )
    with op.batch_alter_table("disclosure_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_disclosure_changes_case_key", ["case_id", "item_key", "id"], unique=False
        )

    op.create_table(
        "disclosure_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("generated_at", UTCDateTime(), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("rows_json", sa.Text(), nullable=False),
        sa.Column("item_keys_json", sa.Text(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.Column("served_at", UTCDateTime(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("served_to", sa.Text(), nullable=True),
        sa.Column("served_by_id", sa.Integer(), nullable=True),
        _fk("disclosure_revisions", "case_id", "cases"),
        _fk("disclosure_revisions", "generated_by_id", "users"),
        _fk("disclosure_revisions", "served_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_revisions")),
        sa.UniqueConstraint("case_id", "number", name="uq_disclosure_revisions_case_number"),
    )
    with op.batch_alter_table("disclosure_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_revisions_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("disclosure_revisions")
    op.drop_table("disclosure_changes")
    op.drop_table("disclosure_items")
