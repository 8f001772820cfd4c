"""assessments: the fitted scorer's output (flagged, indicator score, language, contributions)

Triage now scores with fitted indicator weights, the learned model and a stacker; a stored
assessment keeps whether the conversation is flagged at the calibrated operating point, the
indicator score alone, the detected language with any "not checked" note, and what each
finding feature added (JSON).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flagged", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("indicator_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("score_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("contributions", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        for name in ("contributions", "score_note", "language", "indicator_score", "flagged"):
            batch_op.drop_column(name)
