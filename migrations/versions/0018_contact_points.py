"""phone numbers on a teen's record (contact points), kept as NIKs are; the number a teen
shared with Telegram's 📱 button moves there out of the clear

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 04:30:00

`accounts.phone` held the number in clear. A linked teen's number becomes her record's own
contact point, hashed and sealed with DATA_KEY (the running program hands its key over,
Alembic on its own reads DATA_KEY); a number no channel could reach (not a mobile, unreadable)
is dropped, as is the number of an account that holds no record. The column goes.
"""

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

accounts = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("target_id", sa.Integer),
    sa.column("phone", sa.String),
)


def _vault() -> Any:
    """The running program's vault, or one of DATA_KEY; None without either."""
    from bot.db.vault import Vault

    given = context.config.attributes.get("rekam_vault")
    if given is not None:
        return given
    key = os.environ.get("DATA_KEY")
    return Vault(key) if key else None


def _shared_numbers(connection: sa.Connection) -> list[tuple[int, str]]:
    """(target id, E.164) of each linked account's shared number a channel can reach."""
    from bot.domain.phones import PhoneError, normalise

    rows = connection.execute(
        sa.select(accounts.c.target_id, accounts.c.phone).where(
            accounts.c.phone.is_not(None), accounts.c.target_id.is_not(None)
        )
    ).all()
    numbers = []
    for target_id, phone in rows:
        try:
            numbers.append((int(target_id), normalise(str(phone))))
        except PhoneError:
            continue
    return numbers


def upgrade() -> None:
    contact_points = op.create_table(
        "contact_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "whose",
            sa.Enum(
                "teen",
                "guardian",
                name="contactof",
                native_enum=False,
                create_constraint=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_sealed", sa.String(length=120), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "list",
                "staff",
                "telegram",
                name="contactsource",
                native_enum=False,
                create_constraint=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("whatsapp_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sms_stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["targets.id"],
            name=op.f("fk_contact_points_target_id_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_points")),
        sa.UniqueConstraint("target_id", "whose", name="uq_contact_points_target_whose"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_contact_points_phone_hash"), "contact_points", ["phone_hash"], unique=False
    )
    connection = op.get_bind()
    numbers = _shared_numbers(connection)
    if numbers:
        vault = _vault()
        if vault is None:
            raise RuntimeError(
                "DATA_KEY is not set: the phone numbers teens shared must be sealed with it"
            )
        now = datetime.now(UTC)
        sealed = vault.seal_phones([number for _, number in numbers])
        op.bulk_insert(
            contact_points,
            [
                {
                    "target_id": target_id,
                    "whose": "teen",
                    "phone_hash": vault.phone_hash(number),
                    "phone_sealed": seal,
                    "source": "telegram",
                    "created_at": now,
                    "updated_at": now,
                }
                for (target_id, number), seal in zip(numbers, sealed, strict=True)
            ],
        )
    # Rebuilt on SQLite: keep its ids never reused (0010).
    with op.batch_alter_table("accounts", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("phone")


def downgrade() -> None:
    # The numbers stay sealed in the contact points until the table goes: a downgrade puts
    # none back in clear.
    # Rebuilt on SQLite: keep its ids never reused (0010).
    with op.batch_alter_table("accounts", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
    op.drop_index(op.f("ix_contact_points_phone_hash"), table_name="contact_points")
    op.drop_table("contact_points")
