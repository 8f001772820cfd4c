"""review decisions: state, notes, tags, bookmarks on conversations and messages

``review_decisions`` is the append-only history of reviewers' decisions (a row per decision,
never changed); ``review_states`` keeps each conversation's current state for lists and the
triage queue's state filter (docs/review.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_seq", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_review_decisions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_review_decisions_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_review_decisions_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    op.create_index(
        "ix_review_decisions_conv", "review_decisions", ["conversation_id", "message_seq", "id"]
    )
    op.create_index("ix_review_decisions_case", "review_decisions", ["case_id", "id"])
    op.create_table(
        "review_states",
        sa.Column("conversation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_review_states_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_review_states_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["review_decisions.id"],
            name=op.f("fk_review_states_decision_id_review_decisions"),
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_review_states")),
    )
    op.create_index("ix_review_states_case_state", "review_states", ["case_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_review_states_case_state", table_name="review_states")
    op.drop_table("review_states")
    op.drop_index("ix_review_decisions_case", table_name="review_decisions")
    op.drop_index("ix_review_decisions_conv", table_name="review_decisions")
    op.drop_table("review_decisions")
