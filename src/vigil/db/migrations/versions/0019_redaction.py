"""redactions of messages and media

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "redactions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("message_seq", sa.Integer(), nullable=True),
        sa.Column("start_char", sa.Integer(), nullable=True),
        sa.Column("end_char", sa.Integer(), nullable=True),
        sa.Column("phrase", sa.Text(), nullable=True),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("exhibit_id", sa.Integer(), nullable=True),
        sa.Column("box_x", sa.Integer(), nullable=True),
        sa.Column("box_y", sa.Integer(), nullable=True),
        sa.Column("box_w", sa.Integer(), nullable=True),
        sa.Column("box_h", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_custody_seq", sa.Integer(), nullable=True),
        _fk("redactions", "case_id", "cases"),
        _fk("redactions", "conversation_id", "conversations"),
        _fk("redactions", "exhibit_id", "exhibits"),
        _fk("redactions", "created_by_id", "users"),
        _fk("redactions", "withdrawn_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redactions")),
    )
    op.create_index("ix_redactions_case", "redactions", ["case_id", "id"])
    op.create_index("ix_redactions_conv", "redactions", ["conversation_id", "message_seq"])
    op.create_index("ix_redactions_exhibit", "redactions", ["exhibit_id"])


def downgrade() -> None:
    op.drop_index("ix_redactions_exhibit", table_name="redactions")
    op.drop_index("ix_redactions_conv", table_name="redactions")
    op.drop_index("ix_redactions_case", table_name="redactions")
    op.drop_table("redactions")
