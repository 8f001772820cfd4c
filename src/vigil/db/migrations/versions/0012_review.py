"""review decisions: state, notes, tags, bookmarks on conversations and messages

(Placeholder revision, filled in by the change that needs it; empty until then.)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
