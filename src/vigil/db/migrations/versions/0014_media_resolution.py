"""media grading: supervisor resolution of disagreements

``media_resolutions`` holds, for an item whose graders disagreed, the grade a supervisor who
graded nothing of it decided, with the reason and the grades as they stood (docs/media.md).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_resolutions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "media_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("resolver", sa.String(length=128), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("graders", sa.Text(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_item_id"],
            ["media_items.id"],
            name=op.f("fk_media_resolutions_media_item_id_media_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_resolutions")),
        sa.UniqueConstraint("media_item_id", name="uq_media_resolutions_item"),
    )


def downgrade() -> None:
    op.drop_table("media_resolutions")
