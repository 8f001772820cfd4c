"""media: hashed media items, imported hash lists and entries, matches, gradings, exposures

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 18:15:42.424294
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vigil.db.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hash_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=128), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("deleted_count", sa.Integer(), nullable=False),
        sa.Column("issue_count", sa.Integer(), nullable=False),
        sa.Column("pdq_threshold", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_lists")),
    )
    with op.batch_alter_table("hash_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hash_lists_name"), ["name"], unique=False)

    op.create_table(
        "hash_list_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.String(length=256), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("vpdq", sa.Text(), nullable=True),
        sa.Column("category_scheme", sa.String(length=64), nullable=True),
        sa.Column("category_code", sa.String(length=16), nullable=True),
        sa.Column("category_label", sa.String(length=128), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_by_list_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deleted_by_list_id"],
            ["hash_lists.id"],
            name=op.f("fk_hash_list_entries_deleted_by_list_id_hash_lists"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["hash_lists.id"], name=op.f("fk_hash_list_entries_list_id_hash_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_list_entries")),
    )
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hash_list_entries_list_id"), ["list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hash_list_entries_md5"), ["md5"], unique=False)
        batch_op.create_index(batch_op.f("ix_hash_list_entries_sha1"), ["sha1"], unique=False)
        batch_op.create_index(batch_op.f("ix_hash_list_entries_sha256"), ["sha256"], unique=False)

    op.create_table(
        "media_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("pdq_dihedral", sa.Text(), nullable=True),
        sa.Column("vpdq", sa.Text(), nullable=True),
        sa.Column("vpdq_frames", sa.Integer(), nullable=True),
        sa.Column("pipeline_version", sa.String(length=32), nullable=True),
        sa.Column("preparation", sa.Text(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("markers", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_media_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["exhibit_id"], ["exhibits.id"], name=op.f("fk_media_items_exhibit_id_exhibits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_items")),
        sa.UniqueConstraint("case_id", "exhibit_id", name="uq_media_items_case_exhibit"),
    )
    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_items_md5"), ["md5"], unique=False)

    op.create_table(
        "media_exposures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column(
            "media_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_item_id"],
            ["media_items.id"],
            name=op.f("fk_media_exposures_media_item_id_media_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_exposures")),
    )
    with op.batch_alter_table("media_exposures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_exposures_media_item_id"), ["media_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_media_exposures_user"), ["user"], unique=False)

    op.create_table(
        "media_gradings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "media_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("grader", sa.String(length=128), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("graded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_item_id"],
            ["media_items.id"],
            name=op.f("fk_media_gradings_media_item_id_media_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_gradings")),
        sa.UniqueConstraint("media_item_id", "grader", name="uq_media_gradings_item_grader"),
    )
    with op.batch_alter_table("media_gradings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_gradings_media_item_id"), ["media_item_id"], unique=False
        )

    op.create_table(
        "media_matches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "media_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("distance", sa.Integer(), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("variant", sa.String(length=16), nullable=True),
        sa.Column("category_scheme", sa.String(length=64), nullable=True),
        sa.Column("category_code", sa.String(length=16), nullable=True),
        sa.Column("category_label", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("matched_at", UTCDateTime(), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["hash_list_entries.id"],
            name=op.f("fk_media_matches_entry_id_hash_list_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["hash_lists.id"], name=op.f("fk_media_matches_list_id_hash_lists")
        ),
        sa.ForeignKeyConstraint(
            ["media_item_id"],
            ["media_items.id"],
            name=op.f("fk_media_matches_media_item_id_media_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_matches")),
    )
    with op.batch_alter_table("media_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_matches_media_item_id"), ["media_item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("media_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_matches_media_item_id"))

    op.drop_table("media_matches")
    with op.batch_alter_table("media_gradings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_gradings_media_item_id"))

    op.drop_table("media_gradings")
    with op.batch_alter_table("media_exposures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_exposures_user"))
        batch_op.drop_index(batch_op.f("ix_media_exposures_media_item_id"))

    op.drop_table("media_exposures")
    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_items_md5"))
        batch_op.drop_index(batch_op.f("ix_media_items_case_id"))

    op.drop_table("media_items")
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_list_entries_sha256"))
        batch_op.drop_index(batch_op.f("ix_hash_list_entries_sha1"))
        batch_op.drop_index(batch_op.f("ix_hash_list_entries_md5"))
        batch_op.drop_index(batch_op.f("ix_hash_list_entries_list_id"))

    op.drop_table("hash_list_entries")
    with op.batch_alter_table("hash_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_lists_name"))

    op.drop_table("hash_lists")
