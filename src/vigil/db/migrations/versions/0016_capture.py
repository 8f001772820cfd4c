"""covert capture sessions, captures and notes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "capture_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=96), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("officer_name", sa.String(length=256), nullable=False),
        sa.Column("device", sa.Text(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.Column("authorisation_ref", sa.String(length=64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("open_for_id", sa.Integer(), nullable=True),
        _fk("capture_sessions", "case_id", "cases"),
        _fk("capture_sessions", "persona_id", "personas"),
        _fk("capture_sessions", "officer_id", "users"),
        _fk("capture_sessions", "open_for_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capture_sessions")),
        sa.UniqueConstraint("case_id", "seq", name="uq_capture_sessions_case_seq"),
        sa.UniqueConstraint("ref", name=op.f("uq_capture_sessions_ref")),
        sa.UniqueConstraint("open_for_id", name=op.f("uq_capture_sessions_open_for_id")),
    )
    with op.batch_alter_table("capture_sessions", schema=None) as batch_op:
        for col in ("case_id", "persona_id", "officer_id"):
            batch_op.create_index(batch_op.f(f"ix_capture_sessions_{col}"), [col], unique=False)

    op.create_table(
        "captures",
        sa.Column("id", _ID, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("mhtml_exhibit_id", sa.Integer(), nullable=True),
        sa.Column("html_exhibit_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("captured_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_text", sa.String(length=64), nullable=True),
        sa.Column("claimed_tz", sa.String(length=64), nullable=True),
        sa.Column("claimed_source", sa.String(length=64), nullable=True),
        sa.Column("tool", sa.String(length=256), nullable=False),
        _fk("captures", "session_id", "capture_sessions"),
        _fk("captures", "exhibit_id", "exhibits"),
        _fk("captures", "mhtml_exhibit_id", "exhibits"),
        _fk("captures", "html_exhibit_id", "exhibits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
        sa.UniqueConstraint("session_id", "seq", name="uq_captures_session_seq"),
    )
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_captures_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_captures_exhibit_id"), ["exhibit_id"], unique=False)

    op.create_table(
        "capture_notes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("noted_at", UTCDateTime(), nullable=False),
        sa.Column("noted_by_id", sa.Integer(), nullable=False),
        _fk("capture_notes", "session_id", "capture_sessions"),
        _fk("capture_notes", "noted_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capture_notes")),
        sa.UniqueConstraint("session_id", "seq", name="uq_capture_notes_session_seq"),
    )
    with op.batch_alter_table("capture_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capture_notes_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("capture_notes")
    op.drop_table("captures")
    op.drop_table("capture_sessions")
