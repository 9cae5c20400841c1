"""claims for staff review, consent kept as proof after withdrawal, ids never reused on SQLite

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose integer ids name a person or a record (SQLite would reuse a deleted top id).
_WITH_IDS = (
    "regions",
    "schools",
    "targets",
    "accounts",
    "staff",
    "parent_links",
    "places",
    "service_sessions",
    "summonses",
    "events",
    "outbox",
    "broadcasts",
    "consents",
    "waiting_list",
)


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column(
            "preferred_days",
            sa.Enum(
                "any",
                "weekday",
                "weekend",
                "school",
                name="preferreddays",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "approved", "rejected", name="claimstate", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_claims_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["targets.id"],
            name=op.f("fk_claims_target_id_targets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_claims_account_id"), "claims", ["account_id"], unique=False)
    op.create_index(op.f("ix_claims_target_id"), "claims", ["target_id"], unique=False)
    op.create_index(op.f("ix_claims_state"), "claims", ["state"], unique=False)

    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("target_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("given_as", sa.String(length=20), server_default="teen", nullable=False)
        )
        batch.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
        batch.drop_constraint("fk_consents_account_id_accounts", type_="foreignkey")
        batch.create_foreign_key(
            "fk_consents_account_id_accounts",
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="SET NULL",
        )

    if op.get_bind().dialect.name == "sqlite":
        for table in _WITH_IDS:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass


def downgrade() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.drop_constraint("fk_consents_account_id_accounts", type_="foreignkey")
        batch.create_foreign_key(
            "fk_consents_account_id_accounts",
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.drop_column("given_as")
        batch.drop_column("target_id")
    op.drop_index(op.f("ix_claims_state"), table_name="claims")
    op.drop_index(op.f("ix_claims_target_id"), table_name="claims")
    op.drop_index(op.f("ix_claims_account_id"), table_name="claims")
    op.drop_table("claims")
