"""leads imported from platform-scale runs

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "lead_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=96), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("input_path", sa.Text(), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=True),
        sa.Column("results_sha256", sa.String(length=64), nullable=False),
        sa.Column("run_vigil_version", sa.String(length=64), nullable=False),
        sa.Column("spark_version", sa.String(length=64), nullable=False),
        sa.Column("taxonomy_version", sa.String(length=64), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=False),
        sa.Column("run_started_at", sa.String(length=64), nullable=False),
        sa.Column("only_flagged", sa.Boolean(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        _fk("lead_imports", "case_id", "cases"),
        _fk("lead_imports", "exhibit_id", "exhibits"),
        _fk("lead_imports", "imported_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_imports")),
        sa.UniqueConstraint("case_id", "seq", name="uq_lead_imports_case_seq"),
        sa.UniqueConstraint("ref", name=op.f("uq_lead_imports_ref")),
    )
    with op.batch_alter_table("lead_imports", schema=None) as batch_op:
        for col in ("case_id", "exhibit_id", "run_id"):
            batch_op.create_index(batch_op.f(f"ix_lead_imports_{col}"), [col], unique=False)

    op.create_table(
        "leads",
        sa.Column("id", _ID, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=96), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("urgency", sa.Integer(), nullable=True),
        sa.Column("taxonomy_version", sa.String(length=64), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=False),
        _fk("leads", "import_id", "lead_imports"),
        _fk("leads", "case_id", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("case_id", "seq", name="uq_leads_case_seq"),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("leads")
    op.drop_table("lead_imports")
