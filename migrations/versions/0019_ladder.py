"""the ladder: an outbox row's channel (Telegram, WhatsApp, SMS), the number it goes to, the
rungs it already tried and what the channel said of it; WhatsApp's word on a number (a user
or not, the 24-hour window) and the sessions an SMS numbered; webhook events handled

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
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
    with op.batch_alter_table("outbox", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("channel", _CHANNEL, nullable=False, server_default="telegram"))
        batch.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("tried", sa.String(length=60), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("delivery", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("delivery_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_outbox_contact_id"), ["contact_id"], unique=False)
        batch.create_index(batch.f("ix_outbox_external_id"), ["external_id"], unique=False)
    with op.batch_alter_table("contact_points") as batch:
        batch.add_column(sa.Column("whatsapp_user", sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column("whatsapp_window_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("sms_choices", sa.JSON(none_as_null=True), nullable=True))
    op.create_table(
        "webhook_events",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_webhook_events")),
    )
    op.create_index(op.f("ix_webhook_events_at"), "webhook_events", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_events_at"), table_name="webhook_events")
    op.drop_table("webhook_events")
    with op.batch_alter_table("contact_points") as batch:
        batch.drop_column("sms_choices")
        batch.drop_column("whatsapp_window_until")
        batch.drop_column("whatsapp_user")
    with op.batch_alter_table("outbox", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_index(batch.f("ix_outbox_external_id"))
        batch.drop_index(batch.f("ix_outbox_contact_id"))
        batch.drop_column("delivery_at")
        batch.drop_column("delivery")
        batch.drop_column("external_id")
        batch.drop_column("tried")
        batch.drop_column("contact_id")
        batch.drop_column("channel")
