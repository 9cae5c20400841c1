"""parent link names, events by account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parent_links") as batch:
        batch.add_column(sa.Column("parent_name", sa.String(length=100), nullable=True))
    op.create_index("ix_events_account_at", "events", ["account_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_account_at", table_name="events")
    with op.batch_alter_table("parent_links") as batch:
        batch.drop_column("parent_name")
