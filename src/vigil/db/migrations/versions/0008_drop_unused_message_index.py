"""messages: drop ix_messages_conv_sent, an index no query uses

Every message query goes through the natural key (conversation_id, seq), the sender, or a
finding's (conversation_id, message_seq); none filters or sorts messages by
(conversation_id, sent_at). Keeping the index cost a third of the bulk-insert time when
message times are not in file order (an export whose times go back and forth), for no reader.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_conv_sent")


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_conv_sent", ["conversation_id", "sent_at"], unique=False)
