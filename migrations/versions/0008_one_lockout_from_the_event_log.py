"""one lockout, counted from the event log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("claimant", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=64), nullable=True))
    op.create_index("ix_events_claimant_at", "events", ["claimant", "at"], unique=False)
    op.create_index("ix_events_subject_at", "events", ["subject", "at"], unique=False)
    # The invitation's own counter gives way to the one lockout (bot/services/lockout.py).
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("invite_failures")
        batch.drop_column("invite_locked_until")


def downgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.add_column(
            sa.Column("invite_locked_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("invite_failures", sa.Integer(), nullable=False, server_default="0")
        )
    op.drop_index("ix_events_subject_at", table_name="events")
    op.drop_index("ix_events_claimant_at", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("subject")
        batch.drop_column("claimant")
