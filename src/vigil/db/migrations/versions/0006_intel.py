"""intel: identifiers found in case material, and each case's last extraction

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:59:28.031376
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intel_extractions",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("last_ingest_id", sa.Integer(), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("identifiers", sa.Integer(), nullable=False),
        sa.Column("extracted_at", UTCDateTime(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_intel_extractions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_intel_extractions")),
    )
    op.create_table(
        "identifiers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_seq", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=1024), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_identifiers_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_identifiers_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_identifiers_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifiers")),
    )
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identifiers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_identifiers_conv_seq", ["conversation_id", "message_seq"], unique=False
        )
        batch_op.create_index("ix_identifiers_lookup", ["kind", "platform", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_identifiers_lookup")
        batch_op.drop_index("ix_identifiers_conv_seq")
        batch_op.drop_index(batch_op.f("ix_identifiers_case_id"))

    op.drop_table("identifiers")
    op.drop_table("intel_extractions")
