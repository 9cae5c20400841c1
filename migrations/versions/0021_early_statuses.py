"""statuses that arrive before their send is recorded: WhatsApp and the SMS gateway may report
a message failed before the dispatcher has written the id they name; kept until it has

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHANNEL = sa.Enum(
    "telegram",
    "cli",
    "system",
    "web",
    "whatsapp",
    "sms",
    name="channel",
    native_enum=False,
    create_constraint=False,
    length=20,
)


def upgrade() -> None:
    op.create_table(
        "early_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", _CHANNEL, nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("why", sa.String(length=500), nullable=False),
        sa.Column("passes", sa.Boolean(), nullable=False),
        sa.Column("not_a_user", sa.Boolean(), nullable=False),
        sa.Column("closed_window", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_statuses")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_early_statuses_external_id"), "early_statuses", ["external_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_early_statuses_external_id"), table_name="early_statuses")
    op.drop_table("early_statuses")
