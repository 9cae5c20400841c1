"""the daily limits count each phone channel's sends of the day (SMS_DAILY_LIMIT) or the last
24 hours (WHATSAPP_TIER) at every claim: an index on (channel, sent_at)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_channel_sent", "outbox", ["channel", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_sent", table_name="outbox")
