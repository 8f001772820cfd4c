"""screenshot transcripts read by OCR

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "ocr_transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(length=32), nullable=False),
        sa.Column("theme", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=128), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("screenshot_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _fk("ocr_transcripts", "case_id", "cases"),
        _fk("ocr_transcripts", "conversation_id", "conversations"),
        _fk("ocr_transcripts", "created_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocr_transcripts")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_ocr_transcripts_conversation_id")),
    )
    with op.batch_alter_table("ocr_transcripts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocr_transcripts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "ocr_messages",
        sa.Column("id", _ID, nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("message_seq", sa.Integer(), nullable=False),
        sa.Column("screenshot_exhibit_id", sa.Integer(), nullable=False),
        sa.Column("left", sa.Integer(), nullable=False),
        sa.Column("top", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("low_confidence", sa.Text(), nullable=False),
        _fk("ocr_messages", "transcript_id", "ocr_transcripts"),
        _fk("ocr_messages", "screenshot_exhibit_id", "exhibits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocr_messages")),
        sa.UniqueConstraint("transcript_id", "message_seq", name="uq_ocr_messages_transcript_seq"),
    )
    with op.batch_alter_table("ocr_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocr_messages_transcript_id"), ["transcript_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ocr_messages_screenshot_exhibit_id"),
            ["screenshot_exhibit_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("ocr_messages")
    op.drop_table("ocr_transcripts")
